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
	"golang.org/x/sys/unix"
)

// previousFormatCommit is the last build before keepers: its state is
// version 1 (one supervisor process, no keeper.json).
const previousFormatCommit = "a9306b7"

// buildSysboxLite builds sysbox-lite from dir (a source tree) into out,
// with version as its version.
func (s *suite) buildSysboxLite(t *testing.T, dir, out, version string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", out, "./cmd/sysbox-lite")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build in %s: %s", dir, b)
}

// installBinary puts bin at the suite's binary path as `install` does (a
// new file renamed over the old one: running processes keep the old) and
// returns a function that puts the suite's own build back.
func (s *suite) installBinary(t *testing.T, bin string) (restore func()) {
	t.Helper()
	saved := s.bin + ".suite"
	if _, err := os.Stat(saved); os.IsNotExist(err) {
		require.NoError(t, os.Link(s.bin, saved), "keep the suite's build")
	}
	put := func(src string) {
		data, err := os.ReadFile(src)
		require.NoError(t, err)
		tmp := s.bin + ".new"
		require.NoError(t, os.WriteFile(tmp, data, 0o755))
		require.NoError(t, os.Rename(tmp, s.bin))
	}
	put(bin)
	return func() {
		put(saved)
		os.Remove(saved)
	}
}

func exeIno(t *testing.T, pid int) uint64 {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Stat("/proc/"+itoa(pid)+"/exe", &st))
	return st.Ino
}

// TestRecoveryUpgrade: a new build installed while a container runs, then
// `sysbox-lite reload` (what make install runs): the keeper replaces
// itself (same pid, the new binary) and starts a worker of the new build;
// the processes that ran all along are served through it without one
// failed call, exec works, nothing is left after rm.
func TestRecoveryUpgrade(t *testing.T) {
	s := setup(t)
	newBin := filepath.Join(t.TempDir(), "sysbox-lite")
	s.buildSysboxLite(t, s.repo, newBin, "upgrade-test")
	restore := func() {}
	t.Cleanup(func() { restore() }) // after the container is removed
	name, id := s.trapsStart(t, "", "-m", "256m")
	s.startWatcher(t, name, "/tmp/w.log", 60)
	keeper, worker := s.supervision(t, id)
	oldIno := exeIno(t, keeper.Pid)

	restore = s.installBinary(t, newBin)
	out, err := exec.Command(s.bin, "--sysbox-config", s.configPath, "reload").CombinedOutput()
	require.NoError(t, err, "reload: %s", out)
	assert.Contains(t, string(out), "restarted (keeper", "reload says what it did: %s", out)
	reloaded := time.Now()
	nw, took := s.waitReplaced(t, id, "worker.json", worker, reloaded, 5*time.Second)
	t.Logf("reload: worker %d of the new build serving %s later", nw.Pid, took)
	k, _ := s.supervision(t, id)
	assert.Equal(t, keeper.Pid, k.Pid, "the keeper keeps its pid (it executes the new build)")
	installed := fileIno(t, s.bin)
	assert.NotEqual(t, oldIno, installed)
	assert.Equal(t, installed, exeIno(t, keeper.Pid), "the keeper runs the installed build")
	assert.Equal(t, installed, exeIno(t, nw.Pid), "the worker runs the installed build")
	v, err := exec.Command("/proc/"+itoa(nw.Pid)+"/exe", "--version").Output()
	require.NoError(t, err)
	assert.Contains(t, string(v), "upgrade-test")

	s.mustDocker(t, "exec", name, "true")
	s.requireServed(t, name)
	s.requireWatcherServed(t, name, "/tmp/w.log", reloaded.Add(took))
}

// TestRecoveryPreviousBuild: a container created by the build before
// keepers (state version 1) is handled by this build. Control first: with
// the old build, its supervisor killed leaves the container without exec
// for good. Then this build installed: exec starts a new supervisor
// (keeper and worker) for it, its processes are served, and rm cleans up
// everything.
func TestRecoveryPreviousBuild(t *testing.T) {
	s := setup(t)
	src := t.TempDir()
	archive := exec.Command("sh", "-c", "git -C \"$1\" archive \"$2\" | tar -x -C \"$3\"", "sh", s.repo, previousFormatCommit, src)
	if out, err := archive.CombinedOutput(); err != nil {
		msg := "the previous build's source (git archive " + previousFormatCommit + "): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			require.FailNow(t, msg)
		}
		t.Skip(msg)
	}
	oldBin := filepath.Join(t.TempDir(), "sysbox-lite")
	s.buildSysboxLite(t, src, oldBin, "previous")
	restore := s.installBinary(t, oldBin)
	t.Cleanup(func() { restore() })

	name, id := s.trapsStart(t, "", "-m", "256m")
	dir := s.stateDirOf(t, id)
	state, err := os.ReadFile(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(state), `"version"`, "a state of the previous format")
	assert.NoFileExists(t, filepath.Join(dir, "keeper.json"))
	sup, start := s.trapsSupervisor(t, id)
	old := proc{Pid: sup, Start: start}
	killProc(t, old)
	require.Eventually(t, func() bool { return !old.alive() }, 5*time.Second, 10*time.Millisecond)
	r := s.docker(t, "exec", name, "true")
	assert.NotZero(t, r.Code, "control: with the previous build, exec fails once its supervisor is gone: %s", r)
	assert.Contains(t, strings.ToLower(r.Stdout+r.Stderr), "connection refused", "%s", r)

	restore()
	restore = func() {}
	s.mustDocker(t, "exec", name, "true")
	keeper, worker := s.supervision(t, id)
	assert.True(t, keeper.alive() && worker.alive(), "this build supervises the container now")
	s.requireServed(t, name)
}
