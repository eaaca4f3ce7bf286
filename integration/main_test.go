//go:build linux

// Package integration runs sysbox-lite end to end against a private dockerd
// and containerd (hack/private-daemon.sh): one daemon pair, one sysbox-lite
// build and one busybox test image for the whole package. It needs root and
// dockerd, containerd, ctr, docker and runc; without them every test is
// skipped (and the reason printed), so `go test ./...` passes anywhere.
//
// Every container runs with --network none and the daemon with
// --bridge=none --iptables=false. Nothing outside one temporary directory
// under /tmp is touched; a watchdog process stops the daemons and removes
// that directory even if the test binary panics, times out or is killed.
package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	// testImage is the busybox image (hack/load-image.sh) with the probe in
	// /usr/local/bin.
	testImage = "sbl-busybox:test"
	// The ID pool handed to sysbox-lite (subuid/subgid "sysbox-lite:POOL:SIZE").
	poolStart = 1048576
	poolSize  = 268435456
	rangeSize = 65536
)

// env is the suite's shared environment; nil when the suite is skipped.
var env *suite

// skipReason says why the suite does not run (empty when it does).
var skipReason string

// suite is what TestMain set up for every test.
type suite struct {
	repo       string // the module root (hack/ lives there)
	tmp        string // everything of this run lives below
	daemonDir  string // hack/private-daemon.sh DIR
	stateDir   string // sysbox-lite's state_dir
	idFile     string // the allocator's state file
	configPath string // sysbox-lite's --sysbox-config file
	bin        string // the sysbox-lite binary
	wrapper    string // bin with --sysbox-config baked in, for ctr --runc-binary
	dockerHost string
	dockerCfg  string // DOCKER_CONFIG for the docker client (keeps ~/.docker untouched)
	ctrSock    string

	// engine is the OCI runtime sysbox-lite drives (SBL_ENGINE; engine_test.go).
	engine suiteEngine

	// baselineMounts are the mount points under tmp once the daemons were
	// up and the image loaded (dockerd binds its data root, for one).
	baselineMounts map[string]bool
	// daemonPIDs are the tini (containerd's reaper) and dockerd PIDs: every
	// container process of this suite descends from one of them.
	daemonPIDs []int
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if reason := prerequisites(); reason != "" {
		skipReason = reason
		fmt.Fprintf(os.Stderr, "integration: SKIPPING all tests: %s\n", reason)
		return m.Run()
	}
	engine, err := findSuiteEngine(os.Getenv("SBL_ENGINE"))
	if err == nil {
		err = engine.hostProblem()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "integration: FAIL: %v (CI=true: an engine that cannot run is a failure, not a skip)\n", err)
			return 1
		}
		skipReason = err.Error()
		fmt.Fprintf(os.Stderr, "integration: SKIPPING all tests: %s\n", skipReason)
		return m.Run()
	}
	fmt.Fprintf(os.Stderr, "integration: engine %s\n", engine)
	s, watchdog, err := setupSuite(engine)
	if s != nil {
		defer func() {
			if err := s.teardown(watchdog); err != nil {
				fmt.Fprintf(os.Stderr, "integration: teardown: %v\n", err)
			}
		}()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: setup failed: %v\n", err)
		return 1
	}
	env = s
	start := time.Now()
	code := m.Run()
	fmt.Fprintf(os.Stderr, "integration: tests ran for %s\n", time.Since(start).Round(time.Second))
	return code
}

// prerequisites returns why the suite cannot run here, or "".
func prerequisites() string {
	if os.Geteuid() != 0 {
		return "the integration tests need root (they start a private dockerd and containerd)"
	}
	var missing []string
	for _, c := range []string{"dockerd", "containerd", "ctr", "docker", "runc", "go"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return "missing on PATH: " + strings.Join(missing, ", ") + " (run hack/install-deps.sh)"
	}
	return ""
}

// setupSuite builds everything and starts the daemons. It returns the suite
// as soon as there is something to tear down, even with an error.
func setupSuite(engine suiteEngine) (s *suite, watchdog io.WriteCloser, err error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	repo := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(repo, "hack", "private-daemon.sh")); err != nil {
		return nil, nil, fmt.Errorf("find the repository root from %s: %w", wd, err)
	}
	tmp, err := os.MkdirTemp("/tmp", "sbl-it.")
	if err != nil {
		return nil, nil, err
	}
	if err := os.Chmod(tmp, 0o711); err != nil {
		return nil, nil, err
	}
	s = &suite{
		repo:       repo,
		tmp:        tmp,
		daemonDir:  filepath.Join(tmp, "d"),
		stateDir:   filepath.Join(tmp, "state"),
		idFile:     filepath.Join(tmp, "idranges.json"),
		configPath: filepath.Join(tmp, "config.toml"),
		bin:        filepath.Join(tmp, "bin", "sysbox-lite"),
		wrapper:    filepath.Join(tmp, "bin", "sysbox-lite-ctr"),
		dockerCfg:  filepath.Join(tmp, "docker-config"),
		engine:     engine,
	}
	s.dockerHost = "unix://" + filepath.Join(s.daemonDir, "docker.sock")
	s.ctrSock = filepath.Join(s.daemonDir, "containerd.sock")
	fmt.Fprintf(os.Stderr, "integration: working directory %s\n", tmp)

	// The watchdog first: from here on, whatever happens to this process,
	// the daemons get stopped and the directory removed.
	if err := s.writeTeardownScript(); err != nil {
		return s, nil, err
	}
	if watchdog, err = s.startWatchdog(); err != nil {
		return s, nil, err
	}

	for _, d := range []string{filepath.Join(tmp, "bin"), filepath.Join(tmp, "probe"), s.dockerCfg} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return s, watchdog, err
		}
	}
	if err := s.build(); err != nil {
		return s, watchdog, err
	}
	if err := s.writeConfig(); err != nil {
		return s, watchdog, err
	}
	daemonJSON, err := json.Marshal(map[string]any{
		"runtimes": map[string]any{
			"sysbox-lite": map[string]any{
				"path":        s.bin,
				"runtimeArgs": []string{"--sysbox-config", s.configPath},
			},
		},
	})
	if err != nil {
		return s, watchdog, err
	}
	daemonJSONPath := filepath.Join(tmp, "daemon.json")
	if err := os.WriteFile(daemonJSONPath, daemonJSON, 0o644); err != nil {
		return s, watchdog, err
	}
	if out, err := s.hack("private-daemon.sh", "start", s.daemonDir, daemonJSONPath); err != nil {
		return s, watchdog, fmt.Errorf("start the private daemons: %w\n%s", err, out)
	}
	if out, err := s.hack("load-image.sh", testImage, filepath.Join(tmp, "probe")); err != nil {
		return s, watchdog, fmt.Errorf("load %s: %w\n%s", testImage, err, out)
	}
	for _, f := range []string{"containerd.pid", "dockerd.pid"} {
		pid, err := readPIDFile(filepath.Join(s.daemonDir, f))
		if err != nil {
			return s, watchdog, err
		}
		s.daemonPIDs = append(s.daemonPIDs, pid)
	}
	mounts, err := readMounts()
	if err != nil {
		return s, watchdog, err
	}
	s.baselineMounts = map[string]bool{}
	for _, m := range mounts {
		if isUnder(m.MountPoint, tmp) && m.MountPoint != s.stateDir {
			s.baselineMounts[m.MountPoint] = true
		}
	}
	return s, watchdog, nil
}

// build compiles sysbox-lite and the probe (static) into the temp dir.
func (s *suite) build() error {
	goenv := append(os.Environ(), "GOFLAGS=-mod=mod")
	builds := []struct {
		out, pkg string
		env      []string
	}{
		{s.bin, "./cmd/sysbox-lite", goenv},
		{filepath.Join(s.tmp, "probe", "probe"), "./integration/probe", append(goenv, "CGO_ENABLED=0")},
	}
	for _, b := range builds {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Dir = s.repo
		cmd.Env = b.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
		}
	}
	return nil
}

// auditLog is where sysbox-lite writes its refusals during the suite.
func (s *suite) auditLog() string { return filepath.Join(s.tmp, "audit.log") }

// writeConfig writes the sysbox-lite config, the subordinate ID files and
// the wrapper that ctr uses as its runc binary.
func (s *suite) writeConfig() error {
	subid := fmt.Sprintf("sysbox-lite:%d:%d\n", poolStart, poolSize)
	files := []struct {
		path, content string
		mode          os.FileMode
	}{
		{filepath.Join(s.tmp, "subuid"), subid, 0o644},
		{filepath.Join(s.tmp, "subgid"), subid, 0o644},
		// sensitive_mounts: the private daemons' directory (sockets, state,
		// config files) is protected by name too; TestConfineHostPathsPrivateEngine
		// checks that its sockets and data root are refused without it.
		{s.configPath, fmt.Sprintf("%sstate_dir = %q\n\n[idpool]\nfile = %q\nsubuid_file = %q\nsubgid_file = %q\n\n[policy]\naudit_log = %q\nsensitive_mounts = [%q]\n\n[shared_dirs]\nroot_paths = [%q]\n",
			s.engine.configLine(), s.stateDir, s.idFile, filepath.Join(s.tmp, "subuid"), filepath.Join(s.tmp, "subgid"), s.auditLog(), s.daemonDir, s.trustedDir()), 0o644},
		{s.wrapper, fmt.Sprintf("#!/bin/sh\nexec %s --sysbox-config %s \"$@\"\n", shellQuote(s.bin), shellQuote(s.configPath)), 0o755},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, []byte(f.content), f.mode); err != nil {
			return err
		}
	}
	return nil
}

// hack runs a script of hack/ with DOCKER_HOST pointing at the private
// daemon and returns its combined output.
func (s *suite) hack(script string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.repo, "hack", script), args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+s.dockerHost, "DOCKER_CONFIG="+s.dockerCfg)
	return cmd.CombinedOutput()
}

// teardownScript is run by TestMain at the end and by the watchdog when
// this process dies first. It is idempotent: stop the daemons (by the PIDs
// they recorded), unmount whatever is left under the directory (the state
// dir's bind onto itself last, as it is the shallowest), remove it, and
// remove itself. When a mount cannot be removed, it keeps both for a rerun.
const teardownScript = `#!/bin/bash
# generated by sysbox-lite's integration tests
set -u
TMP=%s
DAEMON_DIR=%s
HACK=%s
rc=0
if [[ -d $DAEMON_DIR ]]; then
	"$HACK/private-daemon.sh" stop "$DAEMON_DIR" || rc=1
fi
# the CRI tests' containerds (cri_helpers_test.go)
for d in "$TMP"/cri-*/; do
	[[ -f $d/containerd.toml ]] || continue
	"$HACK/cri-containerd.sh" stop "$d" || rc=1
done
mounts_under() {
	awk -v t="$TMP" '$5 == t || index($5, t "/") == 1 {print $5}' /proc/self/mountinfo |
		awk '{print length($0) "\t" $0}' | sort -rn | cut -f2- | uniq
}
for pass in 1 2 3; do
	mps=$(mounts_under)
	[[ -n $mps ]] || break
	while IFS= read -r mp; do
		umount -- "$mp" 2>/dev/null || umount -l -- "$mp" || true
	done <<<"$mps"
done
left=$(mounts_under)
if [[ -n $left ]]; then
	echo "teardown: still mounted, keeping $TMP:" >&2
	echo "$left" >&2
	exit 1
fi
rm -rf --one-file-system -- "$TMP"
rm -f -- "$0"
exit $rc
`

func (s *suite) teardownPath() string { return s.tmp + ".teardown.sh" }

func (s *suite) writeTeardownScript() error {
	content := fmt.Sprintf(teardownScript, shellQuote(s.tmp), shellQuote(s.daemonDir), shellQuote(filepath.Join(s.repo, "hack")))
	return os.WriteFile(s.teardownPath(), []byte(content), 0o700)
}

// startWatchdog starts, in a session of its own (a ^C to the test does not
// reach it), a shell that waits on a pipe from this process: "done" means
// TestMain has torn down; EOF without it means this process died, and the
// shell runs the teardown script, logging to <tmp>.teardown.log.
func (s *suite) startWatchdog() (io.WriteCloser, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	script := `read -r line; [ "$line" = done ] && exit 0; exec >>"$1" 2>&1; echo "watchdog: the test process died, tearing down"; exec "$0"`
	cmd := exec.Command("/bin/sh", "-c", script, s.teardownPath(), s.tmp+".teardown.log")
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start the teardown watchdog: %w", err)
	}
	go cmd.Wait() //nolint:errcheck // reaped only; the watchdog reports by itself
	return w, nil
}

// teardown stops the daemons and removes the directory, then releases the
// watchdog.
func (s *suite) teardown(watchdog io.WriteCloser) error {
	cmd := exec.Command(s.teardownPath())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	os.Stderr.Write(out.Bytes())
	if watchdog != nil {
		io.WriteString(watchdog, "done\n") //nolint:errcheck // best effort: it would only tear down again
		watchdog.Close()
	}
	if err != nil {
		return fmt.Errorf("%s (kept for a rerun): %w", s.teardownPath(), err)
	}
	if _, serr := os.Stat(s.tmp); !errors.Is(serr, os.ErrNotExist) {
		return fmt.Errorf("%s is still there", s.tmp)
	}
	return nil
}

func readPIDFile(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	return pid, nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
