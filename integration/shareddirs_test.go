//go:build linux

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A shared host directory as the issue describes it: owned by uid 1000
// (0755), holding a root-only secret, another user's file and a root-owned
// directory.
const (
	shareOwner = 1000
	otherUser  = 1001
)

func (s *suite) makeShare(t *testing.T) string {
	t.Helper()
	dir := s.mkTempDir(t, "share-")
	require.NoError(t, os.Chown(dir, shareOwner, shareOwner))
	write := func(name, content string, mode os.FileMode, uid int) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), mode))
		require.NoError(t, os.Chmod(p, mode))
		require.NoError(t, os.Chown(p, uid, uid))
	}
	write("root-secret", "secret\n", 0o600, 0)
	write("other-file", "other\n", 0o644, otherUser)
	write("own-file", "own\n", 0o644, shareOwner)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "rootdir"), 0o755))
	return dir
}

// sharedAttack is one thing the container's root tries on the share, and
// how the host tells whether it worked.
type sharedAttack struct {
	name   string
	script string
	// worked inspects the host directory after the attempt.
	worked func(t *testing.T, dir string) bool
}

var sharedAttacks = []sharedAttack{
	{"read a root-only file", "cat /s/root-secret", nil},
	{"plant a setuid binary", "cp /bin/busybox /s/suid && chmod 4755 /s/suid", func(t *testing.T, dir string) bool {
		st, err := os.Stat(filepath.Join(dir, "suid"))
		if err != nil {
			return false
		}
		u, _ := fileOwner(t, filepath.Join(dir, "suid"))
		return u == 0 && st.Mode()&os.ModeSetuid != 0
	}},
	{"create a file owned by host root", "echo x > /s/new", func(t *testing.T, dir string) bool {
		if _, err := os.Stat(filepath.Join(dir, "new")); err != nil {
			return false
		}
		u, g := fileOwner(t, filepath.Join(dir, "new"))
		return u == 0 || g == 0
	}},
	{"give the directory to root", "chown 0:0 /s", func(t *testing.T, dir string) bool {
		u, g := fileOwner(t, dir)
		return u == 0 || g == 0
	}},
	{"write into a root-owned directory", "echo x > /s/rootdir/f", func(t *testing.T, dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "rootdir", "f"))
		return err == nil
	}},
	{"chmod a root file", "chmod 666 /s/root-secret", func(t *testing.T, dir string) bool {
		st, err := os.Stat(filepath.Join(dir, "root-secret"))
		require.NoError(t, err)
		return st.Mode().Perm() != 0o600
	}},
	{"append to another user's file", "echo more >> /s/other-file", func(t *testing.T, dir string) bool {
		data, err := os.ReadFile(filepath.Join(dir, "other-file"))
		require.NoError(t, err)
		return string(data) != "other\n"
	}},
}

// TestSharedDirAttacks: each of the seven attempts on a shared directory
// fails under sysbox-lite (--privileged, root inside) and works under
// plain runc (root with docker's default capabilities: the control).
func TestSharedDirAttacks(t *testing.T) {
	s := setup(t)
	for _, a := range sharedAttacks {
		t.Run(a.name, func(t *testing.T) {
			try := func(runtime string, opts ...string) (result, string) {
				dir := s.makeShare(t)
				args := append([]string{"run", "--rm", "--runtime=" + runtime, "--network", "none", "--name", s.container(t, runtime)}, opts...)
				args = append(args, "-v", dir+":/s", testImage, "sh", "-c", a.script)
				return s.docker(t, args...), dir
			}
			r, dir := try("sysbox-lite", "--privileged")
			if a.worked == nil {
				assert.NotZero(t, r.Code, "sysbox-lite: %s", r)
				assert.NotContains(t, r.Stdout, "secret", "sysbox-lite: the secret was read")
			} else {
				assert.False(t, a.worked(t, dir), "sysbox-lite: the attempt took effect on the host: %s", r)
			}
			ctl, cdir := try("runc")
			if a.worked == nil {
				assert.Zero(t, ctl.Code, "control (runc): %s", ctl)
				assert.Contains(t, ctl.Stdout, "secret", "control (runc) reads the secret")
			} else {
				assert.True(t, a.worked(t, cdir), "control (runc): the attempt takes effect: %s", ctl)
			}
		})
	}
}

// TestSharedDirWorks: what users do with a shared directory still works,
// and on the host it all belongs to the directory's owner.
func TestSharedDirWorks(t *testing.T) {
	s := setup(t)
	dir := s.makeShare(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged", "-v", dir + ":/s"}, "sleep", "1000")
	id := s.inspect(t, name, "{{.Id}}")

	out := s.mustDocker(t, "exec", name, "sh", "-c",
		"mkdir -p /s/build/obj && echo 'int main(){}' > /s/build/a.c && cp /s/build/a.c /s/build/obj/a.o && "+
			"cat /s/build/obj/a.o /s/own-file && echo more >> /s/own-file && rm /s/build/a.c && "+
			"stat -c '%u:%g' /s /s/build/obj/a.o && ls -ln /s/root-secret | awk '{print $3\":\"$4}'")
	assert.Equal(t, "int main(){}\nown\n0:0\n0:0\n65534:65534", strings.TrimSpace(out),
		"inside: the directory and the new files are root's (the owner), another user's files the overflow ID")
	for _, p := range []string{"build", "build/obj", "build/obj/a.o", "own-file"} {
		u, g := fileOwner(t, filepath.Join(dir, p))
		assert.Equal(t, [2]uint32{shareOwner, shareOwner}, [2]uint32{u, g}, "host owner of %s", p)
	}
	assert.NoFileExists(t, filepath.Join(dir, "build", "a.c"), "the container deleted its file")
	data, err := os.ReadFile(filepath.Join(dir, "own-file"))
	require.NoError(t, err)
	assert.Equal(t, "own\nmore\n", string(data))

	t.Run("docker cp out", func(t *testing.T) {
		dst := filepath.Join(s.mkTempDir(t, "cp-"), "back")
		s.mustDocker(t, "cp", name+":/s/own-file", dst)
		back, err := os.ReadFile(dst)
		require.NoError(t, err)
		assert.Equal(t, "own\nmore\n", string(back))
	})

	t.Run("audit", func(t *testing.T) {
		found := false
		for _, e := range s.auditEvents(t, id) {
			if e.Rule == "shared-dirs" && strings.Contains(e.Asked, dir) {
				found = true
				assert.Equal(t, "mapped", e.Verdict)
				assert.Contains(t, e.Reason, "acts as host 1000:1000, the owner of "+dir)
			}
		}
		assert.True(t, found, "one audit line for the shared directory")
	})

	t.Run("u1000", func(t *testing.T) {
		out := s.mustDocker(t, append(runArgs("--rm", "--name", s.container(t, "u1000"), "-u", "1000:1000", "-v", dir+":/s", testImage),
			"sh", "-c", "echo u > /s/by-1000 && id -u && stat -c '%u:%g' /s/by-1000")...)
		assert.Equal(t, "1000\n1000:1000", strings.TrimSpace(out), "uid 1000 inside acts as the owner")
		u, g := fileOwner(t, filepath.Join(dir, "by-1000"))
		assert.Equal(t, [2]uint32{shareOwner, shareOwner}, [2]uint32{u, g})
	})

	t.Run("ro", func(t *testing.T) {
		r := s.docker(t, append(runArgs("--rm", "--name", s.container(t, "ro"), "--privileged", "-v", dir+":/s:ro", testImage),
			"sh", "-c", "cat /s/own-file && echo x > /s/ro-new")...)
		assert.NotZero(t, r.Code, "%s", r)
		assert.Contains(t, r.Stdout, "own")
		assert.Contains(t, r.Stderr, "Read-only file system")
		assert.NoFileExists(t, filepath.Join(dir, "ro-new"))
	})
}

// TestSharedDirRootOwned: a source owned by host root gives the container
// host nobody: it reads what others may read and writes nowhere, not even
// in a world-writable directory (the kernel refuses to write through an
// idmapped mount to an inode whose owner it cannot map); files of nobody's
// are nobody's to change. One audit line says so.
func TestSharedDirRootOwned(t *testing.T) {
	s := setup(t)
	dir := s.mkTempDir(t, "rootsrc-")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readable"), []byte("r\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "tmp"), 0o777))
	require.NoError(t, os.Chmod(filepath.Join(dir, "tmp"), 0o777|os.ModeSticky))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "nobodys"), 0o755))
	require.NoError(t, os.Chown(filepath.Join(dir, "nobodys"), 65534, 65534))
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged", "-v", dir + ":/srv"}, "sleep", "1000")
	id := s.inspect(t, name, "{{.Id}}")
	assert.Equal(t, "r", strings.TrimSpace(s.mustDocker(t, "exec", name, "cat", "/srv/readable")))
	for _, p := range []string{"/srv/new", "/srv/tmp/f"} {
		r := s.docker(t, "exec", name, "sh", "-c", "echo x > "+p)
		assert.NotZero(t, r.Code, "writing %s in a root-owned directory: %s", p, r)
		assert.Contains(t, r.Stderr, "Permission denied")
	}
	assert.NoFileExists(t, filepath.Join(dir, "new"))
	assert.NoFileExists(t, filepath.Join(dir, "tmp", "f"))
	s.mustDocker(t, "exec", name, "sh", "-c", "echo x > /srv/nobodys/f")
	u, g := fileOwner(t, filepath.Join(dir, "nobodys", "f"))
	assert.Equal(t, [2]uint32{65534, 65534}, [2]uint32{u, g}, "a file made in nobody's directory is nobody's")
	found := false
	for _, e := range s.auditEvents(t, id) {
		if e.Rule == "shared-dirs" && strings.Contains(e.Asked, dir) {
			found = true
			assert.Contains(t, e.Reason, "nobody")
			assert.Contains(t, e.Reason, "owned by host root")
		}
	}
	assert.True(t, found, "one audit line says the container is nobody there")
}

// TestSharedDirRootPath: a path of [shared_dirs] root_paths (the suite's
// trusted/ directory) keeps today's mapping: the container's root is host
// root there, as under runc.
func TestSharedDirRootPath(t *testing.T) {
	s := setup(t)
	dir := filepath.Join(s.trustedDir(), "cache")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	out := s.mustDocker(t, append(runArgs("--rm", "--name", s.container(t, ""), "--privileged", "-v", dir+":/cache", testImage),
		"sh", "-c", "echo c > /cache/f && stat -c '%u:%g' /cache/f")...)
	assert.Equal(t, "0:0", strings.TrimSpace(out))
	u, g := fileOwner(t, filepath.Join(dir, "f"))
	assert.Equal(t, [2]uint32{0, 0}, [2]uint32{u, g}, "host root owns what the container's root made on a root path")
}

// trustedDir is the suite's [shared_dirs] root_paths entry.
func (s *suite) trustedDir() string { return filepath.Join(s.tmp, "trusted") }
