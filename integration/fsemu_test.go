//go:build linux

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The emulated /proc and /sys files (package fsemu, issue #5).

// fsemuLimits are the resource options of the Show list.
var fsemuLimits = []string{"-m", "256m", "--cpus", "1", "--cpuset-cpus", "0"}

// fsemuSh runs a shell script in a container and returns its trimmed stdout.
func (s *suite) fsemuSh(t *testing.T, name, script string) string {
	t.Helper()
	return s.mustDocker(t, "exec", name, "sh", "-c", script)
}

// fsemuKB returns a /proc/meminfo value (kB) of a container.
func (s *suite) fsemuKB(t *testing.T, name, file, key string) uint64 {
	t.Helper()
	for _, line := range strings.Split(s.fsemuSh(t, name, "cat "+file), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			f := strings.Fields(v)
			require.NotEmpty(t, f, "%s line %q", key, line)
			n, err := strconv.ParseUint(f[0], 10, 64)
			require.NoError(t, err, "%s line %q", key, line)
			return n
		}
	}
	t.Fatalf("no %s in %s of %s", key, file, name)
	return 0
}

// fsemuCPUTicks returns the user and system ticks of /proc/stat's "cpu" line.
func (s *suite) fsemuCPUTicks(t *testing.T, name string) (busy uint64, cpuLines []string) {
	t.Helper()
	for _, line := range strings.Split(s.fsemuSh(t, name, "cat /proc/stat"), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if f[0] != "cpu" {
			cpuLines = append(cpuLines, f[0])
			continue
		}
		u, err1 := strconv.ParseUint(f[1], 10, 64)
		sy, err2 := strconv.ParseUint(f[3], 10, 64)
		require.NoError(t, err1)
		require.NoError(t, err2)
		busy = u + sy
	}
	return busy, cpuLines
}

func fsemuUptime(t *testing.T, text string) float64 {
	t.Helper()
	f := strings.Fields(text)
	require.Len(t, f, 2, "/proc/uptime: %q", text)
	v, err := strconv.ParseFloat(f[0], 64)
	require.NoError(t, err)
	return v
}

// TestFsemuResourceViews: with -m 256m --cpus 1 --cpuset-cpus 0 the
// container sees 256 MiB, one CPU, its own uptime, and its own usage, which
// moves when it works.
func TestFsemuResourceViews(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, fsemuLimits, "sleep", "1000")

	assert.EqualValues(t, 262144, s.fsemuKB(t, name, "/proc/meminfo", "MemTotal"), "MemTotal is the 256 MiB limit")
	free := s.fsemuSh(t, name, "free")
	t.Logf("free:\n%s", free)
	// busybox free takes total and free from sysinfo(2) (emulated too, see
	// sysinfo_test.go); its "available" column comes from /proc/meminfo.
	for _, line := range strings.Split(free, "\n") {
		if f := strings.Fields(line); len(f) == 7 && f[0] == "Mem:" {
			avail, err := strconv.ParseUint(f[6], 10, 64)
			require.NoError(t, err)
			assert.LessOrEqual(t, avail, uint64(262144), "free: available within the limit")
		}
	}
	assert.Equal(t, "1", s.fsemuSh(t, name, "nproc"))
	assert.Equal(t, "0", s.fsemuSh(t, name, "cat /sys/devices/system/cpu/online"))
	assert.Equal(t, "1", s.fsemuSh(t, name, "grep -c ^processor /proc/cpuinfo"))
	busy0, cpus := s.fsemuCPUTicks(t, name)
	assert.Equal(t, []string{"cpu0"}, cpus, "/proc/stat has one cpu line")

	up := fsemuUptime(t, s.fsemuSh(t, name, "cat /proc/uptime"))
	hostUp := fsemuUptime(t, mustRead(t, "/proc/uptime"))
	assert.Less(t, up, 120.0, "uptime counts from the container's start")
	assert.Less(t, up, hostUp)
	t.Logf("uptime: container %.2f s, host %.2f s", up, hostUp)
	loadavg := s.fsemuSh(t, name, "cat /proc/loadavg") // starts tracking
	assert.Regexp(t, `^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$`, loadavg)
	assert.Regexp(t, `^Filename\s+Type\s+Size\s+Used\s+Priority`, s.fsemuSh(t, name, "cat /proc/swaps"))
	assert.NotEmpty(t, s.fsemuSh(t, name, "cat /proc/diskstats"))

	// Work: 48 MiB in /dev/shm (charged to the container) and one busy
	// shell for 6 s (more than one load sample).
	free0 := s.fsemuKB(t, name, "/proc/meminfo", "MemFree")
	s.fsemuSh(t, name, "dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 2>/dev/null")
	free1 := s.fsemuKB(t, name, "/proc/meminfo", "MemFree")
	assert.GreaterOrEqual(t, free0-free1, uint64(40*1024), "MemFree drops by the 48 MiB written (%d → %d kB)", free0, free1)
	assert.GreaterOrEqual(t, s.fsemuKB(t, name, "/proc/meminfo", "Shmem"), uint64(40*1024))
	s.fsemuSh(t, name, "sh -c 'while :; do :; done' & pid=$!; sleep 6; kill $pid")
	busy1, _ := s.fsemuCPUTicks(t, name)
	assert.GreaterOrEqual(t, busy1-busy0, uint64(50), "the container's CPU time grows (%d → %d ticks)", busy0, busy1)
	up1 := fsemuUptime(t, s.fsemuSh(t, name, "cat /proc/uptime"))
	assert.Greater(t, up1, up+5, "uptime moves")
	loadavg1 := s.fsemuSh(t, name, "cat /proc/loadavg")
	assert.NotEqual(t, "0.00", strings.Fields(loadavg1)[0], "the busy shell shows in the load average: %s", loadavg1)
	t.Logf("after the work: MemFree %d → %d kB, cpu busy %d → %d ticks, loadavg %q → %q", free0, free1, busy0, busy1, loadavg, loadavg1)

	// The host's own files are untouched.
	assert.NotEqual(t, "262144", strings.Fields(strings.Split(mustRead(t, "/proc/meminfo"), "\n")[0])[1])
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.TrimSpace(string(data))
}

// fsemuSysctls are three kernel-wide sysctls, values different from any
// default, and a value the kernel refuses for each.
var fsemuSysctls = []struct{ path, value, bad string }{
	{"/proc/sys/kernel/panic", "37", "abc"},
	{"/proc/sys/vm/overcommit_memory", "1", "3"},
	{"/proc/sys/fs/file-max", "123456", "-1"},
}

// TestFsemuSysctls: a container's writes of kernel-wide sysctls change what
// it reads, not what the host or a second container reads; refused values
// are refused as by the kernel.
func TestFsemuSysctls(t *testing.T) {
	s := setup(t)
	a, b := s.container(t, "a"), s.container(t, "b")
	s.startDetached(t, a, []string{"--privileged"}, "sleep", "1000")
	s.startDetached(t, b, []string{"--privileged"}, "sleep", "1000")
	host := map[string]string{}
	for _, c := range fsemuSysctls {
		host[c.path] = mustRead(t, c.path)
		require.NotEqual(t, c.value, host[c.path], "the test value differs from the host's %s", c.path)
		assert.Equal(t, host[c.path], s.fsemuSh(t, a, "cat "+c.path), "before any write: the host's value")
		s.fsemuSh(t, a, fmt.Sprintf("echo %s > %s", c.value, c.path))
		assert.Equal(t, c.value, s.fsemuSh(t, a, "cat "+c.path), "the container reads what it wrote")
		r := s.docker(t, "exec", a, "sh", "-c", fmt.Sprintf("echo %s > %s", c.bad, c.path))
		assert.NotZero(t, r.Code, "%q refused for %s: %s", c.bad, c.path, r)
		assert.Contains(t, r.Stderr, "Invalid argument", "%s", r)
		assert.Equal(t, c.value, s.fsemuSh(t, a, "cat "+c.path), "a refused write changes nothing")
	}
	for _, c := range fsemuSysctls {
		assert.Equal(t, host[c.path], mustRead(t, c.path), "the host's %s is unchanged", c.path)
		assert.Equal(t, host[c.path], s.fsemuSh(t, b, "cat "+c.path), "the other container reads the host's %s", c.path)
	}
	// Only the container's root may write (as with the real files).
	r := s.docker(t, "exec", "-u", "1000", a, "sh", "-c", "echo 5 > /proc/sys/kernel/panic")
	assert.NotZero(t, r.Code, "a non-root user may not write: %s", r)
	assert.Equal(t, "37", s.fsemuSh(t, a, "cat /proc/sys/kernel/panic"))

	// Immutable from inside (the seccomp supervisor protects them as masks).
	for _, p := range []string{"/proc/sys/kernel/panic", "/proc/meminfo"} {
		assert.Equal(t, "ERR EPERM", s.probe(t, a, "umount", p), "umount %s", p)
		assert.Equal(t, "ERR EPERM", s.probe(t, a, "umount-detach", p), "umount -l %s", p)
	}

	// Without --privileged, /proc/sys is read-only: so are the emulated ones.
	c := s.container(t, "c")
	s.startDetached(t, c, nil, "sleep", "1000")
	assert.Equal(t, host["/proc/sys/kernel/panic"], s.fsemuSh(t, c, "cat /proc/sys/kernel/panic"))
	r = s.docker(t, "exec", c, "sh", "-c", "echo 5 > /proc/sys/kernel/panic")
	assert.NotZero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "Read-only file system", "%s", r)
}

// TestFsemuNewProcfs: a procfs or sysfs the container mounts itself shows
// the same emulated files (and the same sysctl values).
func TestFsemuNewProcfs(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, append([]string{"--privileged"}, fsemuLimits...), "sleep", "1000")
	s.fsemuSh(t, name, "echo 41 > /proc/sys/kernel/panic")
	s.fsemuSh(t, name, "mkdir -p /mnt/p /mnt/s && mount -t proc proc /mnt/p && mount -t sysfs sysfs /mnt/s")
	assert.EqualValues(t, 262144, s.fsemuKB(t, name, "/mnt/p/meminfo", "MemTotal"), "the new procfs's meminfo is emulated")
	assert.Equal(t, "1", s.fsemuSh(t, name, "grep -c ^processor /mnt/p/cpuinfo"))
	assert.Equal(t, "1", s.fsemuSh(t, name, "grep -c '^cpu[0-9]' /mnt/p/stat"))
	assert.Less(t, fsemuUptime(t, s.fsemuSh(t, name, "cat /mnt/p/uptime")), 120.0)
	assert.Equal(t, "41", s.fsemuSh(t, name, "cat /mnt/p/sys/kernel/panic"), "the same sysctl value")
	s.fsemuSh(t, name, "echo 42 > /mnt/p/sys/kernel/panic")
	assert.Equal(t, "42", s.fsemuSh(t, name, "cat /proc/sys/kernel/panic"), "one value per container, whichever procfs")
	assert.Equal(t, "0", s.fsemuSh(t, name, "cat /mnt/s/devices/system/cpu/online"), "the new sysfs's cpu/online is emulated")
	for _, p := range []string{"/mnt/p/meminfo", "/mnt/p/sys/kernel/panic", "/mnt/s/devices/system/cpu/online"} {
		assert.Equal(t, "ERR EPERM", s.probe(t, name, "umount", p), "the copy at %s is protected too", p)
	}
	assert.NotEqual(t, "42", mustRead(t, "/proc/sys/kernel/panic"), "the host's is untouched")
	// The kernel's own debug, tracing, security and config directories of
	// /sys appear empty (masks, also over the new sysfs).
	for _, d := range []string{"/sys/kernel/security", "/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/config", "/mnt/s/kernel/debug", "/mnt/s/kernel/tracing"} {
		if s.docker(t, "exec", name, "test", "-d", d).Code == 0 {
			assert.Empty(t, s.fsemuSh(t, name, "ls -A "+d), "%s is empty", d)
		}
	}
	if _, err := os.Stat("/sys/devices/virtual/dmi/id/product_uuid"); err == nil {
		other := s.container(t, "other")
		s.startDetached(t, other, nil, "sleep", "1000")
		u1, u2 := s.fsemuSh(t, name, "cat /sys/devices/virtual/dmi/id/product_uuid"), s.fsemuSh(t, other, "cat /sys/devices/virtual/dmi/id/product_uuid")
		assert.NotEqual(t, u1, u2, "product_uuid is per container")
		assert.NotEqual(t, mustRead(t, "/sys/devices/virtual/dmi/id/product_uuid"), u1)
	} else {
		t.Log("this host has no DMI (/sys/devices/virtual/dmi/id/product_uuid): nothing to emulate")
	}
}

// TestFsemuServerKilled: when the FUSE server (the container's worker)
// dies, the container keeps running, its keeper starts another worker,
// which covers the dead emulated mounts with its own: a reader that keeps
// opening /proc/meminfo from before the kill reads the container's values
// again at once (at most a read or two in the window fail cleanly, with
// ENOTCONN); deleting the container cleans everything up (health check).
func TestFsemuServerKilled(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	script := `while :; do if head -n1 /proc/meminfo >/tmp/line 2>/tmp/err; then echo "ok $(cat /tmp/line)"; else echo "fail $(cat /tmp/err)"; fi; sleep 0.1; done > /tmp/reads.log 2>&1`
	s.startDetached(t, name, fsemuLimits, "sh", "-c", script)
	id := s.inspect(t, name, "{{.Id}}")
	initPid := s.initPID(t, name)
	require.Eventually(t, func() bool {
		return strings.Contains(s.trapsCat(t, name, "/tmp/reads.log"), "ok ")
	}, 10*time.Second, 100*time.Millisecond, "the reader works")

	_, worker := s.supervision(t, id)
	killed := time.Now()
	killProc(t, worker)
	_, took := s.waitReplaced(t, id, "worker.json", worker, killed, recoveryWithin)
	time.Sleep(time.Second)

	assert.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"), "the container keeps running")
	assert.Equal(t, initPid, s.initPID(t, name))
	lines := strings.Split(strings.TrimSpace(s.trapsCat(t, name, "/tmp/reads.log")), "\n")
	var fails int
	for _, l := range lines {
		if strings.HasPrefix(l, "fail ") {
			fails++
			assert.Contains(t, l, "Transport endpoint is not connected", "a clean error: %q", l)
		}
	}
	last := lines[len(lines)-1]
	assert.Regexp(t, `^ok MemTotal:\s+262144 kB$`, last, "the container's value again")
	assert.LessOrEqual(t, fails, 2, "reads failed only in the window (%s)", took)
	t.Logf("worker replaced %s after the kill; %d of %d reads failed; last: %q", took, fails, len(lines), last)
	// The same from the host, through the container's mount.
	_, err := os.ReadFile(fmt.Sprintf("/proc/%d/root/proc/meminfo", initPid))
	assert.NoError(t, err)
}

// TestFsemuReadCost measures reads of the emulated /proc/meminfo (through
// the container's FUSE mount, from the host) against the host's own.
func TestFsemuReadCost(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, fsemuLimits, "sleep", "1000")
	id := s.inspect(t, name, "{{.Id}}")
	dirs, err := filepath.Glob(filepath.Join(s.stateDir, id+".*", "fuse"))
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	cost := func(path string) time.Duration {
		const n = 300
		samples := make([]time.Duration, 0, 5)
		buf := make([]byte, 64<<10)
		for round := 0; round < 5; round++ {
			start := time.Now()
			for i := 0; i < n; i++ {
				fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
				require.NoError(t, err)
				for {
					m, err := unix.Read(fd, buf)
					require.NoError(t, err)
					if m == 0 {
						break
					}
				}
				unix.Close(fd)
			}
			samples = append(samples, time.Since(start)/n)
		}
		sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
		return samples[len(samples)/2]
	}
	native := cost("/proc/meminfo")
	emulated := cost(filepath.Join(dirs[0], "proc", "meminfo"))
	sysctl := cost(filepath.Join(dirs[0], "proc", "sys", "kernel", "panic"))
	nativeSysctl := cost("/proc/sys/kernel/panic")
	load := mustRead(t, "/proc/loadavg")
	t.Logf("read cost (median of 5×300 open+read+close; loadavg %s): /proc/meminfo native %s, emulated %s (%.1f×); kernel.panic native %s, emulated %s (%.1f×)",
		load, native, emulated, float64(emulated)/float64(native), nativeSysctl, sysctl, float64(sysctl)/float64(nativeSysctl))
	assert.Less(t, emulated, 5*time.Millisecond, "an emulated read stays well under a millisecond or so")
}
