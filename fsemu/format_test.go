package fsemu

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func meminfoValues(t *testing.T, data []byte) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	for _, l := range parseMeminfo(data) {
		if l.name != "" {
			out[l.name] = l.value
		}
	}
	return out
}

func TestFormatMeminfo(t *testing.T) {
	m := Memory{Limit: 256 << 20, Usage: 64 << 20, Cache: 10 << 20, Anon: 50 << 20, ActiveFile: 6 << 20, InactiveFile: 4 << 20, Shmem: 1 << 20}
	out := FormatMeminfo([]byte(hostMeminfo), m)
	v := meminfoValues(t, out)
	assert.EqualValues(t, 262144, v["MemTotal"], "the limit")
	assert.EqualValues(t, 262144-65536, v["MemFree"], "limit minus usage")
	assert.EqualValues(t, 262144-65536+10240, v["MemAvailable"], "free plus the file cache")
	assert.EqualValues(t, 10240, v["Cached"])
	assert.EqualValues(t, 0, v["Buffers"])
	assert.EqualValues(t, 51200, v["AnonPages"])
	assert.EqualValues(t, 1048576, v["SwapTotal"], "no swap accounting: the host's swap lines")
	assert.EqualValues(t, 34359738367, v["VmallocTotal"], "kernel-wide lines stay")
	assert.Contains(t, string(out), "MemTotal:         262144 kB\n", "the kernel's layout")
	assert.Contains(t, string(out), "HugePages_Total:       0\n")
	assert.Equal(t, strings.Count(hostMeminfo, "\n"), strings.Count(string(out), "\n"), "same lines, same order")

	v = meminfoValues(t, FormatMeminfo([]byte(hostMeminfo), Memory{Limit: Unlimited, Usage: 1 << 30}))
	assert.EqualValues(t, 24683656, v["MemTotal"], "no limit: the host's memory")
	assert.EqualValues(t, 24683656-1048576, v["MemFree"])

	v = meminfoValues(t, FormatMeminfo([]byte(hostMeminfo), Memory{Limit: 1 << 20, Usage: 2 << 20}))
	assert.EqualValues(t, 0, v["MemFree"], "usage above the limit (a racing read) is clamped")

	v = meminfoValues(t, FormatMeminfo([]byte(hostMeminfo), Memory{Limit: 256 << 20, SwapAccounted: true, SwapLimit: 256 << 20, SwapUsage: 1 << 20}))
	assert.EqualValues(t, 262144, v["SwapTotal"])
	assert.EqualValues(t, 262144-1024, v["SwapFree"])
	v = meminfoValues(t, FormatMeminfo([]byte(hostMeminfo), Memory{Limit: 256 << 20, SwapAccounted: true, SwapLimit: Unlimited}))
	assert.EqualValues(t, 1048576, v["SwapTotal"], "no swap limit: the host's swap")
}

func TestFormatCpuinfo(t *testing.T) {
	out := string(FormatCpuinfo([]byte(hostCpuinfo), []int{2}))
	assert.Equal(t, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\ncore id\t\t: 2\n\n", out)
	out = string(FormatCpuinfo([]byte(hostCpuinfo), []int{1, 3}))
	assert.Equal(t, 2, strings.Count(out, "processor"))
	assert.Contains(t, out, "processor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\ncore id\t\t: 3\n")
	// A trailing summary (arm64 and others) stays.
	out = string(FormatCpuinfo([]byte("processor\t: 0\nBogoMIPS\t: 50\n\nprocessor\t: 1\nBogoMIPS\t: 50\n\nHardware\t: X\n"), []int{1}))
	assert.Equal(t, "processor\t: 0\nBogoMIPS\t: 50\n\nHardware\t: X\n\n", out)
}

func TestCPUList(t *testing.T) {
	cpus, err := ParseCPUList("0-2,8,10-11\n")
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 8, 10, 11}, cpus)
	assert.Equal(t, "0-2,8,10-11", FormatCPUList(cpus))
	assert.Equal(t, "0", FormatCPUList([]int{0}))
	for _, bad := range []string{"a", "3-1", "-1", "1,,2"} {
		_, err := ParseCPUList(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, 4, VisibleCPUs([]int{0, 1, 2, 3}, 0), "no quota")
	assert.Equal(t, 1, VisibleCPUs([]int{0, 1, 2, 3}, 1))
	assert.Equal(t, 2, VisibleCPUs([]int{0, 1, 2, 3}, 1.5), "rounded up")
	assert.Equal(t, 1, VisibleCPUs([]int{5}, 8), "the cpuset bounds it")
	assert.Equal(t, 1, VisibleCPUs([]int{0, 1}, 0.01))
	assert.Equal(t, [][]int{{0, 2}, {1, 3}}, CPUGroups([]int{0, 1, 2, 3}, 2))
	assert.Equal(t, "0-1\n", string(FormatCPUOnline(2)))
	assert.Equal(t, "0\n", string(FormatCPUOnline(1)))
}

func TestFormatStat(t *testing.T) {
	c := CPU{HasUsage: true, PerCPU: map[int]CPUTime{2: {User: 3e9, System: 1e9}, 3: {User: 1e9}}}
	out := string(FormatStat([]byte(hostStat), [][]int{{2, 3}}, c))
	lines := strings.Split(out, "\n")
	// user = (3+1) s = 400 ticks, system 100, idle = cpu2's 11500 - 500.
	assert.Equal(t, "cpu  400 0 100 11000 0 0 0 0 0 0", lines[0])
	assert.Equal(t, "cpu0 400 0 100 11000 0 0 0 0 0 0", lines[1])
	assert.Equal(t, "intr 14779298 0 0", lines[2], "one cpu line, the rest is the host's")
	assert.Contains(t, out, "btime 1795769545\n")

	out = string(FormatStat([]byte(hostStat), [][]int{{0}, {1}}, CPU{HasUsage: true, Total: CPUTime{User: 2e9, System: 2e9}}))
	assert.True(t, strings.HasPrefix(out, "cpu  200 0 200 22615 0 0 0 0 0 0\ncpu0 100 0 100 11315 0 0 0 0 0 0\ncpu1 100 0 100 11300 0 0 0 0 0 0\nintr"), out)

	out = string(FormatStat([]byte(hostStat), [][]int{{1}}, CPU{}))
	assert.True(t, strings.HasPrefix(out, "cpu  1000 0 500 10000 0 0 0 0 0 0\ncpu0 1000 0 500 10000 0 0 0 0 0 0\n"), "no accounting: the host CPU's line: %s", out)
}

func TestUptime(t *testing.T) {
	up, idle := Uptime(5000.5, 100*4000, 2, 100)
	assert.InDelta(t, 1000.5, up, 1e-9, "since the init started")
	assert.InDelta(t, 2*1000.5-100, idle, 1e-9)
	_, idle = Uptime(5000.5, 100*4000, 1, -1)
	assert.Zero(t, idle, "unknown usage")
	up, idle = Uptime(10, 100*4000, 1, 5)
	assert.Zero(t, up, "never negative")
	assert.Zero(t, idle)
	assert.Equal(t, "1000.50 1901.00\n", string(FormatUptime(1000.5, 1901)))
}

func TestLoad(t *testing.T) {
	var l Load
	for i := 0; i < 12*5; i++ { // 5 minutes of 2 busy threads
		l.Sample(2)
	}
	assert.InDelta(t, 2*(1-0.0067), l.Avg[0], 0.01, "the 1-minute average follows within minutes")
	assert.InDelta(t, 2*(1-1/2.718), l.Avg[1], 0.02, "the 5-minute one reaches 1-1/e in 5 minutes")
	assert.Less(t, l.Avg[2], l.Avg[1])
	l.Running, l.Total, l.LastPid = 1, 7, 42
	assert.Regexp(t, `^\d+\.\d\d \d+\.\d\d \d+\.\d\d 1/7 42\n$`, string(l.Format()))
}

func TestFormatSwaps(t *testing.T) {
	host := "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swapfile                               file\t\t1048576\t\t0\t\t-2\n"
	assert.Equal(t, host, string(FormatSwaps([]byte(host), Memory{})), "no swap accounting: the host's")
	out := string(FormatSwaps([]byte(host), Memory{SwapAccounted: true, SwapLimit: 256 << 20, SwapUsage: 1 << 20}))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, []string{"none", "virtual", "262144", "1024", "0"}, strings.Fields(lines[1]))
	out = string(FormatSwaps([]byte("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"), Memory{SwapAccounted: true, SwapLimit: Unlimited}))
	assert.Equal(t, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", out, "no swap on the host: no line")
}

func TestFormatDiskstats(t *testing.T) {
	out := string(FormatDiskstats([]byte(hostDiskstats), map[Dev]IOStat{{254, 0}: {Reads: 10, Writes: 20, ReadBytes: 1 << 20, WriteBytes: 2 << 20}}))
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 3, "every host device")
	assert.Equal(t, " 254       0 vda 10 0 2048 0 20 0 4096 0 0 0 0 0 0 0 0 0 0", lines[1])
	assert.Equal(t, "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", lines[0], "no I/O there")
	assert.Equal(t, len(strings.Fields(strings.Split(hostDiskstats, "\n")[1])), len(strings.Fields(lines[1])), "the host's number of fields")
}

func TestProductUUID(t *testing.T) {
	a, b := ProductUUID("c1"), ProductUUID("c2")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b, "one per container")
	assert.Equal(t, a, ProductUUID("c1"), "stable")
}
