package hostcheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateDirAccess(t *testing.T) {
	base, err := os.MkdirTemp("", "hostcheck-statedir-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(base) })
	require.NoError(t, os.Chmod(base, 0o755))
	if r := StateDirAccess(base); r.Status != OK {
		t.Skipf("the temporary directory's parents are not traversable: %s", r.Found)
	}
	open := filepath.Join(base, "open")
	require.NoError(t, os.Mkdir(open, 0o711))
	r := StateDirAccess(open)
	assert.Equal(t, OK, r.Status, r.Found)

	r = StateDirAccess(filepath.Join(open, "state"))
	assert.Equal(t, OK, r.Status)
	assert.Contains(t, r.Found, "does not exist yet")

	closed := filepath.Join(base, "closed")
	require.NoError(t, os.Mkdir(closed, 0o700))
	require.NoError(t, os.Chmod(closed, 0o700)) // whatever the umask
	r = StateDirAccess(filepath.Join(closed, "state"))
	if os.Geteuid() == 0 {
		assert.Equal(t, Missing, r.Status)
		assert.Contains(t, r.Found, closed+" (0700)")
		assert.Equal(t, "chmod o+x "+closed, r.Fix)
	} else {
		assert.NotEqual(t, OK, r.Status, "%s is 0700", closed)
	}

	file := writeFile(t, base, "file", "", 0o644)
	r = StateDirAccess(filepath.Join(file, "state"))
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "is not a directory")
}
