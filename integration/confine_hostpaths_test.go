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
//
// The suite's config names the daemon directory in [policy]
// sensitive_mounts, but the sockets and the data root must be refused
// without it: by what they are (a unix socket owned by host root) and by
// what the spec says (docker's own binds name its data root, its network
// hook its exec root). Each case checks the reason given, so a case passes
// only through the rule it is about; the sensitive_mounts rule itself is
// checked on what only it protects (the daemons' config files).
func TestConfineHostPathsPrivateEngine(t *testing.T) {
	s := setup(t)
	dataRoot := filepath.Join(s.daemonDir, "docker")
	const socketWhy = "it is a unix socket owned by host root (an engine or system service socket; allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"
	const policyHint = " (allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"
	for _, c := range []struct{ label, source, why string }{
		{"docker-sock", filepath.Join(s.daemonDir, "docker.sock"), socketWhy},
		{"containerd-sock", s.ctrSock, socketWhy},
		{"containerd-ttrpc-sock", s.ctrSock + ".ttrpc", socketWhy},
		{"data-root", dataRoot, "it is docker's data root, where this container's own files are" + policyHint},
		{"image-store", filepath.Join(dataRoot, "image"), "it is inside " + dataRoot + ", docker's data root, where this container's own files are" + policyHint},
		{"exec-root", filepath.Join(s.daemonDir, "exec"), "it is docker's exec root, named by this container's network hook" + policyHint},
		{"daemon-dir", s.daemonDir, "it is a path listed in [policy] sensitive_mounts" + policyHint},
		{"containerd-config", filepath.Join(s.daemonDir, "containerd.toml"), "it is inside " + s.daemonDir + ", a path listed in [policy] sensitive_mounts" + policyHint},
	} {
		t.Run(c.label, func(t *testing.T) {
			if _, err := os.Lstat(c.source); err != nil {
				t.Skipf("%s does not exist", c.source)
			}
			name := s.container(t, "")
			r := s.docker(t, append(runArgs("-d", "--name", name, "--privileged", "-v", c.source+":/mnt/engine"), testImage, "sleep", "1000")...)
			if r.Code != 0 {
				t.Logf("docker run -v %s:/mnt/engine: %s", c.source, strings.TrimSpace(r.Stderr))
				assert.Contains(t, r.Stderr, "OCI runtime create failed: sysbox-lite: bind mount of "+c.source+" is refused: "+c.why, "%s", r)
				s.requireAuditRefusal(t, s.inspect(t, name, "{{.Id}}"), "hostpaths", "bind mount of "+c.source, r.Stderr)
				return
			}
			evidence := ""
			if strings.Contains(c.label, "docker-sock") {
				got, data := s.probeLines(t, name, "http-get", "/mnt/engine", "/version")
				evidence = "; inside, GET /version on it: " + got + " " + strings.Join(data, " ")
			}
			t.Errorf("bind mount of the engine's %s (%s) was NOT refused: the --privileged container started with it at /mnt/engine%s",
				c.label, c.source, evidence)
		})
	}

	// A root service's socket anywhere (here: one this test listens on, as
	// root, outside the daemon directory) is refused by what it is, and so
	// is the directory it is in; a socket of another owner is not.
	t.Run("root-socket-elsewhere", func(t *testing.T) {
		dir := s.mkTempDir(t, "svc-")
		sock := filepath.Join(dir, "api.sock")
		l, err := net.Listen("unix", sock)
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		for _, c := range []struct{ source, why string }{
			{sock, socketWhy},
			{dir, "it contains " + sock + ", a unix socket owned by host root (an engine or system service socket; allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"},
		} {
			name := s.container(t, filepath.Base(c.source))
			stderr, id := s.runRefused(t, name, "--runtime=sysbox-lite", "--network", "none", "--privileged",
				"-v", c.source+":/mnt/svc", testImage, "true")
			t.Logf("docker run -v %s:/mnt/svc: %s", c.source, strings.TrimSpace(stderr))
			assert.Contains(t, stderr, "OCI runtime create failed: sysbox-lite: bind mount of "+c.source+" is refused: "+c.why)
			s.requireAuditRefusal(t, id, "hostpaths", "bind mount of "+c.source, stderr)
		}
	})
	// docker's --init bind (read-only at /sbin/docker-init) is known by the
	// name of what it resolves to: a symlink named tini that points at the
	// engine's socket is not an init (a socket on a read-only mount still
	// connects).
	t.Run("init-named-symlink", func(t *testing.T) {
		dir := s.mkTempDir(t, "init-")
		link := filepath.Join(dir, "tini")
		sock := filepath.Join(s.daemonDir, "docker.sock")
		require.NoError(t, os.Symlink(sock, link))
		name := s.container(t, "")
		r := s.docker(t, append(runArgs("-d", "--name", name, "--privileged", "-v", link+":/sbin/docker-init:ro"), testImage, "sleep", "1000")...)
		if r.Code == 0 {
			got, data := s.probeLines(t, name, "http-get", "/sbin/docker-init", "/version")
			t.Fatalf("a symlink named tini to the engine's socket was NOT refused at /sbin/docker-init; inside, GET /version on it: %s %s", got, strings.Join(data, " "))
		}
		t.Logf("docker run -v %s:/sbin/docker-init:ro: %s", link, strings.TrimSpace(r.Stderr))
		assert.Contains(t, r.Stderr, "OCI runtime create failed: sysbox-lite: bind mount of "+link+" (which is "+sock+") is refused: "+socketWhy)
		s.requireAuditRefusal(t, s.inspect(t, name, "{{.Id}}"), "hostpaths", "bind mount of "+link+" ("+sock+")", r.Stderr)
	})
	t.Run("user-socket", func(t *testing.T) {
		dir := s.mkTempDir(t, "user-")
		sock := filepath.Join(dir, "agent.sock")
		l, err := net.Listen("unix", sock)
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		require.NoError(t, os.Lchown(sock, 1000, 1000))
		name := s.container(t, "")
		out := s.mustDocker(t, append(runArgs("--name", name, "--privileged", "-v", dir+":/mnt/user"), testImage,
			"sh", "-c", "test -S /mnt/user/agent.sock && echo socket")...)
		assert.Equal(t, "socket", out, "a socket of another owner than root, and its directory, stay allowed")
	})

	// A volume driver can mount any host directory as a volume (local
	// driver, type=none, o=bind; or an overlay over it): the volume's _data
	// is then a mount, and the directory it shows is checked by name and for
	// root sockets like any other source. Without that, device=/etc gave the
	// container's root the host's /etc/shadow, readable and writable.
	t.Run("bind-volumes", func(t *testing.T) {
		svc := s.mkTempDir(t, "volsvc-")
		l, err := net.Listen("unix", filepath.Join(svc, "api.sock"))
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		ovl := s.mkTempDir(t, "volovl-")
		for _, d := range []string{"upper", "work"} {
			require.NoError(t, os.Mkdir(filepath.Join(ovl, d), 0o755))
		}
		for _, c := range []struct {
			label, device string
			why           func(mp string) string
			opts          []string // instead of type=none,o=bind
		}{
			{"etc", "/etc", func(string) string { return "it is /etc through a mount, a host system directory" + policyHint }, nil},
			{"data-root", dataRoot, func(string) string {
				return "it is " + dataRoot + " through a mount, docker's data root, where this container's own files are" + policyHint
			}, nil},
			{"daemon-dir", s.daemonDir, func(string) string {
				return "it is " + s.daemonDir + " through a mount, a path listed in [policy] sensitive_mounts" + policyHint
			}, nil},
			{"root-socket-dir", svc, func(mp string) string {
				return "it contains " + mp + "/api.sock, a unix socket owned by host root (an engine or system service socket; allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"
			}, nil},
			{"overlay-over-etc", "overlay", func(string) string {
				return "it is an overlay mount over /etc (lowerdir), a host system directory" + policyHint
			}, []string{"type=overlay", "o=lowerdir=/etc,upperdir=" + filepath.Join(ovl, "upper") + ",workdir=" + filepath.Join(ovl, "work")}},
		} {
			t.Run(c.label, func(t *testing.T) {
				vol := "sbl-bindvol-" + c.label
				opts := c.opts
				if opts == nil {
					opts = []string{"type=none", "o=bind"}
				}
				args := []string{"volume", "create", "--driver", "local", "--opt", "device=" + c.device}
				for _, o := range opts {
					args = append(args, "--opt", o)
				}
				s.mustDocker(t, append(args, vol)...)
				t.Cleanup(func() { s.docker(t, "volume", "rm", "-f", vol) })
				mp := s.mustDocker(t, "volume", "inspect", "--format", "{{.Mountpoint}}", vol)
				name := s.container(t, "")
				r := s.docker(t, append(runArgs("--name", name, "--privileged", "-v", vol+":/mnt/v"), testImage,
					"sh", "-c", "ls /mnt/v >/dev/null && test -w /mnt/v && echo STARTED-WITH-A-WRITABLE-HOST-DIRECTORY")...)
				if r.Code == 0 {
					t.Fatalf("docker run -v %s:/mnt/v (device=%s) was NOT refused: %s", vol, c.device, r)
				}
				t.Logf("docker run -v %s:/mnt/v (device=%s): %s", vol, c.device, strings.TrimSpace(r.Stderr))
				require.Equal(t, 125, r.Code, "%s", r)
				assert.Contains(t, r.Stderr, "OCI runtime create failed: sysbox-lite: bind mount of "+mp+" is refused: "+c.why(mp))
				s.requireAuditRefusal(t, s.inspect(t, name, "{{.Id}}"), "hostpaths", "bind mount of "+mp, r.Stderr)
			})
		}
	})
}
