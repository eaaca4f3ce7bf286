//go:build linux

package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// proc is a process as sysbox-lite records it: pid and start time.
type proc struct {
	Pid   int    `json:"pid"`
	Start uint64 `json:"start"`
}

func (p proc) alive() bool {
	st, err := trapsProcessStart(p.Pid)
	return err == nil && st == p.Start
}

// stateDirOf is the state directory of a container of the private dockerd.
func (s *suite) stateDirOf(t *testing.T, id string) string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(s.stateDir, id+".*"))
	require.NoError(t, err)
	require.Len(t, dirs, 1, "the state of container %s in %s", id, s.stateDir)
	return dirs[0]
}

// supervision reads the keeper and worker a container's state records.
func (s *suite) supervision(t *testing.T, id string) (keeper, worker proc) {
	t.Helper()
	dir := s.stateDirOf(t, id)
	read := func(name string) proc {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, "%s of %s", name, id)
		var p proc
		require.NoError(t, json.Unmarshal(data, &p), "%s: %s", name, data)
		return p
	}
	return read("keeper.json"), read("worker.json")
}

// waitReplaced waits until the process a container records under name
// (keeper.json, worker.json) is a live one other than old, and returns it
// with how long that took from since.
func (s *suite) waitReplaced(t *testing.T, id, name string, old proc, since time.Time, within time.Duration) (proc, time.Duration) {
	t.Helper()
	dir := s.stateDirOf(t, id)
	deadline := time.Now().Add(within)
	for {
		data, err := os.ReadFile(filepath.Join(dir, name))
		var p proc
		if err == nil && json.Unmarshal(data, &p) == nil && p != old && p.alive() {
			return p, time.Since(since)
		}
		if time.Now().After(deadline) {
			logTail, _ := os.ReadFile(filepath.Join(dir, "supervisor.log"))
			require.FailNow(t, "not replaced", "%s of %s still %v (or dead) %s after the kill; supervisor.log:\n%s\nprocesses: %v", name, id, old, within, logTail, s.supervisorProcesses())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func killProc(t *testing.T, p proc) {
	t.Helper()
	require.True(t, p.alive(), "process %d runs", p.Pid)
	require.NoError(t, unix.Kill(p.Pid, unix.SIGKILL), "kill -9 %d", p.Pid)
}

// watchRound is one line of `probe trap-watch`.
type watchRound struct {
	At            time.Time
	Umount, Mount string
}

// watchRounds reads the watcher's log (see probe trap-watch).
func (s *suite) watchRounds(t *testing.T, name, path string) []watchRound {
	t.Helper()
	var out []watchRound
	for _, line := range strings.Split(strings.TrimSpace(s.trapsCat(t, name, path)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue // the final OK
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		require.NoError(t, err, "watcher line %q", line)
		out = append(out, watchRound{At: time.Unix(0, ns), Umount: strings.TrimPrefix(f[1], "umount="), Mount: strings.TrimPrefix(f[2], "mount=")})
	}
	return out
}

// startWatcher starts `probe trap-watch` in a container (a process of the
// container's own, running before and after what the test does to the
// supervisor: its calls go straight to the kernel and the filter, not
// through the engine) and waits for its first rounds.
func (s *suite) startWatcher(t *testing.T, name, log string, seconds int) {
	t.Helper()
	s.mustDocker(t, "exec", "-d", name, "sh", "-c", "exec probe trap-watch /mnt/w "+strconv.Itoa(seconds)+" > "+log+" 2>&1")
	require.Eventually(t, func() bool {
		return strings.Count(s.trapsCat(t, name, log), "\n") >= 3
	}, 10*time.Second, 100*time.Millisecond, "the watcher made its first rounds")
}

func itoa(n int) string { return strconv.Itoa(n) }

// readFileTimeout reads a file that a dead FUSE server may leave hanging.
func readFileTimeout(t *testing.T, path string) string {
	t.Helper()
	type res struct {
		data []byte
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		data, err := os.ReadFile(path)
		ch <- res{data, err}
	}()
	select {
	case r := <-ch:
		require.NoError(t, r.err, "read %s", path)
		return string(r.data)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "read hangs", "%s", path)
		return ""
	}
}

// supervisorProcs are the suite's keepers and workers that run.
func (s *suite) supervisorProcs() []proc {
	var out []proc
	for _, line := range s.supervisorProcesses() {
		pid, err := strconv.Atoi(strings.Fields(line)[0])
		if err != nil {
			continue
		}
		if st, err := trapsProcessStart(pid); err == nil {
			out = append(out, proc{Pid: pid, Start: st})
		}
	}
	return out
}

// killQuiet sends SIGKILL to p; false when it was gone.
func killQuiet(p proc) bool { return unix.Kill(p.Pid, unix.SIGKILL) == nil }
