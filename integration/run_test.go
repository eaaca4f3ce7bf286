//go:build linux

package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunUserNamespace: `docker run` gives the container root a range of
// the pool, and the image's files show their image owners inside (the root
// is idmapped, not chowned).
func TestRunUserNamespace(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	out := s.mustDocker(t, append(runArgs("--rm", "--name", name, testImage),
		"sh", "-c", "cat /proc/self/uid_map; echo ---; cat /proc/self/gid_map; echo ---; id -u; id -g; stat -c %u:%g /bin/busybox /home/tester /root")...)
	parts := strings.Split(out, "---")
	require.Len(t, parts, 3, "output: %s", out)
	uids := requirePoolRange(t, "uid_map", parts[0])
	gids := requirePoolRange(t, "gid_map", parts[1])
	assert.Equal(t, uids.Outside, gids.Outside, "uid and gid ranges come from the same slot")
	assert.Equal(t, []string{"0", "0", "0:0", "1000:1000", "0:0"}, strings.Fields(parts[2]),
		"id -u, id -g and the owners of /bin/busybox, /home/tester, /root inside")
}

// TestRunExitCode: the container's exit status reaches the docker client.
func TestRunExitCode(t *testing.T) {
	s := setup(t)
	for _, tc := range []struct {
		script string
		want   int
	}{
		{"exit 7", 7},
		{"exit 0", 0},
		{"false", 1},
	} {
		name := s.container(t, strconv.Itoa(tc.want))
		r := s.docker(t, append(runArgs("--rm", "--name", name, testImage), "sh", "-c", tc.script)...)
		assert.Equal(t, tc.want, r.Code, "sh -c %q: %s", tc.script, r)
	}
	// a command that does not exist fails in the engine: docker reports
	// 127 (runc: at start) or 125 (crun looks the command up in create:
	// "executable file `/no/such/command` not found in $PATH"), and
	// sysbox-lite must undo its half-done create (the health check
	// verifies that)
	want := 127
	if s.engine.name() == "crun" {
		want = 125
	}
	r := s.docker(t, append(runArgs("--rm", "--name", s.container(t, "127"), testImage), "/no/such/command")...)
	assert.Equal(t, want, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "/no/such/command", "the engine's error reaches the client")
}

// TestRunOptions: the usual process options of `docker run` reach the
// container unchanged through sysbox-lite.
func TestRunOptions(t *testing.T) {
	s := setup(t)
	for _, tc := range []struct {
		name string
		opts []string
		cmd  []string
		want string
	}{
		{"user", []string{"-u", "1000"}, []string{"id", "-u"}, "1000"},
		{"user-group", []string{"-u", "1000:1000"}, []string{"sh", "-c", "id -u; id -g; touch /tmp/f; stat -c %u:%g /tmp/f"}, "1000\n1000\n1000:1000"},
		{"workdir", []string{"-w", "/tmp"}, []string{"pwd"}, "/tmp"},
		{"env", []string{"-e", "FOO=bar"}, []string{"sh", "-c", "echo $FOO"}, "bar"},
		{"hostname", []string{"--hostname", "h1"}, []string{"sh", "-c", "hostname; cat /etc/hostname"}, "h1\nh1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := runArgs(append([]string{"--rm", "--name", s.container(t, "")}, tc.opts...)...)
			out := s.mustDocker(t, append(append(args, testImage), tc.cmd...)...)
			assert.Equal(t, tc.want, out)
		})
	}
}

// TestRunReadOnlyRoot: --read-only makes the root read-only while a
// --tmpfs mount in it stays writable.
func TestRunReadOnlyRoot(t *testing.T) {
	s := setup(t)
	r := s.docker(t, append(runArgs("--rm", "--name", s.container(t, ""), "--read-only", "--tmpfs", "/tmp", testImage),
		"sh", "-c", "touch /x; echo touch-root=$?; touch /tmp/y && echo tmp-ok; awk '$5 == \"/\" {print $6}' /proc/self/mountinfo")...)
	require.Zero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "Read-only file system", "touch / must fail with EROFS")
	assert.Contains(t, r.Stdout, "touch-root=1")
	assert.Contains(t, r.Stdout, "tmp-ok", "the --tmpfs /tmp must be writable")
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	assert.True(t, hasOption(lines[len(lines)-1], "ro"), "the root mount must carry ro: %q", lines[len(lines)-1])
}

// TestRunTTY: docker run -t gives the process a pseudo-terminal, with and
// without an interactive stdin.
func TestRunTTY(t *testing.T) {
	s := setup(t)
	t.Run("t", func(t *testing.T) {
		r := s.docker(t, append(runArgs("--rm", "-t", "--name", s.container(t, ""), testImage),
			"sh", "-c", "tty; test -t 0 && test -t 1 && echo stdio-is-a-tty")...)
		require.Zero(t, r.Code, "%s", r)
		assert.Contains(t, r.Stdout, "/dev/pts/0\r\n", "tty output goes through a terminal (CRLF)")
		assert.Contains(t, r.Stdout, "stdio-is-a-tty")
	})
	t.Run("it-under-script", func(t *testing.T) {
		// script(1) gives the docker client a terminal of its own, as an
		// interactive shell would.
		inner := strings.Join(append(runArgs("--rm", "-it", "--name", s.container(t, ""), testImage),
			"sh", "-c", "'tty; echo interactive-ok'"), " ")
		r := s.run(t, "script", "-q", "-e", "-c", "docker "+inner, "/dev/null")
		require.Zero(t, r.Code, "%s", r)
		assert.Contains(t, r.Stdout, "/dev/pts/0")
		assert.Contains(t, r.Stdout, "interactive-ok")
	})
}

// TestRunVolumes: a rw volume of a user's directory gets files owned on the
// host as plain runc would create them for uid 1000, and by the
// directory's owner (not host root, as under runc) for the container's
// root (see shareddirs_test.go); a ro volume refuses writes.
func TestRunVolumes(t *testing.T) {
	s := setup(t)
	dir := s.mkTempDir(t, "vol-")
	require.NoError(t, os.Chown(dir, 1000, 1000))
	write := func(runtime, suffix string, user ...string) result {
		args := []string{"run", "--runtime=" + runtime, "--network", "none", "--rm", "--name", s.container(t, runtime+suffix), "-v", dir + ":/data"}
		args = append(append(args, user...), testImage, "sh", "-c",
			"echo hi > /data/f-"+runtime+suffix+" && mkdir /data/d-"+runtime+suffix)
		return s.docker(t, args...)
	}
	for _, rt := range []string{"sysbox-lite", "runc"} {
		r := write(rt, "")
		require.Zero(t, r.Code, "%s", r)
		r = write(rt, "-u1000", "-u", "1000:1000")
		require.Zero(t, r.Code, "%s", r)
	}
	for _, kind := range []string{"f-", "d-"} {
		sbl := filepath.Join(dir, kind+"sysbox-lite-u1000")
		ref := filepath.Join(dir, kind+"runc-u1000")
		su, sg := fileOwner(t, sbl)
		ru, rg := fileOwner(t, ref)
		assert.Equal(t, [2]uint32{ru, rg}, [2]uint32{su, sg}, "%s: host owner differs from runc's %s", sbl, ref)
		sst, err := os.Stat(sbl)
		require.NoError(t, err)
		rst, err := os.Stat(ref)
		require.NoError(t, err)
		assert.Equal(t, rst.Mode(), sst.Mode(), "%s: mode differs from runc's", sbl)
	}
	u, g := fileOwner(t, filepath.Join(dir, "f-sysbox-lite"))
	assert.Equal(t, [2]uint32{1000, 1000}, [2]uint32{u, g}, "a file created by the container root is owned by the directory's owner")
	u, g = fileOwner(t, filepath.Join(dir, "f-runc"))
	assert.Equal(t, [2]uint32{0, 0}, [2]uint32{u, g}, "control: under runc the container's root makes host root's files")
	u, g = fileOwner(t, filepath.Join(dir, "f-sysbox-lite-u1000"))
	assert.Equal(t, [2]uint32{1000, 1000}, [2]uint32{u, g}, "a file created by uid 1000 is owned by host uid 1000")
	data, err := os.ReadFile(filepath.Join(dir, "f-sysbox-lite"))
	require.NoError(t, err)
	assert.Equal(t, "hi\n", string(data))

	t.Run("ro", func(t *testing.T) {
		r := s.docker(t, append(runArgs("--rm", "--name", s.container(t, ""), "-v", dir+":/data:ro", testImage),
			"sh", "-c", "cat /data/f-sysbox-lite && echo x > /data/new")...)
		assert.NotZero(t, r.Code, "writing to a ro volume must fail: %s", r)
		assert.Equal(t, "hi", strings.TrimSpace(r.Stdout), "the ro volume is readable")
		assert.Contains(t, r.Stderr, "Read-only file system")
		assert.NoFileExists(t, filepath.Join(dir, "new"))
	})
}

// TestRunTmpfsShmNamedVolume: --tmpfs options, --shm-size and a named
// volume arrive as asked, owned by the container root and writable.
func TestRunTmpfsShmNamedVolume(t *testing.T) {
	s := setup(t)
	vol := "sbl-" + strings.ToLower(t.Name())
	t.Cleanup(func() { s.docker(t, "volume", "rm", "-f", vol) })
	s.mustDocker(t, "volume", "create", vol)
	out := s.mustDocker(t, append(runArgs("--rm", "--name", s.container(t, ""),
		"--tmpfs", "/run:rw,size=1m,mode=1770", "--shm-size", "16m", "-v", vol+":/vol", testImage),
		"sh", "-c", "stat -c '%a %u:%g' /run; df -k /run /dev/shm | awk 'NR>1 {print $2}'; "+
			"echo r > /run/f && echo s > /dev/shm/f && echo v > /vol/f && cat /run/f /dev/shm/f /vol/f")...)
	assert.Equal(t, []string{"1770", "0:0", "1024", "16384", "r", "s", "v"}, strings.Fields(out),
		"mode and owner of /run, sizes of /run and /dev/shm (KiB), reads after writes")
	mp := s.mustDocker(t, "volume", "inspect", "-f", "{{.Mountpoint}}", vol)
	u, g := fileOwner(t, filepath.Join(mp, "f"))
	assert.Equal(t, [2]uint32{0, 0}, [2]uint32{u, g}, "host owner of a file in the named volume")
}
