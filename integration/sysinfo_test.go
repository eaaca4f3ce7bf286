//go:build linux

package integration

import (
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// sysinfo(2) is answered by the supervisor with the container's values
// (seccomp/sysinfo_linux.go): busybox free and uptime, which read it
// instead of /proc, show the container as /proc/meminfo and /proc/uptime do.

// sysinfoLimit is the -m 256m of these tests, in bytes.
const sysinfoLimit = 256 << 20

// busyboxUptime is busybox uptime's " HH:MM:SS up [N day(s), ](H:MM|M min), ...".
var busyboxUptime = regexp.MustCompile(`up\s+(?:(\d+) days?,\s+)?(?:(\d+):(\d+)|(\d+) min)`)

// sysinfoUptimeMinutes parses busybox uptime's output into whole minutes.
func sysinfoUptimeMinutes(t *testing.T, out string) int {
	t.Helper()
	m := busyboxUptime.FindStringSubmatch(out)
	require.NotNil(t, m, "busybox uptime output: %q", out)
	n := func(s string) int {
		if s == "" {
			return 0
		}
		v, err := strconv.Atoi(s)
		require.NoError(t, err)
		return v
	}
	return n(m[1])*24*60 + n(m[2])*60 + n(m[3]) + n(m[4])
}

// sysinfoFields parses a probe's "name value" lines; "raw" is returned apart.
func sysinfoFields(t *testing.T, status string, lines []string) (map[string]uint64, []byte) {
	t.Helper()
	require.Equal(t, "OK", status, "sysinfo: %v", lines)
	f := map[string]uint64{}
	var raw []byte
	for _, l := range lines {
		k, v, ok := strings.Cut(l, " ")
		require.True(t, ok, "probe line %q", l)
		if k == "raw" {
			var err error
			raw, err = hex.DecodeString(v)
			require.NoError(t, err)
			continue
		}
		n, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "probe line %q", l)
		f[k] = n
	}
	return f, raw
}

// sysinfoProbe runs `probe sysinfo` in a running container.
func (s *suite) sysinfoProbe(t *testing.T, name string) (map[string]uint64, []byte) {
	t.Helper()
	status, lines := s.probeLines(t, name, "sysinfo")
	return sysinfoFields(t, status, lines)
}

func hostUptime(t *testing.T) float64 {
	t.Helper()
	f := strings.Fields(mustRead(t, "/proc/uptime"))
	require.NotEmpty(t, f)
	v, err := strconv.ParseFloat(f[0], 64)
	require.NoError(t, err)
	return v
}

// TestSysinfoBusybox: `docker run -m 256m ... free` shows a total of
// 256 MiB, and `uptime` the fresh container's uptime (0 min) while the
// host's is larger; with and without --privileged.
func TestSysinfoBusybox(t *testing.T) {
	s := setup(t)
	for _, opts := range [][]string{nil, {"--privileged"}} {
		run := func(cmd ...string) string {
			t.Helper()
			args := runArgs(append(append([]string{"--rm", "-m", "256m"}, opts...), testImage)...)
			return s.mustDocker(t, append(args, cmd...)...)
		}
		free := run("free")
		t.Logf("%v free:\n%s", opts, free)
		var total uint64
		for _, line := range strings.Split(free, "\n") {
			if f := strings.Fields(line); len(f) >= 4 && f[0] == "Mem:" {
				var err error
				total, err = strconv.ParseUint(f[1], 10, 64)
				require.NoError(t, err)
			}
		}
		assert.InDelta(t, 262144, total, 262144*0.01, "%v: free's total is the 256 MiB limit (kB)", opts)

		up := run("uptime")
		hostUp := hostUptime(t)
		t.Logf("%v uptime: %s (host: %.0f s)", opts, up, hostUp)
		minutes := sysinfoUptimeMinutes(t, up)
		assert.Zero(t, minutes, "%v: a fresh container is up less than a minute", opts)
		if hostUp >= 120 {
			assert.Less(t, minutes, int(hostUp/60), "%v: the host is up longer", opts)
		}
		assert.Regexp(t, `load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d`, up)
	}
}

// TestSysinfoProbe reads struct sysinfo directly: the limit in bytes, the
// container's uptime, its threads, its shared memory, padding zeroed as by
// the kernel; a bad address is EFAULT.
func TestSysinfoProbe(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"-m", "256m"}, "sleep", "100000")

	f, raw := s.sysinfoProbe(t, name)
	t.Logf("sysinfo: %v", f)
	require.EqualValues(t, 1, f["mem_unit"], "bytes, as the kernel's 64-bit sysinfo")
	assert.EqualValues(t, sysinfoLimit, f["totalram"], "the limit")
	assert.LessOrEqual(t, f["freeram"], f["totalram"])
	assert.Greater(t, f["freeram"], uint64(sysinfoLimit/2), "a sleeping container uses little")
	assert.Less(t, f["uptime"], uint64(60), "the container's uptime")
	assert.Less(t, float64(f["uptime"]), hostUptime(t), "not the host's")
	assert.GreaterOrEqual(t, f["procs"], uint64(1), "the container's threads")
	assert.Less(t, f["procs"], uint64(100), "not the host's")
	assert.Zero(t, f["totalhigh"]+f["freehigh"]+f["pad"])
	require.Len(t, raw, 112)
	assert.Equal(t, make([]byte, 4), raw[84:88], "alignment after pad is zeroed")
	assert.Equal(t, make([]byte, 4), raw[108:112], "the tail is zeroed")

	// What it says moves with the container: 32 MiB in /dev/shm.
	s.mustDocker(t, "exec", name, "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=32")
	g, _ := s.sysinfoProbe(t, name)
	assert.GreaterOrEqual(t, g["sharedram"], uint64(30<<20), "shared memory includes /dev/shm")
	assert.LessOrEqual(t, g["freeram"]+(30<<20), f["freeram"], "free memory drops by what was written")
	memFree := s.fsemuKB(t, name, "/proc/meminfo", "MemFree") << 10
	assert.InDelta(t, float64(memFree), float64(g["freeram"]), 8<<20, "sysinfo and /proc/meminfo agree")

	for _, where := range []string{"ro", "unmapped"} {
		status, _ := s.probeLines(t, name, "sysinfo-at", where)
		assert.Equal(t, "ERR EFAULT", status, "sysinfo into a %s page", where)
	}

	// --privileged sees the same.
	p := s.container(t, "priv")
	s.startDetached(t, p, []string{"--privileged", "-m", "256m"}, "sleep", "100000")
	h, _ := s.sysinfoProbe(t, p)
	assert.EqualValues(t, sysinfoLimit, h["totalram"]*h["mem_unit"], "--privileged: the limit")
	assert.Less(t, h["uptime"], uint64(60), "--privileged: the container's uptime")
}

// TestSysinfoCompatABI: a 32-bit x86 caller gets the i386 layout: the
// limit in bytes (mem_unit 1, it fits 32 bits), and without a limit the
// host's memory counted in pages when it does not fit (mem_unit 4096), as
// the kernel's compat sysinfo does.
func TestSysinfoCompatABI(t *testing.T) {
	s := setup(t)
	dir := s.trapsProbe386Dir(t)
	limited := s.container(t, "limited")
	s.startDetached(t, limited, []string{"-m", "256m", "-v", dir + ":/p386:ro"}, "sleep", "100000")
	p386 := func(name string) (map[string]uint64, []byte) {
		t.Helper()
		r := s.docker(t, "exec", name, "/p386/probe386", "sysinfo")
		if r.Code != 0 && strings.Contains(r.Stderr+r.Stdout, "exec format error") {
			t.Skipf("this kernel runs no 32-bit x86 programs (no IA32 emulation): %s", r)
		}
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		return sysinfoFields(t, lines[0], lines[1:])
	}
	f, raw := p386(limited)
	t.Logf("i386 sysinfo, -m 256m: %v", f)
	assert.EqualValues(t, 1, f["mem_unit"], "256 MiB fits 32 bits: bytes")
	assert.EqualValues(t, sysinfoLimit, f["totalram"]*f["mem_unit"], "the limit")
	assert.Less(t, f["uptime"], uint64(60), "the container's uptime")
	require.Len(t, raw, 64)
	assert.Equal(t, make([]byte, 8), raw[56:64], "_f is zeroed")

	var host unix.Sysinfo_t
	require.NoError(t, unix.Sysinfo(&host))
	hostRAM := host.Totalram * uint64(host.Unit)
	unlimited := s.container(t, "unlimited")
	s.startDetached(t, unlimited, []string{"-v", dir + ":/p386:ro"}, "sleep", "100000")
	g, _ := p386(unlimited)
	t.Logf("i386 sysinfo, no limit: %v (host RAM %d bytes)", g, hostRAM)
	if hostRAM>>32 != 0 {
		assert.EqualValues(t, 4096, g["mem_unit"], "more than 4 GiB: pages")
	} else {
		assert.EqualValues(t, 1, g["mem_unit"])
	}
	assert.Equal(t, hostRAM, g["totalram"]*g["mem_unit"], "no limit: the host's memory, as its kernel says")
}
