//go:build linux

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canary is a host file or directory that a hostile image points at.
type canary struct {
	path    string
	content string // file: its content; dir: empty
	mtime   time.Time
}

// newCanary creates a canary directly in the host's /tmp (removed at the
// end of the test).
func newCanary(t *testing.T, dir bool) canary {
	t.Helper()
	c := canary{}
	if dir {
		p, err := os.MkdirTemp("/tmp", "sbl-canary-dir-")
		require.NoError(t, err)
		c.path = p
	} else {
		f, err := os.CreateTemp("/tmp", "sbl-canary-")
		require.NoError(t, err)
		c.path, c.content = f.Name(), "canary "+filepath.Base(f.Name())+"\n"
		_, err = f.WriteString(c.content)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	t.Cleanup(func() { os.RemoveAll(c.path) })
	st, err := os.Stat(c.path)
	require.NoError(t, err)
	c.mtime = st.ModTime()
	return c
}

// requireIntact checks that the canary is unchanged and nothing is mounted
// on it (or below it) on the host.
func (c canary) requireIntact(t *testing.T, when string) {
	t.Helper()
	st, err := os.Stat(c.path)
	require.NoError(t, err, "%s: canary %s", when, c.path)
	assert.Equal(t, c.mtime, st.ModTime(), "%s: canary %s was modified", when, c.path)
	if st.IsDir() {
		entries, err := os.ReadDir(c.path)
		require.NoError(t, err)
		assert.Empty(t, entries, "%s: canary directory %s got entries", when, c.path)
	} else {
		data, err := os.ReadFile(c.path)
		require.NoError(t, err)
		assert.Equal(t, c.content, string(data), "%s: canary %s content", when, c.path)
	}
	mounts, err := readMounts()
	require.NoError(t, err)
	for _, m := range mounts {
		assert.False(t, isUnder(m.MountPoint, c.path), "%s: something is mounted on the host canary: %+v", when, m)
	}
}

// importImage builds a busybox rootfs (hack/busybox-rootfs.sh), lets modify
// change it, and imports it as tag (removed at the end of the test, after
// the test's containers).
func (s *suite) importImage(t *testing.T, tag string, modify func(root string)) {
	t.Helper()
	work := s.mkTempDir(t, "image-")
	root := filepath.Join(work, "rootfs")
	out, err := exec.Command(filepath.Join(s.repo, "hack", "busybox-rootfs.sh"), root).CombinedOutput()
	require.NoError(t, err, "busybox-rootfs.sh: %s", out)
	modify(root)
	tarball := filepath.Join(work, "rootfs.tar")
	out, err = exec.Command("tar", "--numeric-owner", "--sort=name", "-C", root, "-cf", tarball, ".").CombinedOutput()
	require.NoError(t, err, "tar: %s", out)
	s.mustDocker(t, "import", "--change", `CMD ["/bin/sh"]`, tarball, tag)
	t.Cleanup(func() { s.docker(t, "rmi", "-f", tag) })
}

// TestImageEtcSymlinksToHost: an image whose /etc/hosts, /etc/hostname and
// /etc/resolv.conf are absolute symlinks to host files runs, and the host
// files are neither written nor mounted over. (dockerd's init layer puts
// regular files over these three paths, so the symlinks may be shadowed
// before sysbox-lite sees the root; TestVolumeOverSymlinkToHost reaches
// sysbox-lite's own resolution.)
func TestImageEtcSymlinksToHost(t *testing.T) {
	s := setup(t)
	canaries := map[string]canary{}
	for _, p := range []string{"etc/hosts", "etc/hostname", "etc/resolv.conf"} {
		canaries[p] = newCanary(t, false)
	}
	image := "sbl-etc-symlinks:test"
	s.importImage(t, image, func(root string) {
		for p, c := range canaries {
			os.Remove(filepath.Join(root, p))
			require.NoError(t, os.Symlink(c.path, filepath.Join(root, p)))
		}
	})
	name := s.container(t, "")
	args := runArgs("-d", "--name", name, "--hostname", "h1", image, "sleep", "1000")
	s.mustDocker(t, args...)
	require.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"))
	for _, c := range canaries {
		c.requireIntact(t, "while the container runs")
	}
	out := s.mustDocker(t, "exec", name, "sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts")
	lines := strings.Fields(out)
	require.Len(t, lines, 2, "output: %q", out)
	assert.Equal(t, "h1", lines[0], "the container sees docker's hostname file")
	assert.NotEqual(t, "0", lines[1], "the container sees docker's hosts file (with localhost)")
	s.mustDocker(t, "exec", name, "sh", "-c", "echo pwned > /etc/hosts; echo pwned > /etc/hostname; echo pwned > /etc/resolv.conf")
	for _, c := range canaries {
		c.requireIntact(t, "after the container wrote its /etc files")
	}
	s.removeContainer(t, name)
	for _, c := range canaries {
		c.requireIntact(t, "after the container is removed")
	}
}

// TestVolumeOverSymlinkToHost: volume destinations that are absolute
// symlinks in the image to host paths are resolved inside the container's
// root (as runc does): the volume appears there, the host paths stay
// untouched and unmounted.
func TestVolumeOverSymlinkToHost(t *testing.T) {
	s := setup(t)
	dirCanary := newCanary(t, true)
	fileCanary := newCanary(t, false)
	image := "sbl-volume-symlinks:test"
	s.importImage(t, image, func(root string) {
		require.NoError(t, os.Symlink(dirCanary.path, filepath.Join(root, "data")))
		require.NoError(t, os.Symlink(fileCanary.path, filepath.Join(root, "etc", "myconf")))
	})
	vol := s.mkTempDir(t, "vol-")
	require.NoError(t, os.Chown(vol, 1000, 1000)) // a user's: host root's would be read-only (nobody's)
	require.NoError(t, os.WriteFile(filepath.Join(vol, "v"), []byte("volume\n"), 0o644))
	conf := filepath.Join(s.mkTempDir(t, "conf-"), "conf")
	require.NoError(t, os.WriteFile(conf, []byte("conf\n"), 0o644))

	name := s.container(t, "")
	s.mustDocker(t, runArgs("-d", "--name", name, "-v", vol+":/data", "-v", conf+":/etc/myconf:ro", image, "sleep", "1000")...)
	require.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"))
	dirCanary.requireIntact(t, "while the container runs")
	fileCanary.requireIntact(t, "while the container runs")

	out := s.mustDocker(t, "exec", name, "sh", "-c", "cat /data/v /etc/myconf; echo new > /data/w")
	assert.Equal(t, "volume\nconf", out, "the volumes are visible through the image's symlinks")
	r := s.docker(t, "exec", name, "sh", "-c", "echo pwned > /etc/myconf")
	assert.NotZero(t, r.Code, "the ro file volume refuses writes: %s", r)
	assert.FileExists(t, filepath.Join(vol, "w"), "the write through /data reached the volume")
	dirCanary.requireIntact(t, "after writes through the symlinks")
	fileCanary.requireIntact(t, "after writes through the symlinks")

	// the mounts sit at the symlink targets inside the container, as with runc
	mounts := s.containerMounts(t, name)
	_, ok := findMount(mounts, dirCanary.path)
	assert.True(t, ok, "the volume is mounted at %s inside the container", dirCanary.path)
	_, ok = findMount(mounts, fileCanary.path)
	assert.True(t, ok, "the file volume is mounted at %s inside the container", fileCanary.path)

	s.removeContainer(t, name)
	dirCanary.requireIntact(t, "after the container is removed")
	fileCanary.requireIntact(t, "after the container is removed")
}
