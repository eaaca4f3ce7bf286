//go:build linux

package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recoveryWithin is the bound: a killed supervisor is replaced
// and serving within a second.
const recoveryWithin = time.Second

// requireServed: a new process of the container gets its trapped calls
// served (a refused umount refused, a tmpfs mount performed) and the
// emulated /proc/meminfo shows the container's 256 MiB.
func (s *suite) requireServed(t *testing.T, name string) {
	t.Helper()
	out := s.trapsSh(t, name, "umount /proc/keys 2>/dev/null; echo umount=$?; mkdir -p /mnt/served && mount -t tmpfs x /mnt/served && echo mount=ok && umount /mnt/served; grep MemTotal /proc/meminfo")
	assert.Contains(t, out, "umount=1", "a refused umount stays refused: %s", out)
	assert.Contains(t, out, "mount=ok", "a permitted mount is performed: %s", out)
	assert.Regexp(t, `MemTotal:\s+262144 kB`, out, "/proc/meminfo is the container's: %s", out)
}

// requireWatcherServed: the watcher's rounds never had an umount of
// /proc/keys succeed, never failed with ENOSYS (the listener was kept),
// and had tmpfs mounts performed after since.
func (s *suite) requireWatcherServed(t *testing.T, name, log string, since time.Time) {
	t.Helper()
	time.Sleep(time.Second) // rounds after the recovery
	var after, mounted int
	for _, r := range s.watchRounds(t, name, log) {
		assert.NotEqual(t, "OK", r.Umount, "umount2(/proc/keys) never succeeds: %+v", r)
		assert.NotEqual(t, "ENOSYS", r.Umount, "the calls wait for the next supervisor, not fail: %+v", r)
		assert.Contains(t, []string{"EPERM", "EINTR"}, r.Umount, "%+v", r)
		assert.Contains(t, []string{"OK", "EINTR"}, r.Mount, "%+v", r)
		if r.At.After(since) {
			after++
			if r.Mount == "OK" {
				mounted++
			}
		}
	}
	t.Logf("watcher: %d rounds after the kill, %d tmpfs mounts performed", after, mounted)
	assert.Positive(t, mounted, "the watcher's mounts are performed again")
}

// TestRecoveryWorkerKilled: the supervisor (worker) killed with SIGKILL is
// replaced by its keeper within a second; the container's processes that
// were running are served again (their calls in the window wait, and are
// never allowed if refused), docker exec works, /proc is the container's.
func TestRecoveryWorkerKilled(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "", "-m", "256m")
	s.startWatcher(t, name, "/tmp/w.log", 60)
	keeper, worker := s.supervision(t, id)

	killed := time.Now()
	killProc(t, worker)
	nw, took := s.waitReplaced(t, id, "worker.json", worker, killed, recoveryWithin)
	t.Logf("worker %d killed; worker %d serving %s later", worker.Pid, nw.Pid, took)
	k, _ := s.supervision(t, id)
	assert.Equal(t, keeper, k, "the keeper stays")

	s.mustDocker(t, "exec", name, "true")
	t.Logf("docker exec worked %s after the kill", time.Since(killed).Round(time.Millisecond))
	s.requireServed(t, name)
	s.requireWatcherServed(t, name, "/tmp/w.log", killed.Add(took))
}

// TestRecoveryKeeperKilled: the keeper killed is replaced by the worker
// with the same handles: a worker killed after that is replaced by the
// new keeper, and the processes that ran all along are still served.
func TestRecoveryKeeperKilled(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "", "-m", "256m")
	s.startWatcher(t, name, "/tmp/w.log", 60)
	keeper, worker := s.supervision(t, id)

	killed := time.Now()
	killProc(t, keeper)
	nk, took := s.waitReplaced(t, id, "keeper.json", keeper, killed, recoveryWithin)
	t.Logf("keeper %d killed; keeper %d holds the handles %s later", keeper.Pid, nk.Pid, took)
	_, w := s.supervision(t, id)
	assert.Equal(t, worker, w, "the worker stays")
	assert.Equal(t, "sbl-keeper", procComm(t, nk.Pid), "the keeper's name")

	killed = time.Now()
	killProc(t, worker)
	nw, took := s.waitReplaced(t, id, "worker.json", worker, killed, recoveryWithin)
	t.Logf("then worker %d killed; worker %d serving %s later", worker.Pid, nw.Pid, took)
	s.requireServed(t, name)
	s.requireWatcherServed(t, name, "/tmp/w.log", killed.Add(took))
}

// TestRecoveryAllKilled: keeper and worker killed at once. The notify fds
// are lost with them (the kernel answers ENOSYS to the processes that were
// running: closed, never allowed); the next docker exec starts a new
// supervisor, whose processes are served, and /proc is the container's
// again for every process.
func TestRecoveryAllKilled(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "", "-m", "256m")
	s.startWatcher(t, name, "/tmp/w.log", 60)
	keeper, worker := s.supervision(t, id)
	initPid := s.initPID(t, name)

	killProc(t, keeper)
	killProc(t, worker)
	killed := time.Now()
	require.Eventually(t, func() bool { return !keeper.alive() && !worker.alive() }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(500 * time.Millisecond)

	s.mustDocker(t, "exec", name, "true")
	t.Logf("docker exec worked %s after the kill", time.Since(killed).Round(time.Millisecond))
	nk, nw := s.supervision(t, id)
	assert.NotEqual(t, keeper, nk, "a new keeper")
	assert.NotEqual(t, worker, nw, "a new worker")
	s.requireServed(t, name)

	time.Sleep(time.Second)
	var enosys int
	for _, r := range s.watchRounds(t, name, "/tmp/w.log") {
		assert.NotEqual(t, "OK", r.Umount, "umount2(/proc/keys) never succeeds: %+v", r)
		if r.At.After(killed) && r.Umount == "ENOSYS" {
			enosys++
		}
	}
	t.Logf("watcher (running since before the kill): %d rounds closed with ENOSYS after it", enosys)
	assert.Positive(t, enosys, "the old process's calls fail closed")
	// the init's /proc/meminfo is served again too (read from the host, it
	// shows the host's values: the emulation answers for the reader)
	data := readFileTimeout(t, "/proc/"+itoa(initPid)+"/root/proc/meminfo")
	assert.Contains(t, data, "MemTotal:", "the init's /proc/meminfo is served")
}

// TestRecoveryRepeatedKills: ten kills in a row (worker, keeper, both)
// while the container mounts and unmounts a tmpfs in a loop (so that kills
// land while mounts are performed), then kills during a create and during
// a delete: every container can still be exec'd into and deleted, and
// nothing is left (the health check).
func TestRecoveryRepeatedKills(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "", "-m", "256m")
	s.mustDocker(t, "exec", "-d", name, "sh", "-c", "mkdir -p /mnt/l; while :; do mount -t tmpfs x /mnt/l && umount /mnt/l; done")
	for i := 0; i < 10; i++ {
		time.Sleep(time.Duration(50+37*i) * time.Millisecond)
		keeper, worker := s.supervision(t, id)
		switch i % 4 {
		case 1:
			killProc(t, keeper)
			s.waitReplaced(t, id, "keeper.json", keeper, time.Now(), recoveryWithin)
		case 3:
			killProc(t, keeper)
			killProc(t, worker)
		default:
			killProc(t, worker)
			s.waitReplaced(t, id, "worker.json", worker, time.Now(), recoveryWithin)
		}
		s.mustDocker(t, "exec", name, "true")
	}
	// kills while a mount is being performed: the worker killed as soon
	// as one of its helpers runs (a new loop: the first one's calls fail
	// closed since keeper and worker were killed together)
	s.mustDocker(t, "exec", "-d", name, "sh", "-c", "mkdir -p /mnt/m; while :; do mount -t tmpfs x /mnt/m && umount /mnt/m; done")
	caught := 0
	for i := 0; i < 3; i++ {
		_, worker := s.supervision(t, id)
		if !waitHelperOf(worker.Pid, 5*time.Second) {
			continue
		}
		killProc(t, worker)
		caught++
		s.waitReplaced(t, id, "worker.json", worker, time.Now(), recoveryWithin)
		s.mustDocker(t, "exec", name, "true")
	}
	t.Logf("%d kills while a helper performed a mount", caught)
	assert.Positive(t, caught, "a kill landed during a performed mount")
	s.requireServed(t, name)
	s.mustDocker(t, "rm", "-f", name)

	// a create with its supervisor killed as soon as it appears
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, p := range s.supervisorProcs() {
				if p.alive() && killQuiet(p) {
					n++
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	created := s.container(t, "create")
	r := s.docker(t, append(runArgs("-d", "--privileged", "--name", created), testImage, "sleep", "1000")...)
	t.Logf("docker run with its supervisors killed: exit %d %s", r.Code, strings.TrimSpace(r.Stderr))
	close(stop)
	t.Logf("%d supervisor processes killed during the create", <-done)
	if r.Code == 0 {
		s.mustDocker(t, "exec", created, "true")
	}
	s.removeContainer(t, created)

	// a delete with its supervisors killed meanwhile
	deleted := s.container(t, "delete")
	s.startDetached(t, deleted, []string{"--privileged"}, "sleep", "1000")
	stop, done = make(chan struct{}), make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, p := range s.supervisorProcs() {
				if p.alive() && killQuiet(p) {
					n++
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	s.mustDocker(t, "rm", "-f", deleted)
	close(stop)
	t.Logf("%d supervisor processes killed during the delete", <-done)
}

// waitHelperOf waits for a mount helper that pid started.
func waitHelperOf(pid int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			child, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if ppid, _, ok := procStat(child); !ok || ppid != pid {
				continue
			}
			cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			if strings.Contains(string(cmdline), "mount-helper") {
				return true
			}
		}
	}
	return false
}

func procComm(t *testing.T, pid int) string {
	t.Helper()
	return strings.TrimSpace(readFileTimeout(t, "/proc/"+itoa(pid)+"/comm"))
}
