package rootfs

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

func TestWithDataDirsAppendsIdmappedBinds(t *testing.T) {
	plan, err := NewPlan([]specs.Mount{{Destination: "/proc", Type: "proc", Source: "proc"}, {Destination: "/data", Type: "bind", Source: "/srv"}})
	require.NoError(t, err)
	got := withDataDirs(plan, []DataDir{{Path: "/var/lib/docker", Host: "/l/x/sysbox-lite/data/var/lib/docker", WithEngine: true}})
	require.Len(t, got.Items, 3)
	assert.Len(t, plan.Items, 2, "the caller's plan is not changed")
	it := got.Items[2]
	assert.Equal(t, Bind, it.Kind)
	assert.True(t, it.dataDir, "idmapped or nothing")
	assert.Equal(t, "/var/lib/docker", it.Destination)
	assert.Equal(t, "/l/x/sysbox-lite/data/var/lib/docker", it.Mount.Source)
	assert.Equal(t, plan.Kept(), got.Kept(), "the engine's mounts are unchanged")
}

// ensureDataDir copies the image's content once, shifting owners from the
// range back to disk, and keeps an existing directory as it is.
func TestEnsureDataDirCopiesOnce(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "var", "lib", "docker")
	require.NoError(t, os.MkdirAll(filepath.Join(src, "sub"), 0o711))
	require.NoError(t, os.WriteFile(filepath.Join(src, "sub", "f"), []byte("data"), 0o640))
	require.NoError(t, os.Symlink("../sub/f", filepath.Join(src, "link")))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(src, "abs")))
	require.NoError(t, unix.Mkfifo(filepath.Join(src, "fifo"), 0o600))
	_ = unix.Setxattr(filepath.Join(src, "sub"), "user.overlay.opaque", []byte("y"), 0) // tmpfs may lack user xattrs

	// The owners seen in the root are base+n: with base 0 the copy keeps
	// them (the test runs unprivileged, so it can only chown to itself).
	a := Assembler{Dir: t.TempDir(), Range: userns.Range{UID: 0, GID: 0, Size: ^uint32(0)}, Log: logrus.New(), DataDirs: []string{"/var/lib/docker"}}
	d := DataDir{Path: "/var/lib/docker", Host: dataDirHost(a.Dir, "/var/lib/docker")}
	require.NoError(t, a.ensureDataDir(root, d))

	data, err := os.ReadFile(filepath.Join(d.Host, "sub", "f"))
	require.NoError(t, err)
	assert.Equal(t, "data", string(data))
	st, err := os.Lstat(filepath.Join(d.Host, "sub", "f"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	st, err = os.Lstat(filepath.Join(d.Host, "sub"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o711), st.Mode().Perm())
	link, err := os.Readlink(filepath.Join(d.Host, "link"))
	require.NoError(t, err)
	assert.Equal(t, "../sub/f", link)
	link, err = os.Readlink(filepath.Join(d.Host, "abs"))
	require.NoError(t, err)
	assert.Equal(t, "/etc/passwd", link, "a symlink is copied, never followed")
	st, err = os.Lstat(filepath.Join(d.Host, "fifo"))
	require.NoError(t, err)
	assert.Equal(t, os.ModeNamedPipe, st.Mode().Type())
	v := make([]byte, 8)
	if _, err := unix.Getxattr(filepath.Join(src, "sub"), "user.overlay.opaque", v); err == nil {
		m, err := unix.Getxattr(filepath.Join(d.Host, "sub"), "user.overlay.opaque", v)
		require.NoError(t, err, "user.overlay.* is copied")
		assert.Equal(t, "y", string(v[:m]))
	}
	_, err = os.Stat(d.Host + ".new")
	assert.True(t, os.IsNotExist(err), "no temporary directory left")

	// A second create keeps what the container wrote.
	require.NoError(t, os.WriteFile(filepath.Join(d.Host, "mine"), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(src, "later"), []byte("y"), 0o600))
	require.NoError(t, a.ensureDataDir(root, d))
	_, err = os.Stat(filepath.Join(d.Host, "mine"))
	assert.NoError(t, err, "kept")
	_, err = os.Stat(filepath.Join(d.Host, "later"))
	assert.True(t, os.IsNotExist(err), "not copied again")
}

func TestEnsureDataDirWithoutImageContent(t *testing.T) {
	a := Assembler{Dir: t.TempDir(), Range: userns.Range{UID: 100000, GID: 100000, Size: 65536}, Log: logrus.New()}
	d := DataDir{Path: "/var/lib/containerd", Host: dataDirHost(a.Dir, "/var/lib/containerd")}
	require.NoError(t, a.ensureDataDir(t.TempDir(), d))
	st, err := os.Stat(d.Host)
	require.NoError(t, err)
	assert.True(t, st.IsDir())
	assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())

	// something else in the way is an error, not a silent replacement
	f := DataDir{Path: "/x", Host: filepath.Join(a.Dir, "file")}
	require.NoError(t, os.WriteFile(f.Host, nil, 0o600))
	assert.ErrorContains(t, a.ensureDataDir(t.TempDir(), f), "not a directory")
}

func TestUnshift(t *testing.T) {
	c := treeCopier{shift: 100000, shiftGID: 200000, size: 65536}
	assert.Equal(t, uint32(0), c.unshift(100000, c.shift))
	assert.Equal(t, uint32(1000), c.unshift(201000, c.shiftGID))
	assert.Equal(t, uint32(65534), c.unshift(65534, c.shift), "outside the range: nobody")
	assert.Equal(t, uint32(65534), c.unshift(165536, c.shift), "past the range: nobody")
}

// A plain-directory root is the caller's: data directories only where the
// path is a directory already, nothing is made in it.
func TestPrepareDataDirsPlainRoot(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "var", "lib", "docker"), 0o755))
	a := Assembler{Dir: t.TempDir(), Range: userns.Range{UID: 0, GID: 0, Size: ^uint32(0)}, Log: logrus.New(),
		DataDirs: []string{"/var/lib/docker", "/var/lib/containerd"}}
	dirs, err := a.prepareDataDirs(root, root, nil)
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	assert.Equal(t, DataDir{Path: "/var/lib/docker", Host: dataDirHost(a.Dir, "/var/lib/docker")}, dirs[0], "in the state directory")
	_, err = os.Stat(filepath.Join(root, "var", "lib", "containerd"))
	assert.True(t, os.IsNotExist(err), "nothing made in the root")
}
