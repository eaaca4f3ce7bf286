package seccomp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func openPath(t *testing.T, p string) int {
	t.Helper()
	fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// A bind of a file over a directory (or the reverse) answers ENOTDIR, as
// mount(2) does: runc's maskPath relies on it to fall back to a tmpfs.
func TestSameKind(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	sub := filepath.Join(dir, "d")
	require.NoError(t, os.Mkdir(sub, 0o700))
	f, d := openPath(t, file), openPath(t, sub)
	assert.ErrorIs(t, sameKind(f, d), unix.ENOTDIR, "file over a directory")
	assert.ErrorIs(t, sameKind(d, f), unix.ENOTDIR, "directory over a file")
	assert.NoError(t, sameKind(f, f))
	assert.NoError(t, sameKind(d, d))
	ns := openPath(t, "/proc/self/ns/net")
	assert.NoError(t, sameKind(ns, f), "a namespace file goes over a file")
	assert.ErrorIs(t, sameKind(ns, d), unix.ENOTDIR)
}

func TestIsNamespaceFile(t *testing.T) {
	assert.True(t, isNamespaceFile(openPath(t, "/proc/self/ns/net")))
	assert.True(t, isNamespaceFile(openPath(t, "/proc/self/ns/mnt")))
	assert.False(t, isNamespaceFile(openPath(t, "/proc/self/status")), "procfs is not nsfs")
	assert.False(t, isNamespaceFile(openPath(t, t.TempDir())))
}
