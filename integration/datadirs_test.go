//go:build linux

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dataDirOnHost is where sysbox-lite keeps a docker container's data
// directory for container path p: in the container's own layer directory
// (the parent of its upper dir), which dockerd removes with the container.
func (s *suite) dataDirOnHost(t *testing.T, name, p string) (layer, dir string) {
	t.Helper()
	layer = filepath.Dir(s.inspect(t, name, "{{.GraphDriver.Data.UpperDir}}"))
	return layer, filepath.Join(layer, "sysbox-lite", "data", p)
}

// TestDataDirs: /var/lib/docker and /var/lib/containerd are host-backed
// directories of their own (idmapped binds on the layer's filesystem, not
// the overlay root), owned by the container's root as it sees them, kept
// across docker restart and stop/start, and removed with the container.
func TestDataDirs(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged"}, "sleep", "1000")
	pid := s.initPID(t, name)
	uidMap, _ := hostIDMaps(t, pid)
	r := requirePoolRange(t, "uid_map", uidMap)

	mounts := s.containerMounts(t, name)
	for _, p := range []string{"/var/lib/docker", "/var/lib/containerd"} {
		assert.Equal(t, "0 0", s.mustDocker(t, "exec", name, "stat", "-c", "%u %g", p), "%s belongs to the container's root", p)
		m, ok := findMount(mounts, p)
		if assert.True(t, ok, "%s is a mount of its own", p) {
			assert.NotEqual(t, "overlay", m.FSType, "%s is not on the overlay root", p)
			assert.True(t, hasOption(m.Options, "idmapped"), "%s is idmapped: %+v", p, m)
		}
		_, dir := s.dataDirOnHost(t, name, p)
		uid, gid := fileOwner(t, dir)
		assert.Equal(t, [2]uint32{0, 0}, [2]uint32{uid, gid}, "on disk %s holds the container's IDs as it sees them", dir)
		uid, gid = fileOwner(t, fmt.Sprintf("/proc/%d/root%s", pid, p))
		assert.Equal(t, [2]uint32{uint32(r.Outside), uint32(r.Outside)}, [2]uint32{uid, gid}, "through the mount, the host sees the range's root")
	}
	s.mustDocker(t, "exec", name, "sh", "-c", "echo kept >/var/lib/docker/f && mkdir /var/lib/docker/d && chown 1000:1000 /var/lib/docker/d")
	layer, dir := s.dataDirOnHost(t, name, "/var/lib/docker")
	uid, gid := fileOwner(t, filepath.Join(dir, "d"))
	assert.Equal(t, [2]uint32{1000, 1000}, [2]uint32{uid, gid}, "a file of the container's uid 1000 is 1000 on disk")

	s.mustDocker(t, "restart", "-t", "1", name)
	assert.Equal(t, "kept", s.mustDocker(t, "exec", name, "cat", "/var/lib/docker/f"), "kept across docker restart")
	s.mustDocker(t, "stop", "-t", "1", name)
	_, err := os.Stat(filepath.Join(dir, "f"))
	assert.NoError(t, err, "kept while the container is stopped")
	s.mustDocker(t, "start", name)
	assert.Equal(t, "kept", s.mustDocker(t, "exec", name, "cat", "/var/lib/docker/f"), "kept across docker stop/start")
	assert.Equal(t, "1000 1000", s.mustDocker(t, "exec", name, "stat", "-c", "%u %g", "/var/lib/docker/d"))

	s.removeContainer(t, name)
	_, err = os.Stat(layer)
	assert.True(t, os.IsNotExist(err), "docker rm removed the layer directory and the data directories in it: %v", err)
}

// TestDataDirsFromImage: what the image has at /var/lib/docker is copied in
// at the first create, owners, modes and symlinks kept; a device node of
// the image is not (it would be a host device).
func TestDataDirsFromImage(t *testing.T) {
	s := setup(t)
	src := s.container(t, "src")
	image := "sbl-datadir:" + fmt.Sprint(os.Getpid())
	s.mustDocker(t, "run", "--name", src, "--runtime=runc", "--network", "none", testImage, "sh", "-c",
		"mkdir -p /var/lib/docker/sub && echo pre >/var/lib/docker/sub/f && chown -R 1000:1000 /var/lib/docker/sub && "+
			"chmod 750 /var/lib/docker/sub && ln -s sub/f /var/lib/docker/link && mknod /var/lib/docker/kmsg c 1 11")
	s.mustDocker(t, "commit", src, image)
	t.Cleanup(func() { s.docker(t, "rmi", "-f", image) })

	name := s.container(t, "")
	s.mustDocker(t, runArgs("-d", "--name", name, "--privileged", image, "sleep", "1000")...)
	assert.Equal(t, "pre", s.mustDocker(t, "exec", name, "cat", "/var/lib/docker/link"), "content and symlink copied")
	assert.Equal(t, "1000 1000 750", s.mustDocker(t, "exec", name, "stat", "-c", "%u %g %a", "/var/lib/docker/sub"))
	assert.Equal(t, "1000 1000", s.mustDocker(t, "exec", name, "stat", "-c", "%u %g", "/var/lib/docker/sub/f"))
	assert.NotZero(t, s.docker(t, "exec", name, "test", "-e", "/var/lib/docker/kmsg").Code, "the image's device node is not copied")
	m, ok := findMount(s.containerMounts(t, name), "/var/lib/docker")
	if assert.True(t, ok) {
		assert.True(t, hasOption(m.Options, "idmapped"))
	}
}

// TestDataDirsVolumeWins: a volume at /var/lib/docker stays the user's; the
// other data directory is still made.
func TestDataDirsVolumeWins(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged", "-v", "/var/lib/docker"}, "sleep", "1000")
	volume := s.inspect(t, name, `{{range .Mounts}}{{if eq .Destination "/var/lib/docker"}}{{.Source}}{{end}}{{end}}`)
	require.NotEmpty(t, volume)
	s.mustDocker(t, "exec", name, "sh", "-c", "echo v >/var/lib/docker/in-volume")
	data, err := os.ReadFile(filepath.Join(volume, "in-volume"))
	require.NoError(t, err)
	assert.Equal(t, "v\n", string(data), "the write went to the volume")
	_, dir := s.dataDirOnHost(t, name, "/var/lib/docker")
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err), "no data directory for a path the user mounts: %v", err)
	_, dir = s.dataDirOnHost(t, name, "/var/lib/containerd")
	_, err = os.Stat(dir)
	assert.NoError(t, err, "the other path still gets one")
}

// dataDirsCtrRun runs `ctr run -d` of the test image as id, with
// sysbox-lite as the runc binary (through wrapper); cleanup removes it.
func (s *suite) dataDirsCtrRun(t *testing.T, wrapper, id string) {
	t.Helper()
	ref := "docker.io/library/" + testImage
	tarball := filepath.Join(s.mkTempDir(t, "ctr-"), "image.tar")
	s.mustDocker(t, "save", "-o", tarball, testImage)
	r := s.ctr(t, "images", "import", tarball)
	require.Zero(t, r.Code, "%s", r)
	t.Cleanup(func() { s.ctr(t, "images", "rm", ref) })
	t.Cleanup(func() {
		s.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
		s.ctr(t, "tasks", "rm", "-f", id)
		s.ctr(t, "containers", "rm", id)
	})
	r = s.ctr(t, "run", "-d", "--net-host=false", "--runc-binary", wrapper,
		"--runc-root", filepath.Join(s.daemonDir, "ctr-runc"), "--fifo-dir", filepath.Join(s.daemonDir, "fifo"),
		ref, id, "sleep", "1000")
	require.Zero(t, r.Code, "%s", r)
}

// TestDataDirsOff: with [data_dirs] paths = [] no data directory is made.
func TestDataDirsOff(t *testing.T) {
	s := setup(t)
	base, err := os.ReadFile(s.configPath)
	require.NoError(t, err)
	dir := s.mkTempDir(t, "datadirs-off-")
	cfg := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(cfg, append(base, []byte("\n[data_dirs]\npaths = []\n")...), 0o644))
	wrapper := filepath.Join(dir, "sysbox-lite-ctr")
	require.NoError(t, os.WriteFile(wrapper, []byte(fmt.Sprintf("#!/bin/sh\nexec %s --sysbox-config %s \"$@\"\n", shellQuote(s.bin), shellQuote(cfg))), 0o755))
	id := "sbl-datadirs-off"
	s.dataDirsCtrRun(t, wrapper, id)
	r := s.ctr(t, "tasks", "exec", "--exec-id", "e1", id, "cat", "/proc/self/mountinfo")
	require.Zero(t, r.Code, "%s", r)
	assert.NotContains(t, r.Stdout, " /var/lib/docker ", "no data directory mounted")
	assert.NotContains(t, r.Stdout, " /var/lib/containerd ", "no data directory mounted")
	found, err := filepath.Glob(filepath.Join(s.stateDir, id+".*", "sysbox-lite"))
	require.NoError(t, err)
	assert.Empty(t, found, "nothing made in the state directory")
}

// TestDataDirsCtr: under containerd's overlayfs snapshotter (ctr, no
// dockerd) the data directories live in the container's state directory
// and are gone once the container is deleted.
func TestDataDirsCtr(t *testing.T) {
	s := setup(t)
	id := "sbl-datadirs-ctr"
	s.dataDirsCtrRun(t, s.wrapper, id)
	r := s.ctr(t, "tasks", "exec", "--exec-id", "e1", id, "sh", "-c", "stat -c %u:%g /var/lib/docker && echo x >/var/lib/docker/f && grep ' /var/lib/docker ' /proc/self/mountinfo")
	require.Zero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stdout, "0:0\n", "owned by the container's root")
	assert.Contains(t, r.Stdout, "idmapped", "an idmapped mount of its own: %s", r.Stdout)
	assert.NotContains(t, r.Stdout, " overlay ", "not on the overlay root: %s", r.Stdout)
	found, err := filepath.Glob(filepath.Join(s.stateDir, id+".*", "sysbox-lite", "data", "var", "lib", "docker", "f"))
	require.NoError(t, err)
	assert.Len(t, found, 1, "the data directory is in the container's state directory")

	s.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
	r = s.ctr(t, "tasks", "rm", "-f", id)
	require.Zero(t, r.Code, "%s", r)
	r = s.ctr(t, "containers", "rm", id)
	require.Zero(t, r.Code, "%s", r)
	found, err = filepath.Glob(filepath.Join(s.stateDir, id+".*"))
	require.NoError(t, err)
	assert.Empty(t, found, "deleted with the container")
}
