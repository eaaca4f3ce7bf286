package hostcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestResolveLocation(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	var st unix.Stat_t
	require.NoError(t, unix.Stat(dir, &st))
	maj, min := unix.Major(st.Dev), unix.Minor(st.Dev)
	// Two mounts of the device: the deeper one above dir holds it; a
	// mount of another device at dir itself does not.
	table := fmt.Sprintf("1 0 %d:%d / / rw - ext4 /dev/vda rw\n2 1 %d:%d /sub %s rw - xfs /dev/vda rw\n3 1 %d:%d / %s/x rw - tmpfs tmpfs rw\n",
		maj, min, maj, min, filepath.Dir(dir), maj+1, min, dir)
	mounts, err := mountinfo.GetMountsFromReader(strings.NewReader(table), nil)
	require.NoError(t, err)

	l, err := ResolveLocation("state_dir", filepath.Join(dir, "a", "b"), "default", "state_dir in c.toml", mounts)
	require.NoError(t, err)
	assert.Equal(t, dir, l.Probed, "the nearest existing directory")
	assert.Equal(t, "xfs", l.FSType)
	assert.Equal(t, filepath.Dir(dir), l.Mountpoint)
	assert.Equal(t, filepath.Join(dir, "a", "b")+" (default), absent: probed "+dir+" on "+filepath.Dir(dir)+" (xfs)", l.Describe())

	l, err = ResolveLocation("state_dir", dir, "", "", mounts)
	require.NoError(t, err)
	assert.Equal(t, dir, l.Probed)
	assert.Equal(t, dir+" on "+filepath.Dir(dir)+" (xfs)", l.Describe())

	file := writeFile(t, dir, "f", "", 0o644)
	_, err = ResolveLocation("state_dir", filepath.Join(file, "below"), "", "", mounts)
	assert.ErrorContains(t, err, "is not a directory")
	_, err = ResolveLocation("state_dir", "relative/dir", "", "", mounts)
	assert.ErrorContains(t, err, "not an absolute path")

	l, err = ResolveLocation("state_dir", dir, "", "", nil)
	require.NoError(t, err)
	assert.Empty(t, l.FSType, "no mount table: no file system named")
	assert.Equal(t, dir, l.Describe())
}

func TestNearestExisting(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a"), 0o755))
	p, err := nearestExisting(filepath.Join(dir, "a", "b", "c"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "a"), p)
	p, err = nearestExisting("/")
	require.NoError(t, err)
	assert.Equal(t, "/", p)
}
