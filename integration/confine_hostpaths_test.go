//go:build linux

package integration

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostPathCase is a bind mount source that must be refused.
type hostPathCase struct {
	label  string
	source string // what -v names
	shown  string // how the message names it ("" = source)
	asked  string // the audit line's asked ("" = "bind mount of " + source)
	why    string // the message after "is refused: "
}

// TestConfineHostPaths: bind mounts of sensitive host paths (system
// directories, the engines' sockets and state, sysbox-lite's own state and
// audit log), also through a symlink, are refused at create, even for
// --privileged, with the reason shown by docker run and one audit line.
// Only paths that exist are tried: docker itself would create a missing -v
// source on the host.
func TestConfineHostPaths(t *testing.T) {
	s := setup(t)
	links := s.mkTempDir(t, "links-")
	link := filepath.Join(links, "etc")
	require.NoError(t, os.Symlink("/etc", link))

	cases := []hostPathCase{
		{label: "etc", source: "/etc", why: "it is a host system directory"},
		{label: "root", source: "/", why: "it contains "},
		{label: "proc", source: "/proc", why: "it is a host system directory"},
		{label: "dev", source: "/dev", why: "it is a host system directory"},
		{label: "var-log", source: "/var/log", why: "it is the host's logs"},
		{label: "run-docker", source: "/run/docker", why: "it is the container engine's state"},
		{label: "run-containerd", source: "/run/containerd", why: "it is the container engine's state"},
		{label: "var-lib-docker", source: "/var/lib/docker", why: "it is the container engine's state"},
		{label: "state-dir", source: s.stateDir, why: "it is sysbox-lite's own state"},
		{label: "id-pool", source: s.idFile, why: "it is sysbox-lite's own state"},
		{label: "audit-log", source: s.auditLog(), why: "it is sysbox-lite's audit log"},
		{label: "symlink-to-etc", source: link, shown: link + " (which is /etc)", asked: "bind mount of " + link + " (/etc)",
			why: "it is a host system directory"},
	}
	// the engine's socket at its usual place: made for the test (a listening
	// socket, removed afterwards) when the host has none
	sock := "/run/docker.sock"
	if _, err := os.Lstat(sock); errors.Is(err, os.ErrNotExist) {
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Logf("cannot make %s for the test: %v", sock, err)
		} else {
			t.Cleanup(func() { l.Close() }) // closing removes the socket file
		}
	}
	if resolved, err := filepath.EvalSymlinks("/var/run"); err == nil && resolved == "/run" {
		cases = append(cases, hostPathCase{label: "var-run-docker-sock", source: "/var/run/docker.sock",
			shown: "/var/run/docker.sock (which is /run/docker.sock)", asked: "bind mount of /var/run/docker.sock (/run/docker.sock)",
			why: "it is the container engine's socket"})
	} else {
		cases = append(cases, hostPathCase{label: "run-docker-sock", source: sock, why: "it is the container engine's socket"})
	}

	for _, c := range cases {
		t.Run(c.label, func(t *testing.T) {
			if _, err := os.Lstat(c.source); err != nil {
				t.Skipf("%s does not exist on this host (docker would create it)", c.source)
			}
			name := s.container(t, "")
			stderr, id := s.runRefused(t, name, "--runtime=sysbox-lite", "--network", "none", "--privileged",
				"-v", c.source+":/mnt/host", testImage, "true")
			t.Logf("docker run -v %s:/mnt/host: %s", c.source, strings.TrimSpace(stderr))
			shown, asked := c.shown, c.asked
			if shown == "" {
				shown = c.source
			}
			if asked == "" {
				asked = "bind mount of " + c.source
			}
			assert.Contains(t, stderr, "OCI runtime create failed: sysbox-lite: bind mount of "+shown+" is refused: "+c.why)
			assert.Contains(t, stderr, "allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts", "the message says how to allow it")
			s.requireAuditRefusal(t, id, "hostpaths", asked, stderr)
		})
	}

	// what is not sensitive keeps working: a volume, docker's /etc/hosts & co.
	t.Run("ordinary-volume", func(t *testing.T) {
		vol := s.mkTempDir(t, "vol-")
		require.NoError(t, os.WriteFile(filepath.Join(vol, "f"), []byte("volume\n"), 0o644))
		name := s.container(t, "")
		out := s.mustDocker(t, append(runArgs("--name", name, "--privileged", "-v", vol+":/v"), testImage,
			"sh", "-c", "cat /v/f && grep -c localhost /etc/hosts && cat /etc/hostname")...)
		lines := strings.Split(out, "\n")
		require.Len(t, lines, 3, "output %q", out)
		assert.Equal(t, "volume", lines[0], "the volume is mounted")
		assert.NotEqual(t, "0", lines[1], "docker's /etc/hosts is mounted")
		assert.Equal(t, s.inspect(t, name, "{{.Config.Hostname}}"), lines[2], "docker's /etc/hostname is mounted")
	})
}

// TestConfineHostPathsControlRunc is the control: plain runc bind-mounts the
// host's /etc and the container reads the host's files.
func TestConfineHostPathsControlRunc(t *testing.T) {
	s := setup(t)
	hostname, err := os.ReadFile("/etc/hostname")
	if err != nil {
		t.Skipf("the host has no /etc/hostname: %v", err)
	}
	name := s.container(t, "")
	s.startControl(t, name, []string{"--runtime=runc", "--network", "none", "-v", "/etc:/mnt/host-etc:ro"}, "sleep", "1000")
	got := s.mustDocker(t, "exec", name, "cat", "/mnt/host-etc/hostname")
	assert.Equal(t, strings.TrimSpace(string(hostname)), got, "runc: the host's /etc/hostname reads through -v /etc")
}

// TestConfineHostPathsPrivateEngine: the private dockerd of this suite keeps
// its socket and data root under its own directory, not at the usual paths
// sysbox-lite knows. Its socket gives whoever can connect the whole host
// (`docker run --runtime=runc --privileged -v /:/host`), and its data root
// holds every container's and image's files, so neither may be bind-mounted
// into a container.
func TestConfineHostPathsPrivateEngine(t *testing.T) {
	s := setup(t)
	for _, c := range []struct{ label, source string }{
		{"docker-sock", filepath.Join(s.daemonDir, "docker.sock")},
		{"containerd-sock", s.ctrSock},
		{"data-root", filepath.Join(s.daemonDir, "docker")},
	} {
		t.Run(c.label, func(t *testing.T) {
			if _, err := os.Lstat(c.source); err != nil {
				t.Skipf("%s does not exist", c.source)
			}
			name := s.container(t, "")
			r := s.docker(t, append(runArgs("-d", "--name", name, "--privileged", "-v", c.source+":/mnt/engine"), testImage, "sleep", "1000")...)
			if r.Code != 0 {
				assert.Contains(t, r.Stderr, "OCI runtime create failed: sysbox-lite: bind mount of "+c.source+" is refused", "%s", r)
				return
			}
			evidence := ""
			if c.label == "docker-sock" {
				got, data := s.probeLines(t, name, "http-get", "/mnt/engine", "/version")
				evidence = "; inside, GET /version on it: " + got + " " + strings.Join(data, " ")
			}
			t.Errorf("bind mount of the engine's %s (%s) was NOT refused: the --privileged container started with it at /mnt/engine%s",
				c.label, c.source, evidence)
		})
	}
}
