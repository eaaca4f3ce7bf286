package confine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolvePath(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	real := filepath.Join(dir, "real")
	require.NoError(t, os.MkdirAll(filepath.Join(real, "sub"), 0o755))
	require.NoError(t, os.Symlink(real, filepath.Join(dir, "link")))
	require.NoError(t, os.Symlink("real/sub", filepath.Join(dir, "rel")))
	require.NoError(t, os.Symlink(filepath.Join(real, "missing.sock"), filepath.Join(dir, "dangling")))
	require.NoError(t, os.Symlink("loop2", filepath.Join(dir, "loop1")))
	require.NoError(t, os.Symlink("loop1", filepath.Join(dir, "loop2")))

	for in, want := range map[string]string{
		filepath.Join(dir, "link"):                     real,
		filepath.Join(dir, "link", "sub"):              filepath.Join(real, "sub"),
		filepath.Join(dir, "link", "absent", "x.sock"): filepath.Join(real, "absent", "x.sock"),
		filepath.Join(dir, "rel"):                      filepath.Join(real, "sub"),
		filepath.Join(dir, "dangling"):                 filepath.Join(real, "missing.sock"),
		filepath.Join(dir, "link", "..", "real"):       real,
		"/":                                            "/",
		"/nonexistent-top/x":                           "/nonexistent-top/x",
	} {
		got, err := ResolvePath(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err = ResolvePath(filepath.Join(dir, "loop1"))
	assert.Error(t, err)
}

func TestResolvePathVarRun(t *testing.T) {
	target, err := os.Readlink("/var/run")
	if err != nil {
		t.Skip("/var/run is not a symlink here")
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join("/var", target)
	}
	target, err = filepath.EvalSymlinks(target)
	require.NoError(t, err)
	got, err := ResolvePath("/var/run/docker.sock-that-does-not-exist")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(target, "docker.sock-that-does-not-exist"), got)
}

func TestHostDeviceReal(t *testing.T) {
	n, ok := HostDevice("/dev/null")
	require.True(t, ok)
	assert.Equal(t, Node{"c", 1, 3}, n)
	_, ok = HostDevice("/etc/passwd")
	assert.False(t, ok, "not a device")
	_, ok = HostDevice("/dev/does-not-exist")
	assert.False(t, ok)
}
