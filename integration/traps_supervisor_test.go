//go:build linux

package integration

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestTrapsSupervisorDeath: the supervisor killed with SIGKILL fails
// closed. The container keeps running; a new `docker exec` fails with the
// engine's error (it cannot hand the new process's notify fd to the
// listener); a process that was already running inside gets ENOSYS for
// every trapped call from then on, never success; `docker rm -f` still
// cleans up everything (the health check).
func TestTrapsSupervisorDeath(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "")
	sup, start := s.trapsSupervisor(t, id)
	st, err := trapsProcessStart(sup)
	require.NoError(t, err, "the supervisor %d runs", sup)
	require.Equal(t, start, st, "pid %d is the recorded supervisor", sup)
	initPid := s.initPID(t, name)

	// the watcher: one process, started before the kill, that tries
	// umount2(/proc/keys) and a tmpfs mount every 100 ms
	s.mustDocker(t, "exec", "-d", name, "sh", "-c", "exec probe trap-watch /mnt/w 60 > /tmp/trap-watch.log 2>&1")
	require.Eventually(t, func() bool {
		return strings.Count(s.trapsCat(t, name, "/tmp/trap-watch.log"), "\n") >= 3
	}, 10*time.Second, 100*time.Millisecond, "the watcher made its first rounds")

	require.NoError(t, unix.Kill(sup, unix.SIGKILL), "kill the supervisor %d", sup)
	require.Eventually(t, func() bool {
		st, err := trapsProcessStart(sup)
		return err != nil || st != start
	}, 5*time.Second, 20*time.Millisecond, "the supervisor %d is gone", sup)
	killed := time.Now().UnixNano()

	assert.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"), "the container keeps running")
	assert.Equal(t, initPid, s.initPID(t, name), "with the same init")
	r := s.docker(t, "exec", name, "true")
	assert.NotZero(t, r.Code, "docker exec without a supervisor: %s", r)
	msg := r.Stdout + r.Stderr // docker prints the OCI error on stdout
	// runc's words, or crun's
	agent := "failed to connect with seccomp agent"
	if s.engine.name() == "crun" {
		agent = "open seccomp receiver: connect socket to"
	}
	assert.Contains(t, msg, agent, "docker exec says why: %s", r)
	assert.Contains(t, strings.ToLower(msg), "connection refused", "docker exec says why: %s", r)
	t.Logf("docker exec after the supervisor's death: %s", strings.TrimSpace(msg))

	time.Sleep(1500 * time.Millisecond) // some rounds after the kill
	log := s.trapsCat(t, name, "/tmp/trap-watch.log")
	var before, after, mountsBefore int
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		f := strings.Fields(line)
		require.Len(t, f, 3, "watcher line %q", line)
		at, err := strconv.ParseInt(f[0], 10, 64)
		require.NoError(t, err, "watcher line %q", line)
		umount, mount := strings.TrimPrefix(f[1], "umount="), strings.TrimPrefix(f[2], "mount=")
		assert.NotEqual(t, "OK", umount, "umount2(/proc/keys) never succeeds: %q", line)
		if at > killed {
			after++
			assert.Equal(t, "ENOSYS", umount, "after the kill, umount2 fails closed: %q", line)
			assert.Equal(t, "ENOSYS", mount, "after the kill, mount fails closed: %q", line)
			continue
		}
		before++
		assert.Contains(t, []string{"EPERM", "ENOSYS"}, umount, "%q", line)
		if mount == "OK" {
			mountsBefore++
		}
	}
	t.Logf("watcher: %d rounds before the kill (%d tmpfs mounts worked), %d after (all ENOSYS)", before, mountsBefore, after)
	assert.Positive(t, mountsBefore, "before the kill, the watcher's tmpfs mounts worked")
	assert.GreaterOrEqual(t, after, 5, "the watcher made rounds after the kill")
	// /proc/keys, read through the container's init (no exec possible now)
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/root/proc/keys", initPid))
	require.NoError(t, err)
	assert.Empty(t, data, "/proc/keys is still masked")
}

// trapsProcessStart reads a process's start time (clock ticks since boot).
func trapsProcessStart(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	if f[0] == "Z" {
		return 0, fmt.Errorf("process %d is a zombie", pid)
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// TestTrapsHelperInvisible: the helper that performs an allowed mount runs
// in the container's mount namespace but never in its pid namespace. From
// the host, while the container mounts and unmounts a tmpfs 200 times, the
// helpers caught are in the host's pid namespace; from inside, /proc never
// lists one.
func TestTrapsHelperInvisible(t *testing.T) {
	s := setup(t)
	name, _ := s.trapsStart(t, "")
	initPid := s.initPID(t, name)
	containerPid, containerMnt := trapsNsLink(t, initPid, "pid"), trapsNsLink(t, initPid, "mnt")
	hostPid := trapsNsLink(t, os.Getpid(), "pid")

	var (
		mu     sync.Mutex
		caught = map[int][2]string{} // pid → ns/pid, ns/mnt
		stop   = make(chan struct{})
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			entries, _ := os.ReadDir("/proc")
			for _, e := range entries {
				pid, err := strconv.Atoi(e.Name())
				if err != nil {
					continue
				}
				cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				argv := strings.Split(string(cmdline), "\x00")
				if err != nil || len(argv) < 2 || argv[1] != "mount-helper" {
					continue // not a helper (the scripts that look for one name it too)
				}
				pidNs, err1 := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
				mntNs, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid))
				if err1 != nil || err2 != nil || mntNs != containerMnt {
					continue // gone, not yet inside, or another container's
				}
				mu.Lock()
				caught[pid] = [2]string{pidNs, mntNs}
				mu.Unlock()
			}
		}
	}()
	r := s.docker(t, "exec", name, "sh", "-c", `mkdir -p /mnt/ml
probe mount-loop 200 /mnt/ml > /tmp/ml.out 2>&1 &
p=$!
scans=0; hits=0
pat=mount-; pat=${pat}helper # not spelled out: this script's own cmdline would match
while kill -0 $p 2>/dev/null; do
	for f in /proc/[0-9]*/cmdline; do
		case "$(tr '\0' ' ' < $f 2>/dev/null)" in *"$pat"*) hits=$((hits+1)); echo "seen: $(tr '\0' ' ' < $f)" >&2;; esac
	done
	scans=$((scans+1))
done
wait $p; echo "rc=$?"; cat /tmp/ml.out; echo "scans=$scans hits=$hits"`)
	close(stop)
	<-done
	require.Zero(t, r.Code, "%s", r)
	out := strings.TrimSpace(r.Stdout)

	lines := strings.Split(out, "\n")
	require.Len(t, lines, 4, "%q", out)
	assert.Equal(t, "rc=0", lines[0], "%q", out)
	assert.Equal(t, "OK\n200 mounts", lines[1]+"\n"+lines[2], "the 200 mounts worked: %q", out)
	var scans, hits int
	_, err := fmt.Sscanf(lines[3], "scans=%d hits=%d", &scans, &hits)
	require.NoError(t, err, "%q", lines[3])
	assert.Zero(t, hits, "no process with mount-helper in its cmdline in the container's /proc (%d scans): %s", scans, r.Stderr)
	assert.Positive(t, scans, "the container scanned its /proc while mounting")

	mu.Lock()
	defer mu.Unlock()
	if len(caught) == 0 {
		t.Log("no helper caught from the host during the 200 mounts (they are short-lived); the in-container scan is the evidence")
		return
	}
	for pid, ns := range caught {
		assert.NotEqual(t, containerPid, ns[0], "helper %d is not in the container's pid namespace", pid)
		assert.Equal(t, hostPid, ns[0], "helper %d stays in the host's pid namespace", pid)
	}
	t.Logf("caught %d helpers from the host: in the container's mount namespace %s, in the host's pid namespace %s (the container's is %s)",
		len(caught), containerMnt, hostPid, containerPid)
}
