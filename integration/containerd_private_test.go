//go:build linux

package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A containerd of one test's own (1.6 from Debian, or the pinned 2.x that
// hack/containerd2.sh builds): own root, state and sockets under a
// directory of the suite, a config made by sysbox-lite-install, stopped by
// PID (hack/private-daemon.sh stop). Its shims find
// containerd-shim-sysbox-lite-v2 and sysbox-lite in one directory, laid
// out as `make install` does, through containerd's PATH, and sysbox-lite
// finds the suite's config through SYSBOX_LITE_CONFIG in containerd's
// environment: no per-runtime option is needed.

// containerdKind says which containerd to start and how its config looks.
type containerdKind struct {
	name          string // for test names and logs
	configVersion int    // the base config's `version`
	criPlugin     string // the plugin that holds CRI runtimes in that version
	criPluginsLs  []string
}

var (
	containerd16 = containerdKind{
		name: "containerd-16", configVersion: 2, criPlugin: "io.containerd.grpc.v1.cri",
		criPluginsLs: []string{"io.containerd.grpc.v1 cri"},
	}
	containerd2 = containerdKind{
		name: "containerd-2", configVersion: 3, criPlugin: "io.containerd.cri.v1.runtime",
		criPluginsLs: []string{"io.containerd.cri.v1 runtime", "io.containerd.grpc.v1 cri"},
	}
)

// buildOnce memoises the slow builds of the package (the shim, containerd
// 2.x, the installer, the exported image) for every test of the run.
type buildOnce struct {
	once  sync.Once
	value string
	err   error
}

func (b *buildOnce) get(t *testing.T, what string, build func() (string, error)) string {
	t.Helper()
	b.once.Do(func() {
		start := time.Now()
		b.value, b.err = build()
		t.Logf("%s: %s (%s)", what, b.value, time.Since(start).Round(100*time.Millisecond))
	})
	require.NoError(t, b.err, "%s", what)
	return b.value
}

var (
	sblBinDir       buildOnce // sysbox-lite + containerd-shim-sysbox-lite-v2 + sysbox-lite-install
	containerd2Bin  buildOnce // hack/containerd2.sh's bin dir
	ctrImageTarball buildOnce // `docker save` of the test image
)

// sblBin is the directory `make install` would fill: sysbox-lite (a hard
// link to the suite's build), containerd-shim-sysbox-lite-v2 and
// sysbox-lite-install, built from this tree.
func (s *suite) sblBin(t *testing.T) string {
	return sblBinDir.get(t, "build the shim and the installer", func() (string, error) {
		dir := filepath.Join(s.tmp, "sbl-bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		if err := os.Link(s.bin, filepath.Join(dir, "sysbox-lite")); err != nil {
			return "", err
		}
		builds := []struct{ dir, out, pkg string }{
			{filepath.Join(s.repo, "shim"), "containerd-shim-sysbox-lite-v2", "./cmd/containerd-shim-sysbox-lite-v2"},
			{s.repo, "sysbox-lite-install", "./cmd/sysbox-lite-install"},
		}
		for _, b := range builds {
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b.out), b.pkg)
			cmd.Dir = b.dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				return "", fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
			}
		}
		return dir, nil
	})
}

// containerd2Dir returns the bin dir of the pinned containerd 2.x, building
// it (minutes, once per machine) when the cache does not have it.
func (s *suite) containerd2Dir(t *testing.T) string {
	return containerd2Bin.get(t, "hack/containerd2.sh", func() (string, error) {
		cmd := exec.Command(filepath.Join(s.repo, "hack", "containerd2.sh"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("hack/containerd2.sh: %w\n%s", err, stderr.Bytes())
		}
		return strings.TrimSpace(string(out)), nil
	})
}

// imageTarball is the test image as `docker save` writes it, for ctr import.
func (s *suite) imageTarball(t *testing.T) string {
	return ctrImageTarball.get(t, "docker save "+testImage, func() (string, error) {
		path := filepath.Join(s.tmp, "ctr-image.tar")
		r := s.docker(t, "save", "-o", path, testImage)
		if r.Code != 0 {
			return "", fmt.Errorf("%s", r)
		}
		return path, nil
	})
}

// privateContainerd is a running containerd of one test.
type privateContainerd struct {
	kind    containerdKind
	dir     string
	config  string
	sock    string
	ctrBin  string
	daemon  string // the containerd binary
	sblBin  string // sysbox-lite's directory (BinaryName's)
	pid     int    // tini's (containerd's reaper), in dir/containerd.pid
	imgRef  string // the imported test image
	install string // what sysbox-lite-install said
	shim    bool   // the installer registered containerd-shim-sysbox-lite-v2
	env     []string
	exited  chan struct{} // closed when the running daemon (tini) exited
}

// launch starts containerd (under `tini -s`, in a session of its own,
// its PID in dir/containerd.pid for hack/private-daemon.sh stop) and waits
// until it answers.
func (p *privateContainerd) launch(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(p.dir, "containerd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(t, err)
	defer logf.Close()
	cmd := exec.Command("tini", "-s", "--", p.daemon, "--config", p.config)
	cmd.Dir = p.dir
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	require.NoError(t, cmd.Start())
	p.pid = cmd.Process.Pid
	exited := make(chan struct{})
	p.exited = exited
	go func() {
		cmd.Wait() //nolint:errcheck // reaped only; stop goes by the pid file
		close(exited)
	}()
	require.NoError(t, os.WriteFile(filepath.Join(p.dir, "containerd.pid"), []byte(strconv.Itoa(p.pid)+"\n"), 0o644))

	deadline := time.Now().Add(30 * time.Second)
	for {
		if r := p.ctr(t, "version"); r.Code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer within 30s; log:\n%s", p.kind.name, p.log(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// restart stops containerd alone (SIGTERM; its shims and containers keep
// running) and starts it again with the same config and environment.
func (p *privateContainerd) restart(t *testing.T) {
	t.Helper()
	require.NoError(t, syscall.Kill(p.pid, syscall.SIGTERM))
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s (pid %d) did not exit within 20s of SIGTERM", p.kind.name, p.pid)
	}
	p.launch(t)
}

// baseContainerdConfig is a private containerd's config before
// sysbox-lite-install adds its block: all paths under dir, the CRI plugin
// enabled (so that it parses the runtimes) with CNI config from an empty
// directory (no pod networking is set up: ctr does not use CRI).
func baseContainerdConfig(kind containerdKind, dir string) string {
	q := strconv.Quote
	cni := fmt.Sprintf("[plugins.%q.cni]\n  conf_dir = %s\n  bin_dir = %s\n", kind.criPlugin, q(filepath.Join(dir, "cni")), q(filepath.Join(dir, "cni-bin")))
	return fmt.Sprintf(`# a private containerd of sysbox-lite's integration tests
version = %d
root = %s
state = %s

[grpc]
  address = %s
[ttrpc]
  address = %s
[debug]
  address = %s
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = %s

%s`, kind.configVersion, q(filepath.Join(dir, "containerd", "root")), q(filepath.Join(dir, "containerd", "state")),
		q(filepath.Join(dir, "containerd.sock")), q(filepath.Join(dir, "containerd.sock.ttrpc")), q(filepath.Join(dir, "containerd-debug.sock")),
		q(filepath.Join(dir, "containerd", "opt")), cni)
}

// startContainerd writes the base config, lets sysbox-lite-install add the
// runtime to it (with --containerd-shim sysbox-lite when shim), starts
// containerd with it and imports the test image. The test's cleanup stops
// it (after the test's own cleanups).
func (s *suite) startContainerd(t *testing.T, kind containerdKind, shim bool) *privateContainerd {
	t.Helper()
	sblBin := s.sblBin(t)
	tarball := s.imageTarball(t)
	p := &privateContainerd{kind: kind, sblBin: sblBin, daemon: "containerd", ctrBin: "ctr", imgRef: "docker.io/library/" + testImage, shim: shim}
	path := os.Getenv("PATH")
	if kind.configVersion >= 3 {
		c2 := s.containerd2Dir(t)
		p.daemon, p.ctrBin = filepath.Join(c2, "containerd"), filepath.Join(c2, "ctr")
		// 2.x's own runc shim first
		path = c2 + ":" + path
	}
	p.dir = s.mkTempDir(t, "cd-")
	p.config = filepath.Join(p.dir, "containerd.toml")
	p.sock = filepath.Join(p.dir, "containerd.sock")
	for _, d := range []string{"containerd", "cni", "cni-bin", "installer"} {
		require.NoError(t, os.MkdirAll(filepath.Join(p.dir, d), 0o711))
	}
	require.NoError(t, os.WriteFile(p.config, []byte(baseContainerdConfig(kind, p.dir)), 0o644))

	// The installer, as `make install` runs it, with every host path but
	// containerd's config pointed into the test's directory.
	inst := filepath.Join(p.dir, "installer")
	shimFlag := "runc"
	if shim {
		shimFlag = "sysbox-lite"
	}
	r := s.run(t, filepath.Join(sblBin, "sysbox-lite-install"), "install",
		"--bin-dir", sblBin, "--containerd-shim", shimFlag,
		"--subuid", filepath.Join(inst, "subuid"), "--subgid", filepath.Join(inst, "subgid"),
		"--docker-config", filepath.Join(inst, "daemon.json"),
		"--containerd-config", p.config,
		"--sysbox-config-dir", filepath.Join(inst, "etc"),
		"--dockerd-pidfile", filepath.Join(inst, "dockerd.pid"))
	require.Zero(t, r.Code, "sysbox-lite-install: %s", r)
	p.install = r.Stdout

	p.env = append(os.Environ(), "PATH="+sblBin+":"+path, "SYSBOX_LITE_CONFIG="+s.configPath)
	t.Cleanup(func() {
		if out, err := s.hack("private-daemon.sh", "stop", p.dir); err != nil {
			t.Errorf("stop %s: %v\n%s", kind.name, err, out)
		}
		// runc's state directory of the namespace (ctr runs with our shim
		// and no options use runc's default root, in a namespace of ours)
		os.Remove(filepath.Join("/run/containerd/runc", p.namespace()))
	})
	p.launch(t)
	r = p.ctr(t, "images", "import", tarball)
	require.Zero(t, r.Code, "%s", r)
	return p
}

// namespace is the containerd namespace the test's ctr commands use: its
// own, so that runc's default root (/run/containerd/runc/<namespace>) is
// never one of the host's containerd.
func (p *privateContainerd) namespace() string {
	return "sbl-it-" + filepath.Base(p.dir)
}

// ctr runs this containerd's ctr against it.
func (p *privateContainerd) ctr(t *testing.T, args ...string) result {
	t.Helper()
	return env.run(t, p.ctrBin, append([]string{"-a", p.sock, "-n", p.namespace()}, args...)...)
}

// log returns containerd's log so far.
func (p *privateContainerd) log(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join(p.dir, "containerd.log"))
	require.NoError(t, err)
	return string(data)
}
