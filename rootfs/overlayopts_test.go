package rootfs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOverlayOptionsDocker(t *testing.T) {
	c, err := ParseOverlayOptions("rw,lowerdir=/d/overlay2/l/AAA:/d/overlay2/l/BBB,upperdir=/d/overlay2/x/diff,workdir=/d/overlay2/x/work,index=off,uuid=on", "/ignored")
	require.NoError(t, err)
	assert.Equal(t, []string{"/d/overlay2/l/AAA", "/d/overlay2/l/BBB"}, c.Lower)
	assert.Equal(t, "/d/overlay2/x/diff", c.Upper)
	assert.Equal(t, "/d/overlay2/x/work", c.Work)
	assert.Equal(t, []string{"index=off", "uuid=on"}, c.Options)
}

func TestParseOverlayOptionsRelative(t *testing.T) {
	// dockerd switches to paths relative to its overlay2 home for long lists.
	c, err := ParseOverlayOptions("rw,lowerdir=l/AAA:l/BBB,upperdir=x/diff,workdir=x/work", "/var/lib/docker/overlay2")
	require.NoError(t, err)
	assert.Equal(t, []string{"/var/lib/docker/overlay2/l/AAA", "/var/lib/docker/overlay2/l/BBB"}, c.Lower)
	assert.Equal(t, "/var/lib/docker/overlay2/x/diff", c.Upper)
}

func TestParseOverlayOptionsEscapesAndReadOnly(t *testing.T) {
	c, err := ParseOverlayOptions(`ro,lowerdir=/a\:b:/c\,d::/data`, "/")
	require.NoError(t, err)
	assert.Equal(t, []string{"/a:b", "/c,d", "/data"}, c.Lower)
	assert.Empty(t, c.Upper)
}

func TestParseOverlayOptionsErrors(t *testing.T) {
	_, err := ParseOverlayOptions("rw,upperdir=/u,workdir=/w", "/")
	assert.Error(t, err)
	_, err = ParseOverlayOptions("rw,lowerdir=/l,upperdir=/u", "/")
	assert.Error(t, err)
}
