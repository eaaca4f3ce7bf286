//go:build linux

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// commandTimeout bounds every docker/ctr command: a hung command fails its
// test instead of the whole run.
const commandTimeout = 2 * time.Minute

// setup is the first call of every test: it skips the test when the suite
// cannot run here, and registers the health check, which thus runs after
// every other cleanup of the test (in particular after its containers are
// removed).
func setup(t *testing.T) *suite {
	t.Helper()
	if env == nil {
		if skipReason == "" {
			skipReason = "the suite was not set up"
		}
		t.Skip("integration: " + skipReason)
	}
	t.Cleanup(func() { env.healthCheck(t) })
	return env
}

// result is the outcome of one command.
type result struct {
	Args   []string
	Stdout string
	Stderr string
	Code   int // exit code; -1 when the command did not run or timed out
	Err    error
}

func (r result) String() string {
	return fmt.Sprintf("%s: exit %d (%v)\nstdout: %s\nstderr: %s", strings.Join(r.Args, " "), r.Code, r.Err, r.Stdout, r.Stderr)
}

// run runs a command with the private daemons' environment.
func (s *suite) run(t *testing.T, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+s.dockerHost, "DOCKER_CONFIG="+s.dockerCfg)
	return runCommand(ctx, cmd, append([]string{name}, args...))
}

// runCommand runs cmd (made with ctx) and collects its outputs and exit
// code; shown is how the result names the command.
func runCommand(ctx context.Context, cmd *exec.Cmd, shown []string) result {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{Args: shown, Stdout: stdout.String(), Stderr: stderr.String(), Code: -1, Err: err}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Err = fmt.Errorf("timed out after %s: %w", commandTimeout, err)
	case err == nil:
		r.Code = 0
	case errors.As(err, &exitErr):
		r.Code = exitErr.ExitCode()
	}
	return r
}

// docker runs the docker client against the private dockerd.
func (s *suite) docker(t *testing.T, args ...string) result {
	t.Helper()
	return s.run(t, "docker", args...)
}

// mustDocker runs docker, requires success and returns the trimmed stdout.
func (s *suite) mustDocker(t *testing.T, args ...string) string {
	t.Helper()
	r := s.docker(t, args...)
	require.Zero(t, r.Code, "%s", r)
	return strings.TrimSpace(r.Stdout)
}

// ctr runs ctr against the private containerd.
func (s *suite) ctr(t *testing.T, args ...string) result {
	t.Helper()
	return s.run(t, "ctr", append([]string{"-a", s.ctrSock}, args...)...)
}

// runArgs is the start of every `docker run` of the suite.
func runArgs(opts ...string) []string {
	return append([]string{"run", "--runtime=sysbox-lite", "--network", "none"}, opts...)
}

var nameUnsafe = regexp.MustCompile(`[^a-z0-9_.-]+`)

// container returns a container name unique to the test and makes sure the
// container is gone (docker rm -f) before the health check.
func (s *suite) container(t *testing.T, suffix string) string {
	t.Helper()
	name := "sbl-" + strings.Trim(nameUnsafe.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if suffix != "" {
		name += "-" + suffix
	}
	t.Cleanup(func() { s.removeContainer(t, name) })
	return name
}

// removeContainer force-removes a container (and its anonymous volumes);
// one that does not exist is fine.
func (s *suite) removeContainer(t *testing.T, name string) {
	t.Helper()
	r := s.docker(t, "rm", "-f", "-v", name)
	if r.Code != 0 && !strings.Contains(r.Stderr, "No such container") {
		t.Errorf("remove container %s: %s", name, r)
	}
}

// startDetached runs `docker run -d` of the test image with sysbox-lite,
// the given options and command, and requires it to be running.
func (s *suite) startDetached(t *testing.T, name string, opts []string, cmd ...string) {
	t.Helper()
	args := runArgs(append([]string{"-d", "--name", name}, opts...)...)
	args = append(append(args, testImage), cmd...)
	s.mustDocker(t, args...)
	require.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"), "container %s", name)
}

// inspect returns a docker inspect field of a container.
func (s *suite) inspect(t *testing.T, name, format string) string {
	t.Helper()
	return s.mustDocker(t, "inspect", "-f", format, name)
}

// initPID returns the host PID of a running container's init.
func (s *suite) initPID(t *testing.T, name string) int {
	t.Helper()
	pid, err := strconv.Atoi(s.inspect(t, name, "{{.State.Pid}}"))
	require.NoError(t, err)
	require.Positive(t, pid, "container %s has no init process", name)
	return pid
}

// ---- ID maps ----

// idMap is one line of /proc/PID/uid_map or gid_map.
type idMap struct{ Inside, Outside, Size uint64 }

func parseIDMap(text string) ([]idMap, error) {
	var maps []idMap
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("id map line %q: want 3 fields", line)
		}
		var v [3]uint64
		for i := range f {
			n, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("id map line %q: %w", line, err)
			}
			v[i] = n
		}
		maps = append(maps, idMap{v[0], v[1], v[2]})
	}
	return maps, nil
}

// requirePoolRange checks that an ID map (as text) is exactly one range of
// the pool: "0 <base> 65536", base a multiple of 65536 inside the pool. It
// returns the range.
func requirePoolRange(t *testing.T, what, text string) idMap {
	t.Helper()
	maps, err := parseIDMap(text)
	require.NoError(t, err, "%s: %q", what, text)
	require.Len(t, maps, 1, "%s: want a single mapping line, got %q", what, text)
	m := maps[0]
	require.Equal(t, uint64(0), m.Inside, "%s: %q", what, text)
	require.Equal(t, uint64(rangeSize), m.Size, "%s: %q", what, text)
	require.GreaterOrEqual(t, m.Outside, uint64(poolStart), "%s: base below the pool: %q", what, text)
	require.LessOrEqual(t, m.Outside+m.Size, uint64(poolStart+poolSize), "%s: range past the pool: %q", what, text)
	require.Zero(t, m.Outside%rangeSize, "%s: base not a multiple of %d: %q", what, rangeSize, text)
	return m
}

// hostIDMaps reads a process's uid_map and gid_map on the host.
func hostIDMaps(t *testing.T, pid int) (uidMap, gidMap string) {
	t.Helper()
	u, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid))
	require.NoError(t, err)
	g, err := os.ReadFile(fmt.Sprintf("/proc/%d/gid_map", pid))
	require.NoError(t, err)
	return string(u), string(g)
}

// ---- mountinfo ----

// mountEntry is one line of a mountinfo file.
type mountEntry struct {
	MountPoint string
	Root       string
	Options    string // per-mount options
	FSType     string
	Source     string
	Super      string // superblock options
}

func readMounts() ([]mountEntry, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return parseMountInfo(string(data))
}

func parseMountInfo(text string) ([]mountEntry, error) {
	var out []mountEntry
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 6 || len(g) < 2 {
			return nil, fmt.Errorf("mountinfo line %q: malformed", line)
		}
		e := mountEntry{Root: unescapeMount(f[3]), MountPoint: unescapeMount(f[4]), Options: f[5], FSType: g[0], Source: unescapeMount(g[1])}
		if len(g) > 2 {
			e.Super = g[2]
		}
		out = append(out, e)
	}
	return out, nil
}

// unescapeMount undoes mountinfo's \ooo escapes (space, tab, newline, \).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// findMount returns the last (topmost) entry mounted at mp.
func findMount(mounts []mountEntry, mp string) (mountEntry, bool) {
	for i := len(mounts) - 1; i >= 0; i-- {
		if mounts[i].MountPoint == mp {
			return mounts[i], true
		}
	}
	return mountEntry{}, false
}

func hasOption(options, opt string) bool {
	for _, o := range strings.Split(options, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// isUnder reports whether p is dir or below it.
func isUnder(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// containerMounts reads /proc/self/mountinfo inside a running container.
func (s *suite) containerMounts(t *testing.T, name string) []mountEntry {
	t.Helper()
	mounts, err := parseMountInfo(s.mustDocker(t, "exec", name, "cat", "/proc/self/mountinfo"))
	require.NoError(t, err)
	return mounts
}

// ---- allocator ----

// allocEntry is one entry of sysbox-lite's allocator file.
type allocEntry struct {
	Key   string `json:"key"`
	Slot  uint32 `json:"slot"`
	Range struct {
		UID  uint64 `json:"uid"`
		GID  uint64 `json:"gid"`
		Size uint64 `json:"size"`
	} `json:"range"`
	Owner struct {
		EngineRoot string `json:"engineRoot"`
		ID         string `json:"id"`
	} `json:"owner"`
}

// allocEntries reads the allocator file; none yet means no entries.
func (s *suite) allocEntries(t *testing.T) []allocEntry {
	t.Helper()
	entries, err := s.readAllocEntries()
	require.NoError(t, err)
	return entries
}

func (s *suite) readAllocEntries() ([]allocEntry, error) {
	data, err := os.ReadFile(s.idFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st struct {
		Version int          `json:"version"`
		Entries []allocEntry `json:"entries"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("parse %s: %w (content %q)", s.idFile, err, data)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("%s: version %d, want 1", s.idFile, st.Version)
	}
	return st.Entries, nil
}

// stateDirs lists the per-container directories in the state dir, and the
// supervisors' listener sockets left in its "sock" directory.
func (s *suite) stateDirs() ([]string, error) {
	entries, err := os.ReadDir(s.stateDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "sock" {
			dirs = append(dirs, e.Name())
		}
	}
	socks, err := os.ReadDir(filepath.Join(s.stateDir, "sock"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range socks {
		dirs = append(dirs, filepath.Join("sock", e.Name()))
	}
	return dirs, nil
}

// requireNoContainerState checks, while the daemons keep running, that
// sysbox-lite holds nothing for any container: no state directory, no
// allocated range. (Used between lifecycle steps; the health check does it
// at the end of every test.)
func (s *suite) requireNoContainerState(t *testing.T, when string) {
	t.Helper()
	dirs, err := s.stateDirs()
	require.NoError(t, err)
	require.Empty(t, dirs, "%s: container state directories left in %s", when, s.stateDir)
	require.Empty(t, s.allocEntries(t), "%s: ranges still allocated in %s", when, s.idFile)
}

// ---- health check ----

// healthProblems returns everything that is wrong once no container of the
// suite exists.
func (s *suite) healthProblems() []string {
	var problems []string
	dirs, err := s.stateDirs()
	if err != nil {
		problems = append(problems, "list state dir: "+err.Error())
	}
	if len(dirs) > 0 {
		problems = append(problems, fmt.Sprintf("directories left in the state dir %s: %v", s.stateDir, dirs))
	}

	mounts, err := readMounts()
	if err != nil {
		problems = append(problems, "read mountinfo: "+err.Error())
	}
	overlays := filepath.Join(s.daemonDir, "docker", "overlay2")
	for _, m := range mounts {
		switch {
		case isUnder(m.MountPoint, s.stateDir) && m.MountPoint != s.stateDir:
			problems = append(problems, fmt.Sprintf("mount left under the state dir: %s (%s from %s)", m.MountPoint, m.FSType, m.Source))
		case isUnder(m.MountPoint, overlays) && filepath.Base(m.MountPoint) == "merged":
			problems = append(problems, fmt.Sprintf("container root left mounted: %s (%s %s)", m.MountPoint, m.FSType, m.Super))
		case isUnder(m.MountPoint, s.tmp) && m.MountPoint != s.stateDir && !s.baselineMounts[m.MountPoint]:
			problems = append(problems, fmt.Sprintf("mount left under the test directory: %s (%s from %s)", m.MountPoint, m.FSType, m.Source))
		}
	}

	entries, err := s.readAllocEntries()
	if err != nil {
		problems = append(problems, "read allocator: "+err.Error())
	}
	for _, e := range entries {
		problems = append(problems, fmt.Sprintf("range still allocated: key %s, uid %d gid %d size %d, owner %s in %s",
			e.Key, e.Range.UID, e.Range.GID, e.Range.Size, e.Owner.ID, e.Owner.EngineRoot))
	}

	for _, p := range s.poolProcesses() {
		problems = append(problems, "process still alive in the pool: "+p)
	}
	for _, p := range s.supervisorProcesses() {
		problems = append(problems, "supervisor process still alive: "+p)
	}
	return problems
}

// supervisorProcesses lists the keepers and workers (sysbox-lite supervise
// and supervise-worker) of the suite's binary that run.
func (s *suite) supervisorProcesses() []string {
	procs, _ := os.ReadDir("/proc")
	var out []string
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if _, state, ok := procStat(pid); !ok || state == "Z" {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil || strings.TrimSuffix(exe, " (deleted)") != s.bin {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 1 && strings.HasPrefix(args[1], "supervise") {
			out = append(out, fmt.Sprintf("%d %s", pid, strings.Join(args, " ")))
		}
	}
	return out
}

// healthCheck asserts that the test left nothing behind. Cleanup is allowed
// a few seconds to settle (the engine reaps asynchronously); if it needed
// them, the test log says so.
func (s *suite) healthCheck(t *testing.T) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	problems := s.healthProblems()
	for len(problems) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		problems = s.healthProblems()
	}
	if len(problems) == 0 && time.Since(start) > 300*time.Millisecond {
		t.Logf("health check: clean after %s", time.Since(start).Round(10*time.Millisecond))
	}
	assert.Empty(t, problems, "health check: what the test left behind")
}

// poolProcesses describes every live process of this suite (a descendant
// of its daemons or of this test process) whose user namespace maps host
// UIDs of the pool. Processes of other daemons on the machine (other
// engineers' private daemons may use the same pool) are not counted.
func (s *suite) poolProcesses() []string {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return []string{"read /proc: " + err.Error()}
	}
	ppids := map[int]int{}
	var inPool []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		ppid, state, ok := procStat(pid)
		if !ok || state == "Z" {
			continue
		}
		ppids[pid] = ppid
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid))
		if err != nil {
			continue
		}
		maps, err := parseIDMap(string(data))
		if err != nil {
			continue
		}
		for _, m := range maps {
			// a mapping that starts in the pool (the initial namespace's
			// identity map "0 0 4294967295" spans it but is not one)
			if m.Outside >= poolStart && m.Outside < poolStart+poolSize {
				inPool = append(inPool, pid)
				break
			}
		}
	}
	roots := map[int]bool{os.Getpid(): true}
	for _, pid := range s.daemonPIDs {
		roots[pid] = true
	}
	var out []string
	for _, pid := range inPool {
		for p, hops := pid, 0; p > 1 && hops < 1000; p, hops = ppids[p], hops+1 {
			if roots[p] {
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				uidMap, _ := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid))
				out = append(out, fmt.Sprintf("pid %d (%s), uid_map %s",
					pid, strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "), strings.Join(strings.Fields(string(uidMap)), " ")))
				break
			}
		}
	}
	return out
}

// procStat returns the parent PID and state of a process.
func procStat(pid int) (ppid int, state string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0], err == nil
}

// ---- files ----

// mkTempDir makes a directory under the suite's temp dir (the test's own
// t.TempDir would live in /tmp too, but under a 0700 parent that remapped
// roots cannot traverse).
func (s *suite) mkTempDir(t *testing.T, pattern string) string {
	t.Helper()
	dir, err := os.MkdirTemp(s.tmp, pattern)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// fileOwner returns the host uid and gid of a path (not following symlinks).
func fileOwner(t *testing.T, path string) (uid, gid uint32) {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Lstat(path, &st), "lstat %s", path)
	return st.Uid, st.Gid
}

// ---- confinement tests ----

// runcAllCaps is the control setup of the confinement tests: plain runc, no
// user namespace, every capability docker knows except CAP_SYS_RESOURCE
// (this machine's bounding set lacks it, so --privileged and a bare
// --cap-add ALL fail under runc), no seccomp filter, no AppArmor profile.
var runcAllCaps = []string{"--runtime=runc", "--network", "none", "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
	"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined"}

// startControl runs `docker run -d` of the test image with opts (which
// choose the runtime) and cmd. When the container does not start, the test
// is skipped: the control is not possible on this machine.
func (s *suite) startControl(t *testing.T, name string, opts []string, cmd ...string) {
	t.Helper()
	args := append(append([]string{"run", "-d", "--name", name}, opts...), testImage)
	r := s.docker(t, append(args, cmd...)...)
	if r.Code != 0 {
		t.Logf("the control container does not start on this machine: %s", r)
		t.Skip("control not possible here (see log)")
	}
	require.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"), "control container %s", name)
}

// probeLines runs the probe in a running container and returns its status
// line ("OK" or "ERR <errno>") and the lines it printed after it.
func (s *suite) probeLines(t *testing.T, name string, args ...string) (status string, data []string) {
	t.Helper()
	r := s.docker(t, append([]string{"exec", name, "probe"}, args...)...)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	require.Regexp(t, probeOutput, lines[0], "probe %v did not run: %s", args, r)
	require.Equal(t, lines[0] == "OK", r.Code == 0, "probe exit code vs. output: %s", r)
	return lines[0], lines[1:]
}

// runRefused runs `docker run --name name ARGS...` (ARGS: options, image and
// command), requires the start to fail as a refused create does (docker's
// exit 125), and returns docker's stderr and the ID of the container docker
// created (the ID the runtime, and so the audit log, knows it by).
func (s *suite) runRefused(t *testing.T, name string, args ...string) (stderr, id string) {
	t.Helper()
	r := s.docker(t, append([]string{"run", "--name", name}, args...)...)
	require.Equal(t, 125, r.Code, "docker run must fail to start the container: %s", r)
	return r.Stderr, s.inspect(t, name, "{{.Id}}")
}

// auditEvent is one line of sysbox-lite's audit log.
type auditEvent struct {
	Time      time.Time `json:"time"`
	Container string    `json:"container"`
	Asked     string    `json:"asked"`
	Rule      string    `json:"rule"`
	Verdict   string    `json:"verdict"`
	Reason    string    `json:"reason"`
}

// auditEvents returns the audit log's events about one container (every
// line must parse; no log yet means none).
func (s *suite) auditEvents(t *testing.T, containerID string) []auditEvent {
	t.Helper()
	data, err := os.ReadFile(s.auditLog())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var out []auditEvent
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		var e auditEvent
		require.NoError(t, json.Unmarshal([]byte(line), &e), "audit log line %q", line)
		if e.Container == containerID {
			out = append(out, e)
		}
	}
	return out
}

// requireAuditRefusal requires exactly one audit event for the container:
// the refusal by rule of asked, whose reason is what docker showed after
// "OCI runtime create failed: sysbox-lite: ". It returns the event.
func (s *suite) requireAuditRefusal(t *testing.T, id, rule, asked, stderr string) auditEvent {
	t.Helper()
	events := s.auditEvents(t, id)
	require.Len(t, events, 1, "audit events of container %s: %+v", id, events)
	e := events[0]
	assert.Equal(t, rule, e.Rule, "audit rule: %+v", e)
	assert.Equal(t, "refused", e.Verdict, "audit verdict: %+v", e)
	assert.Equal(t, asked, e.Asked, "audit asked: %+v", e)
	assert.NotEmpty(t, e.Reason, "audit reason: %+v", e)
	assert.Contains(t, stderr, "OCI runtime create failed: sysbox-lite: "+e.Reason,
		"the user sees the audited reason: %+v", e)
	assert.WithinDuration(t, time.Now(), e.Time, 5*time.Minute, "audit time: %+v", e)
	return e
}

// bundleSpec reads the config.json that sysbox-lite handed to the engine
// for a container: its private bundle is the container's state directory.
func (s *suite) bundleSpec(t *testing.T, id string) specs.Spec {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(s.stateDir, id+".*", "config.json"))
	require.NoError(t, err)
	require.Len(t, found, 1, "the private bundle of container %s", id)
	p := found[0]
	data, err := os.ReadFile(p)
	require.NoError(t, err, "the bundle of container %s", id)
	var spec specs.Spec
	require.NoError(t, json.Unmarshal(data, &spec), "%s", p)
	return spec
}

// acceptDaemonNetns adds dockerd's bind of the host's network namespace
// (<exec-root>/netns/default, made the first time a container asks for
// --network=host, and kept as long as dockerd runs) to the mounts the
// health check expects, once it exists: it is the daemon's, not a leftover
// of a container.
func (s *suite) acceptDaemonNetns(t *testing.T) {
	t.Helper()
	mp := filepath.Join(s.daemonDir, "exec", "netns", "default")
	mounts, err := readMounts()
	require.NoError(t, err)
	if _, ok := findMount(mounts, mp); ok {
		s.baselineMounts[mp] = true
	}
}
