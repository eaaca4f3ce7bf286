package confine

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listen makes a listening unix socket at p, closed (and removed) at the
// end of the test.
func listen(t *testing.T, p string) {
	t.Helper()
	l, err := net.Listen("unix", p)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
}

func TestHostInspectReal(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	listen(t, sock)
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	require.NoError(t, os.Symlink(sock, filepath.Join(dir, "link")))
	uid := uint32(os.Getuid())

	info, err := HostInspect(sock)
	require.NoError(t, err)
	assert.Equal(t, PathInfo{Exists: true, Socket: true, UID: uid}, info)
	info, err = HostInspect(file)
	require.NoError(t, err)
	assert.Equal(t, PathInfo{Exists: true, UID: uid}, info)
	info, err = HostInspect(dir)
	require.NoError(t, err)
	assert.Equal(t, PathInfo{Exists: true, Dir: true, UID: uid}, info, "a temp dir is not a mount root")
	info, err = HostInspect(filepath.Join(dir, "link"))
	require.NoError(t, err)
	assert.False(t, info.Socket, "a final symlink is not followed")
	for _, missing := range []string{filepath.Join(dir, "absent"), filepath.Join(file, "below-a-file")} {
		info, err = HostInspect(missing)
		require.NoError(t, err, missing)
		assert.Equal(t, PathInfo{}, info, missing)
	}
	info, err = HostInspect("/")
	require.NoError(t, err)
	assert.True(t, info.Dir)
	assert.True(t, info.MountRoot, "/ is a mount root")
}

func TestHostRootSocketsReal(t *testing.T) {
	dir := t.TempDir()
	listen(t, filepath.Join(dir, "b.sock"))
	listen(t, filepath.Join(dir, "a.sock"))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	listen(t, filepath.Join(dir, "sub", "deeper.sock"))
	require.NoError(t, os.Symlink(filepath.Join(dir, "a.sock"), filepath.Join(dir, "link.sock")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))

	got, err := HostRootSockets(dir)
	require.NoError(t, err)
	if os.Getuid() != 0 {
		assert.Empty(t, got, "the sockets are this user's, not root's")
		return
	}
	assert.Equal(t, []string{filepath.Join(dir, "a.sock"), filepath.Join(dir, "b.sock")}, got,
		"sockets directly in dir, sorted; not below, not symlinks")

	require.NoError(t, os.Lchown(filepath.Join(dir, "b.sock"), 1000, 1000))
	got, err = HostRootSockets(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "a.sock")}, got, "another owner's socket is not root's")

	got, err = HostRootSockets(filepath.Join(dir, "absent"))
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = HostRootSockets(filepath.Join(dir, "file"))
	assert.Error(t, err, "not a directory")
}
