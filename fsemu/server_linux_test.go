package fsemu

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// mountTest serves the real host's emulated files at a temporary
// directory (root and /dev/fuse only).
func mountTest(t *testing.T) *Server {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting FUSE needs root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	cg, err := DetectCgroupFS(RealHost)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "fuse")
	require.NoError(t, os.Mkdir(dir, 0o755))
	e := New("test", RealHost, cg, AvailableFiles(RealHost))
	s, err := Mount(dir, e, Owner{UID: 1048576, GID: 1048576})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Unmount()) })
	return s
}

func TestServer(t *testing.T) {
	s := mountTest(t)

	var st unix.Stat_t
	require.NoError(t, unix.Stat(s.HostPath("/proc/meminfo"), &st))
	assert.EqualValues(t, 0o444, st.Mode&0o7777)
	assert.EqualValues(t, 1048576, st.Uid, "the container's root owns them")
	assert.Zero(t, st.Size, "like /proc: read to the end")

	data, err := os.ReadFile(s.HostPath("/proc/meminfo"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "MemTotal:"), "%s", data)

	// sendfile and splice (busybox cat, io.Copy) go through the page
	// cache, bounded by the inode size: they must see everything too.
	for i := 0; i < 3; i++ {
		f, err := os.Open(s.HostPath("/proc/stat"))
		require.NoError(t, err)
		r, w, err := os.Pipe()
		require.NoError(t, err)
		n, err := unix.Sendfile(int(w.Fd()), int(f.Fd()), nil, 1<<16)
		require.NoError(t, err)
		w.Close()
		got, _ := io.ReadAll(r)
		r.Close()
		f.Close()
		assert.Equal(t, n, len(got))
		assert.True(t, strings.HasPrefix(string(got), "cpu "), "sendfile %d: %q", i, got)
		assert.True(t, strings.HasSuffix(string(got), "\n"), "sendfile %d got all of it: %q", i, got)
	}

	// A sysctl: written at offset 0 (with O_TRUNC, as the shell does),
	// validated, kept.
	p := s.HostPath("/proc/sys/kernel/panic")
	host, err := os.ReadFile("/proc/sys/kernel/panic")
	require.NoError(t, err)
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, string(host), string(got), "the host's value until written")
	require.NoError(t, os.WriteFile(p, []byte("42\n"), 0o644))
	got, err = os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "42\n", string(got))
	err = os.WriteFile(p, []byte("forty-two\n"), 0o644)
	assert.ErrorIs(t, err, syscall.EINVAL)
	hostAfter, err := os.ReadFile("/proc/sys/kernel/panic")
	require.NoError(t, err)
	assert.Equal(t, string(host), string(hostAfter), "nothing reaches the host")

	err = os.WriteFile(s.HostPath("/proc/meminfo"), []byte("x"), 0o644)
	assert.ErrorIs(t, err, syscall.EACCES, "read-only files")
	assert.Error(t, os.Chmod(p, 0o666))
	assert.Error(t, os.Remove(p))
	assert.Error(t, os.WriteFile(s.HostPath("/proc/new"), nil, 0o644))
}

func TestServerDetached(t *testing.T) {
	s := mountTest(t)
	paths, files, err := s.Detached("/proc/", []string{"/proc/sys"})
	require.NoError(t, err)
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	assert.Contains(t, paths, "/proc/meminfo")
	assert.Contains(t, paths, "/proc/sys/kernel/panic")
	assert.NotContains(t, paths, "/sys/devices/system/cpu/online")
	// Each is a detached mount: attach one to see what it shows.
	dst := filepath.Join(t.TempDir(), "meminfo")
	require.NoError(t, os.WriteFile(dst, nil, 0o644))
	for i, p := range paths {
		if p != "/proc/meminfo" {
			continue
		}
		require.NoError(t, unix.MoveMount(int(files[i].Fd()), "", unix.AT_FDCWD, dst, unix.MOVE_MOUNT_F_EMPTY_PATH))
		defer unix.Unmount(dst, unix.MNT_DETACH)
	}
	data, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("MemTotal:")))
}
