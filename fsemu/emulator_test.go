package fsemu

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addProcess makes pid a process of the fake host: in pid namespace ns,
// pid nsPid there, started at start ticks, in state.
func addProcess(t *testing.T, h Host, pid int, ns string, nsPidNr int, start uint64, state string) {
	t.Helper()
	dir := filepath.Join(h.Proc, fmt.Sprint(pid))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "ns"), 0o755))
	require.NoError(t, os.Symlink("pid:["+ns+"]", filepath.Join(dir, "ns", "pid")))
	stat := fmt.Sprintf("%d (sh) %s 1 %d %d 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 %d 1000 100\n", pid, state, pid, pid, start)
	writeFiles(t, dir, map[string]string{
		"stat":   stat,
		"status": fmt.Sprintf("Name:\tsh\nNSpid:\t%d\t%d\n", pid, nsPidNr),
	})
}

func containerEmulator(t *testing.T) *Emulator {
	t.Helper()
	host, fs := cgroupV1Host(t)
	addProcess(t, host, 90, "4026532001", 1, 300000, "S") // the container's init: started 3000 s after boot
	addProcess(t, host, 100, "4026532001", 7, 400000, "R")
	e := New("c1", host, fs, AvailableFiles(host))
	e.Now = func() time.Time { return time.Unix(1000, 0) }
	return e
}

func TestEmulatorReadsTheCallersCgroup(t *testing.T) {
	e := containerEmulator(t)

	data, err := e.Read("/proc/meminfo", 100)
	require.NoError(t, err)
	assert.EqualValues(t, 262144, meminfoValues(t, data)["MemTotal"])

	data, err = e.Read("/proc/cpuinfo", 100)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(data), "processor"), "1 CPU of quota on cpuset 2-3")
	assert.Contains(t, string(data), "core id\t\t: 2", "the cpuset's first CPU")

	data, err = e.Read("/proc/stat", 100)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "cpu  400 0 100 11000 0 0 0 0 0 0\ncpu0 400 0 100 11000 0 0 0 0 0 0\nintr "), "%s", data)

	data, err = e.Read("/sys/devices/system/cpu/online", 100)
	require.NoError(t, err)
	assert.Equal(t, "0\n", string(data))

	data, err = e.Read("/proc/uptime", 100)
	require.NoError(t, err)
	assert.Equal(t, "2000.50 1995.50\n", string(data), "since the namespace's init started; idle: 1 CPU less 5 s used")

	data, err = e.Read("/proc/diskstats", 100)
	require.NoError(t, err)
	assert.Contains(t, string(data), " 254       0 vda 10 0 2048 0 20 0 4096 ")

	data, err = e.Read("/proc/swaps", 100)
	require.NoError(t, err)
	assert.Contains(t, string(data), "/swapfile", "no swap accounting: the host's")

	data, err = e.Read("/proc/loadavg", 100)
	require.NoError(t, err)
	assert.Equal(t, "0.00 0.00 0.00 1/1 7\n", string(data), "the cgroup's one thread, running; its pid inside")
	e.loads.sampleAll(e.Now())
	data, err = e.Read("/proc/loadavg", 100)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "0.08 0.02 0.01 1/1 7"), "%s", data)

	_, err = e.Read("/proc/meminfo", 12345)
	assert.Equal(t, syscall.EIO, Errno(err), "a caller that is gone")
	_, err = e.Read("/proc/nothing", 100)
	assert.Equal(t, syscall.ENOENT, Errno(err))
}

func TestEmulatorHostValuesWithoutCgroup(t *testing.T) {
	e := containerEmulator(t)
	writeFiles(t, e.Host.Proc, map[string]string{"200/cgroup": "0::/\n"})
	data, err := e.Read("/proc/meminfo", 200)
	require.NoError(t, err)
	assert.Equal(t, hostMeminfo, string(data), "no memory cgroup: the host's file")
	data, err = e.Read("/proc/diskstats", 200)
	require.NoError(t, err)
	assert.Equal(t, hostDiskstats, string(data))
	data, err = e.Read("/sys/devices/system/cpu/online", 200)
	require.NoError(t, err)
	assert.Equal(t, "0-3\n", string(data), "no cpuset: the host's CPUs")
}

func TestSysctlsPerContainer(t *testing.T) {
	a, b := containerEmulator(t), containerEmulator(t)
	read := func(e *Emulator, p string) string {
		data, err := e.Read(p, 100)
		require.NoError(t, err)
		return string(data)
	}
	assert.Equal(t, "1\n", read(a, "/proc/sys/kernel/panic"), "the host's value until written")
	require.NoError(t, a.Write("/proc/sys/kernel/panic", 100, []byte("30\n")))
	require.NoError(t, a.Write("/proc/sys/vm/overcommit_memory", 100, []byte("2")))
	assert.Equal(t, "30\n", read(a, "/proc/sys/kernel/panic"))
	assert.Equal(t, "2\n", read(a, "/proc/sys/vm/overcommit_memory"))
	assert.Equal(t, "1\n", read(b, "/proc/sys/kernel/panic"), "another container keeps the host's")
	hostPanic, err := os.ReadFile(filepath.Join(a.Host.Proc, "sys/kernel/panic"))
	require.NoError(t, err)
	assert.Equal(t, "1\n", string(hostPanic), "nothing reaches the host")

	assert.Equal(t, syscall.EINVAL, a.Write("/proc/sys/vm/overcommit_memory", 100, []byte("3")))
	assert.Equal(t, "2\n", read(a, "/proc/sys/vm/overcommit_memory"), "a refused write changes nothing")
	assert.Equal(t, syscall.EACCES, a.Write("/proc/meminfo", 100, []byte("x")))
}

func TestNSInits(t *testing.T) {
	e := containerEmulator(t)
	start, err := e.inits.startOf(100)
	require.NoError(t, err)
	assert.EqualValues(t, 300000, start, "the init of pid 100's namespace")
	// Cached, and checked: a new init of the namespace (a restart reusing
	// nothing) is found again.
	require.NoError(t, os.RemoveAll(filepath.Join(e.Host.Proc, "90")))
	addProcess(t, e.Host, 95, "4026532001", 1, 350000, "S")
	start, err = e.inits.startOf(100)
	require.NoError(t, err)
	assert.EqualValues(t, 350000, start)
}

func TestRegistry(t *testing.T) {
	byPath := map[string]File{}
	for _, f := range Files() {
		byPath[f.Path] = f
	}
	for _, p := range []string{"/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/uptime", "/proc/loadavg", "/proc/swaps", "/proc/diskstats"} {
		require.Contains(t, byPath, p)
		assert.False(t, byPath[p].ByHook(), "%s: a spec mount (runc's list)", p)
		assert.Nil(t, byPath[p].Write)
	}
	assert.False(t, byPath["/sys/devices/system/cpu/online"].ByHook())
	assert.True(t, byPath["/proc/sys/kernel/panic"].ByHook())

	host, _ := cgroupV1Host(t)
	var got []string
	for _, f := range AvailableFiles(host) {
		got = append(got, f.Path)
	}
	assert.Contains(t, got, "/proc/sys/kernel/panic")
	assert.NotContains(t, got, "/proc/sys/kernel/sysrq", "the host has none")
	assert.NotContains(t, got, "/sys/devices/virtual/dmi/id/product_uuid", "the host has no DMI")

	writeFiles(t, host.Proc, map[string]string{"sys/kernel/pid_max": "32768\n"})
	assert.False(t, byPath["/proc/sys/kernel/pid_max"].IsAvailable(host), "namespaced on 6.18")
	writeFiles(t, host.Proc, map[string]string{"sys/kernel/osrelease": "6.1.0\n"})
	assert.True(t, byPath["/proc/sys/kernel/pid_max"].IsAvailable(host), "emulated before 6.14")

	assert.Equal(t, "/h/proc/meminfo", Host{Proc: "/h/proc", Sys: "/h/sys"}.Path("/proc/meminfo"))
	assert.Equal(t, "/h/sys/devices", Host{Proc: "/h/proc", Sys: "/h/sys"}.Path("/sys/devices"))
	assert.Equal(t, []string{"/proc", "/proc/sys", "/proc/sys/kernel", "/sys", "/sys/devices"},
		dirsOf([]File{{Path: "/proc/meminfo"}, {Path: "/proc/sys/kernel/panic"}, {Path: "/sys/devices/x"}}))
}

func TestErrno(t *testing.T) {
	assert.Equal(t, syscall.EINVAL, Errno(syscall.EINVAL))
	assert.Equal(t, syscall.EIO, Errno(fmt.Errorf("x: %w", os.ErrNotExist)))
	_, err := os.ReadFile("/nonexistent/file")
	assert.Equal(t, syscall.EIO, Errno(err), "a host file that cannot be read is not the caller's ENOENT")
}
