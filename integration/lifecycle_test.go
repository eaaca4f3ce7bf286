//go:build linux

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLifecycle walks a detached container through exec, pause/unpause,
// stop, start, kill and rm, checking after each step what sysbox-lite holds
// for it: a range and a state directory exactly while it runs.
func TestLifecycle(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, nil, "sleep", "1000")
	id := s.inspect(t, name, "{{.Id}}")

	pid1 := s.initPID(t, name)
	uidMap, gidMap := hostIDMaps(t, pid1)
	r1 := requirePoolRange(t, "host uid_map of init", uidMap)
	requirePoolRange(t, "host gid_map of init", gidMap)
	s.requireOneAllocation(t, id, r1)

	// exec joins the container's user namespace
	assert.Equal(t, "0", s.mustDocker(t, "exec", name, "id", "-u"))
	assert.Equal(t, "1000", s.mustDocker(t, "exec", "-u", "1000", name, "id", "-u"))
	assert.Equal(t, strings.Join(strings.Fields(uidMap), " "),
		strings.Join(strings.Fields(s.mustDocker(t, "exec", name, "cat", "/proc/self/uid_map")), " "),
		"exec'd process and init share the user namespace")

	// pause freezes the container's cgroup; unpause thaws it
	s.mustDocker(t, "pause", name)
	assert.Equal(t, "paused", s.inspect(t, name, "{{.State.Status}}"))
	if state, ok := freezerState(t, pid1); ok {
		assert.Equal(t, "FROZEN", state, "freezer state of init's cgroup while paused")
	}
	s.mustDocker(t, "unpause", name)
	assert.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"))
	if state, ok := freezerState(t, pid1); ok {
		assert.Equal(t, "THAWED", state, "freezer state of init's cgroup after unpause")
	}
	assert.Equal(t, "alive", s.mustDocker(t, "exec", name, "echo", "alive"))

	// stop: the engine deletes the container, sysbox-lite releases all
	s.mustDocker(t, "stop", "-t", "1", name)
	assert.Equal(t, "exited", s.inspect(t, name, "{{.State.Status}}"))
	assert.NoDirExists(t, fmt.Sprintf("/proc/%d/task", pid1), "init of the stopped container is gone")
	s.requireNoContainerState(t, "after docker stop")

	// start again: a fresh range (it may differ from the first)
	s.mustDocker(t, "start", name)
	assert.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"))
	pid2 := s.initPID(t, name)
	assert.NotEqual(t, pid1, pid2)
	uidMap2, _ := hostIDMaps(t, pid2)
	r2 := requirePoolRange(t, "host uid_map after docker start", uidMap2)
	s.requireOneAllocation(t, id, r2)
	assert.Equal(t, "0", s.mustDocker(t, "exec", name, "id", "-u"))
	s.mustDocker(t, "exec", name, "sh", "-c", "echo kept > /state-file")

	// kill: SIGKILL to init, exit code 137, everything released
	s.mustDocker(t, "kill", name)
	s.mustDocker(t, "wait", name)
	assert.Equal(t, "exited 137", s.inspect(t, name, "{{.State.Status}} {{.State.ExitCode}}"))
	s.requireNoContainerState(t, "after docker kill")

	// the container's writable layer survives stop/start/kill
	s.mustDocker(t, "start", name)
	assert.Equal(t, "kept", s.mustDocker(t, "exec", name, "cat", "/state-file"))

	// rm -f of a running container
	s.mustDocker(t, "rm", "-f", name)
	r := s.docker(t, "inspect", name)
	assert.NotZero(t, r.Code, "the container is gone after rm: %s", r)
	s.requireNoContainerState(t, "after docker rm -f")
}

// TestRestart: docker restart of a running container brings it back
// running, in a user namespace of the pool.
func TestRestart(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, nil, "sleep", "1000")
	pid1 := s.initPID(t, name)

	r := s.docker(t, "restart", "-t", "1", name)
	require.Zero(t, r.Code, "docker restart: %s", r)
	assert.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"))
	pid2 := s.initPID(t, name)
	assert.NotEqual(t, pid1, pid2, "restart starts a new init")
	uidMap, _ := hostIDMaps(t, pid2)
	requirePoolRange(t, "host uid_map after restart", uidMap)
	assert.Equal(t, "0", s.mustDocker(t, "exec", name, "id", "-u"))
	assert.Equal(t, "0:0", s.mustDocker(t, "exec", name, "stat", "-c", "%u:%g", "/bin/busybox"),
		"the restarted root is idmapped to the new range")
}

// requireOneAllocation checks that the allocator holds exactly one range,
// for the container id, and that it is the one its init runs with.
func (s *suite) requireOneAllocation(t *testing.T, id string, r idMap) {
	t.Helper()
	entries := s.allocEntries(t)
	require.Len(t, entries, 1, "allocator entries: %+v", entries)
	assert.Equal(t, id, entries[0].Owner.ID)
	assert.Equal(t, r.Outside, entries[0].Range.UID, "allocated uid base vs. init's uid_map")
	assert.Equal(t, uint64(rangeSize), entries[0].Range.Size)
	all, err := s.stateDirs()
	require.NoError(t, err)
	var dirs, socks []string
	for _, d := range all {
		if strings.HasPrefix(d, "sock/") {
			socks = append(socks, d)
		} else {
			dirs = append(dirs, d)
		}
	}
	require.Len(t, dirs, 1, "state directories: %v", all)
	require.Len(t, socks, 1, "one supervisor listener: %v", all)
	assert.True(t, strings.HasPrefix(dirs[0], id+"."), "state directory %s is named after the container id", dirs[0])
}

// freezerState reads the cgroup v1 freezer state of a process's cgroup; ok
// is false when the machine has no v1 freezer.
func freezerState(t *testing.T, pid int) (state string, ok bool) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 && f[1] == "freezer" {
			st, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/freezer", f[2], "freezer.state"))
			if err != nil {
				t.Logf("no freezer state for pid %d: %v", pid, err)
				return "", false
			}
			return strings.TrimSpace(string(st)), true
		}
	}
	t.Logf("pid %d has no cgroup v1 freezer: pause checked through docker only", pid)
	return "", false
}

// TestRestartPolicy: dockerd's own restarts (--restart on-failure) go
// through a full delete and create each time; the last exit code comes back
// and every attempt ran in the pool.
func TestRestartPolicy(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.mustDocker(t, append(runArgs("-d", "--name", name, "--restart", "on-failure:2", testImage),
		"sh", "-c", "cat /proc/self/uid_map >> /attempts; exit 3")...)
	assert.Equal(t, "3", s.mustDocker(t, "wait", name), "exit code of the first attempt")
	deadline := time.Now().Add(30 * time.Second)
	for s.inspect(t, name, "{{.RestartCount}} {{.State.Status}}") != "2 exited" {
		require.True(t, time.Now().Before(deadline), "the container did not finish its 2 restarts: %s",
			s.inspect(t, name, "{{.RestartCount}} {{.State.Status}} {{.State.Error}}"))
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, "3", s.inspect(t, name, "{{.State.ExitCode}}"))
	assert.Empty(t, s.inspect(t, name, "{{.State.Error}}"), "no runtime error on a restart")
	s.requireNoContainerState(t, "after the last attempt")

	// three attempts, each recorded from inside a user namespace of the pool
	dir := s.mkTempDir(t, "attempts-")
	s.mustDocker(t, "cp", name+":/attempts", dir+"/")
	data, err := os.ReadFile(filepath.Join(dir, "attempts"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, 3, "attempts: %q", data)
	for i, l := range lines {
		requirePoolRange(t, fmt.Sprintf("uid_map of attempt %d", i+1), l)
	}
}
