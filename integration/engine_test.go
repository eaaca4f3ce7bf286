//go:build linux

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// suiteEngine is the OCI runtime sysbox-lite drives during the suite:
// $SBL_ENGINE, a path or a name in PATH (hack/runc.sh's pinned runc, crun),
// or sysbox-lite's default (runc) when it is unset. The control containers
// (--runtime=runc) always run Debian's runc: they are the reference.
type suiteEngine struct {
	asked   string // SBL_ENGINE as given; "" for the default
	path    string // what it resolves to
	version string // the first line of `ENGINE --version`
}

// findSuiteEngine resolves SBL_ENGINE (asked). A relative path is made
// absolute (sysbox-lite runs in other directories); a name stays a name,
// as a host's config would give it, and sysbox-lite resolves it.
func findSuiteEngine(asked string) (suiteEngine, error) {
	e := suiteEngine{asked: asked}
	name := asked
	if name == "" {
		name = "runc"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if asked == "" {
			return e, fmt.Errorf("the default engine runc is not on PATH: %w", err)
		}
		return e, fmt.Errorf("SBL_ENGINE=%s: %w (a path or a name in PATH: e.g. SBL_ENGINE=$(hack/runc.sh) or SBL_ENGINE=crun)", asked, err)
	}
	if e.path, err = filepath.Abs(p); err != nil {
		return e, err
	}
	if strings.Contains(asked, "/") {
		e.asked = e.path
	}
	out, err := exec.Command(e.path, "--version").Output()
	if err != nil {
		return e, fmt.Errorf("SBL_ENGINE=%s: %s --version: %w", asked, e.path, err)
	}
	e.version, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	return e, nil
}

// hostProblem says why the engine cannot run containers on this host at
// all (nil when it can): crun refuses every container on a cgroup v1
// hybrid host whose unified hierarchy holds a controller (systemd's
// hybrid layout holds none; this test VM leaves hugetlb there). Run the
// suite under hack/hybrid-v1.sh then.
func (e suiteEngine) hostProblem() error {
	if e.name() != "crun" {
		return nil
	}
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup/unified", &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil
	}
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return nil
	}
	ctrls, err := os.ReadFile("/sys/fs/cgroup/unified/cgroup.controllers")
	if err != nil || len(strings.TrimSpace(string(ctrls))) == 0 {
		return nil
	}
	return fmt.Errorf("SBL_ENGINE=%s: crun refuses every container on a cgroup v1 hybrid host whose unified hierarchy holds a controller (here: %s); run the suite under hack/hybrid-v1.sh, which binds them to v1 as systemd's hybrid layout does",
		e.asked, strings.TrimSpace(string(ctrls)))
}

// name is the engine's base name (runc, crun).
func (e suiteEngine) name() string { return filepath.Base(e.path) }

// configLine is the `engine = ...` line of sysbox-lite's config ("" for
// the default: the config then exercises sysbox-lite's own default).
func (e suiteEngine) configLine() string {
	if e.asked == "" {
		return ""
	}
	return fmt.Sprintf("engine = %q\n\n", e.asked)
}

func (e suiteEngine) String() string {
	how := "SBL_ENGINE=" + e.asked
	if e.asked == "" {
		how = "default, SBL_ENGINE unset"
	}
	return fmt.Sprintf("%s (%s; %s)", e.path, e.version, how)
}

// TestSuiteEngineLookup: SBL_ENGINE's resolution (no daemons needed).
func TestSuiteEngineLookup(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	_, err := findSuiteEngine("no-such-engine-sbl")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SBL_ENGINE=no-such-engine-sbl")

	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-engine")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\necho fake-engine version 9.9\necho commit: x\n"), 0o755))
	wd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(wd, fake)
	require.NoError(t, err)
	e, err := findSuiteEngine(rel)
	require.NoError(t, err)
	assert.Equal(t, fake, e.path)
	assert.Equal(t, "fake-engine version 9.9", e.version)
	assert.Equal(t, fmt.Sprintf("engine = %q\n\n", fake), e.configLine(), "a relative path is written absolute")

	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
	e, err = findSuiteEngine("fake-engine")
	require.NoError(t, err)
	assert.Equal(t, "engine = \"fake-engine\"\n\n", e.configLine(), "a name stays a name")

	_, err = findSuiteEngine(filepath.Join(dir, "missing"))
	require.Error(t, err)
}

// TestEngineIsTheConfiguredOne: sysbox-lite, with the suite's config,
// drives the engine SBL_ENGINE names, and that engine holds the container.
func TestEngineIsTheConfiguredOne(t *testing.T) {
	s := setup(t)
	t.Logf("engine: %s", s.engine)
	r := s.run(t, s.bin, "--sysbox-config", s.configPath, "--version")
	require.Zero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stdout, "engine: "+s.engine.path+"\n", "%s", r.Stdout)
	assert.Contains(t, r.Stdout, "\n"+s.engine.version+"\n", "%s", r.Stdout)

	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged"}, "sleep", "1000")
	id := s.inspect(t, name, "{{.Id}}")
	var root string
	for _, e := range s.allocEntries(t) {
		if e.Owner.ID == id {
			root = e.Owner.EngineRoot
		}
	}
	require.NotEmpty(t, root, "no range is allocated to %s", id)
	st := s.run(t, s.engine.path, "--root", root, "state", id)
	require.Zero(t, st.Code, "the configured engine does not know the container: %s", st)
	var state struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Pid    int    `json:"pid"`
	}
	require.NoError(t, json.Unmarshal([]byte(st.Stdout), &state), "%s", st.Stdout)
	assert.Equal(t, id, state.ID)
	assert.Equal(t, "running", state.Status)
	assert.Equal(t, s.initPID(t, name), state.Pid)
}

// TestEngineHookErrorShown: a hook that fails says why in the error the
// caller gets (the log's last error line: what docker shows). runc puts a
// hook's stderr in its own error; crun drops it (only "error executing
// hook ... (exit code: 3)"), so sysbox-lite gives crun a file for it and
// logs its last line.
func TestEngineHookErrorShown(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, s.engine.path, "true")
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["hooks"] = map[string]any{"createRuntime": []any{map[string]any{
			"path": "/bin/sh", "args": []any{"sh", "-c", "echo the-hook-says-no >&2; exit 3"},
		}}}
	})
	logPath := filepath.Join(e.dir, "log.json")
	r := e.sbl(t, s, "--log", logPath, "--log-format", "json", "create", "--bundle", e.bundle, "hook-fails")
	require.NotZero(t, r.Code, "a failing createRuntime hook fails the create: %s", r)
	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	var last string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var entry struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Level == "error" {
			last = entry.Msg
		}
	}
	assert.Contains(t, last, "the-hook-says-no", "the last error of the log (%s):\n%s", s.engine.name(), data)
	e.requireNothingLeft(t)
}

// TestEngineBundleUnreachableByRoot: the caller's bundle is a directory
// that only host root may enter (docker's and containerd's are). crun runs
// every hook in the bundle directory (it chdirs there first and exits 1
// without a word when it cannot), the createContainer hook (fsemu-hook)
// as the container's root, an unprivileged host user: a bundle the
// container's root cannot enter failed every create under crun
// ("error executing hook `.../sysbox-lite` (exit code: 1)") until the
// engine got the private bundle in sysbox-lite's state directory.
func TestEngineBundleUnreachableByRoot(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, s.engine.path, "cat", "/proc/self/uid_map")
	require.NoError(t, os.Chmod(e.bundle, 0o700))
	r := e.sbl(t, s, "run", "--bundle", e.bundle, "bundle-0700")
	require.Zero(t, r.Code, "%s", r)
	requirePoolRange(t, "uid_map", r.Stdout)
	e.requireNothingLeft(t)
}
