package fsemu

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sysinfo(2)'s values are the emulated files' values.
func TestSysinfoOfTheCallersCgroup(t *testing.T) {
	e := containerEmulator(t)
	s, err := e.Sysinfo(100)
	require.NoError(t, err)
	const kB = 1024
	assert.Equal(t, Sysinfo{
		Uptime:    2000.5,       // as /proc/uptime
		Loads:     [3]float64{}, // tracked from this first read on
		Procs:     1,            // the cgroup's one thread
		TotalRAM:  262144 * kB,  // the 256 MiB limit
		FreeRAM:   196608 * kB,  // less the 64 MiB used
		SharedRAM: 1024 * kB,    // total_shmem
		BufferRAM: 0,
		TotalSwap: 1048576 * kB, // no swap accounting: the host's
		FreeSwap:  1048576 * kB,
	}, s)

	meminfo, err := e.Read("/proc/meminfo", 100)
	require.NoError(t, err)
	m := meminfoValues(t, meminfo)
	assert.Equal(t, m["MemTotal"]*kB, s.TotalRAM, "the same as /proc/meminfo")
	assert.Equal(t, m["MemFree"]*kB, s.FreeRAM)
	assert.Equal(t, m["Shmem"]*kB, s.SharedRAM)
	assert.Equal(t, m["SwapFree"]*kB, s.FreeSwap)

	e.loads.sampleAll(e.Now())
	s, err = e.Sysinfo(100)
	require.NoError(t, err)
	assert.InDelta(t, 0.08, s.Loads[0], 0.005, "the load moves as /proc/loadavg's")
	loadavg, err := e.Read("/proc/loadavg", 100)
	require.NoError(t, err)
	l, err := parseLoadavg(loadavg)
	require.NoError(t, err)
	for i := range l.Avg {
		assert.InDelta(t, l.Avg[i], s.Loads[i], 0.005)
	}
}

// A caller without cgroups sees the host's values (as in the files).
func TestSysinfoWithoutCgroup(t *testing.T) {
	e := containerEmulator(t)
	writeFiles(t, e.Host.Proc, map[string]string{"101/cgroup": "0::/\n"})
	addProcess(t, e.Host, 101, "4026532001", 8, 400000, "S")
	s, err := e.Sysinfo(101)
	require.NoError(t, err)
	assert.EqualValues(t, 24683656*1024, s.TotalRAM)
	assert.EqualValues(t, 22753000*1024, s.FreeRAM)
	assert.EqualValues(t, 10000*1024, s.BufferRAM)
	assert.EqualValues(t, 8924*1024, s.SharedRAM)
	assert.Equal(t, [3]float64{5, 4, 3}, s.Loads, "the host's /proc/loadavg")
	assert.Equal(t, 500, s.Procs)
	assert.InDelta(t, 2000.5, s.Uptime, 1e-9, "the uptime is still the container's")

	_, err = e.Sysinfo(12345)
	assert.Error(t, err, "a process that is gone")
}

func TestParseLoadavg(t *testing.T) {
	l, err := parseLoadavg([]byte("0.52 0.58 0.59 2/345 6789\n"))
	require.NoError(t, err)
	assert.Equal(t, Load{Avg: [3]float64{0.52, 0.58, 0.59}, Running: 2, Total: 345, LastPid: 6789}, l)
	for _, bad := range []string{"", "1 2 3", "a 2 3 1/2 3", "1 2 3 12 3"} {
		_, err := parseLoadavg([]byte(bad))
		assert.Error(t, err, "%q", bad)
	}
}
