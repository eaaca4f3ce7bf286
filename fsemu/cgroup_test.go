package fsemu

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCgroupMounts(t *testing.T) {
	mi := `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 /sub /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
50 31 0:29 / /elsewhere/cpu rw,relatime - cgroup cgroup rw,cpu
`
	fs := ParseCgroupMounts([]byte(mi))
	assert.Equal(t, Hierarchy{Dir: "/sys/fs/cgroup/cpu", Root: "/"}, fs.V1["cpu"], "the first mount wins")
	assert.Equal(t, Hierarchy{Dir: "/sys/fs/cgroup/memory", Root: "/sub"}, fs.V1["memory"])
	assert.NotContains(t, fs.V1, "name=systemd")
	require.NotNil(t, fs.Unified)
	assert.Equal(t, "/sys/fs/cgroup/unified", fs.Unified.Dir)

	cg := fs.Resolve([]byte("4:memory:/sub/docker/x\n1:cpu:/docker/x\n2:cpuacct:/docker/x\n0::/user.slice\n3:blkio:/\n"))
	assert.Equal(t, "/sys/fs/cgroup/memory/docker/x", cg.V1["memory"], "relative to the mount's root")
	assert.Equal(t, "/sys/fs/cgroup/cpu/docker/x", cg.V1["cpu"])
	assert.NotContains(t, cg.V1, "blkio", "not mounted")
	assert.Equal(t, "/sys/fs/cgroup/unified/user.slice", cg.V2)

	cg = fs.Resolve([]byte("4:memory:/other\n"))
	assert.NotContains(t, cg.V1, "memory", "a cgroup outside what the mount shows")
}

func TestMemoryV1(t *testing.T) {
	host, fs := cgroupV1Host(t)
	data, err := readHostFile(host, "/proc/100/cgroup")
	require.NoError(t, err)
	m, err := fs.Resolve(data).Memory()
	require.NoError(t, err)
	assert.EqualValues(t, 256<<20, m.Limit)
	assert.EqualValues(t, 64<<20, m.Usage)
	assert.EqualValues(t, 10<<20, m.Cache)
	assert.EqualValues(t, 50<<20, m.Anon)
	assert.False(t, m.SwapAccounted)
}

func TestMemoryV1UnlimitedAndSwap(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"memory.stat":                 "total_cache 0\nhierarchical_memory_limit 9223372036854771712\nhierarchical_memsw_limit 9223372036854771712\n",
		"memory.usage_in_bytes":       "1000\n",
		"memory.memsw.usage_in_bytes": "5096\n",
		"memory.memsw.limit_in_bytes": "9223372036854771712\n",
	})
	m, err := memoryV1(dir)
	require.NoError(t, err)
	assert.Equal(t, uint64(Unlimited), m.Limit)
	assert.True(t, m.SwapAccounted)
	assert.EqualValues(t, 4096, m.SwapUsage)
	assert.Equal(t, uint64(Unlimited), m.SwapLimit)

	writeFiles(t, dir, map[string]string{
		"memory.stat": "total_cache 0\nhierarchical_memory_limit 268435456\nhierarchical_memsw_limit 536870912\n",
	})
	m, err = memoryV1(dir)
	require.NoError(t, err)
	assert.EqualValues(t, 256<<20, m.SwapLimit, "swap alone is memsw minus memory")
}

func TestMemoryV2(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"memory.max":              "max\n",
		"a/memory.max":            "536870912\n",
		"a/b/memory.max":          "max\n",
		"a/b/memory.current":      "1048576\n",
		"a/b/memory.stat":         "anon 524288\nfile 262144\nslab_reclaimable 4096\n",
		"a/b/memory.swap.max":     "max\n",
		"a/memory.swap.max":       "1048576\n",
		"a/b/memory.swap.current": "8192\n",
	})
	cg := &Cgroups{V1: map[string]string{}, V2: filepath.Join(root, "a/b"), V2Top: root}
	m, err := cg.Memory()
	require.NoError(t, err)
	assert.EqualValues(t, 512<<20, m.Limit, "the parent's limit applies")
	assert.EqualValues(t, 1<<20, m.Usage)
	assert.EqualValues(t, 262144, m.Cache)
	assert.EqualValues(t, 4096, m.SlabReclaimable)
	assert.True(t, m.SwapAccounted)
	assert.EqualValues(t, 1<<20, m.SwapLimit)
	assert.EqualValues(t, 8192, m.SwapUsage)

	_, err = (&Cgroups{V1: map[string]string{}, V2: root, V2Top: root}).Memory()
	assert.ErrorIs(t, err, errNoCgroup, "the root cgroup has no memory.current: the host's values")
}

func TestCPUV1(t *testing.T) {
	host, fs := cgroupV1Host(t)
	data, err := readHostFile(host, "/proc/100/cgroup")
	require.NoError(t, err)
	c, err := fs.Resolve(data).CPU()
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3}, c.Cpuset)
	assert.InDelta(t, 1.0, c.Quota, 1e-9)
	assert.True(t, c.HasUsage)
	assert.Equal(t, CPUTime{User: 3e9, System: 1e9}, c.PerCPU[2])
	assert.Equal(t, CPUTime{User: 4e9, System: 1e9}, c.Total)
}

func TestCPUV2(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"a/cpu.max":                 "150000 100000\n",
		"a/b/cpu.max":               "max 100000\n",
		"a/b/cpu.stat":              "usage_usec 3000\nuser_usec 2000\nsystem_usec 1000\n",
		"a/b/cpuset.cpus.effective": "0-1,4\n",
	})
	cg := &Cgroups{V1: map[string]string{}, V2: filepath.Join(root, "a/b"), V2Top: root}
	c, err := cg.CPU()
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 4}, c.Cpuset)
	assert.InDelta(t, 1.5, c.Quota, 1e-9)
	assert.Nil(t, c.PerCPU)
	assert.Equal(t, CPUTime{User: 2e6, System: 1e6}, c.Total)
}

func TestIO(t *testing.T) {
	host, fs := cgroupV1Host(t)
	data, err := readHostFile(host, "/proc/100/cgroup")
	require.NoError(t, err)
	io, err := fs.Resolve(data).IO()
	require.NoError(t, err)
	assert.Equal(t, IOStat{Reads: 10, Writes: 20, ReadBytes: 1 << 20, WriteBytes: 2 << 20}, io[Dev{254, 0}])

	assert.Equal(t, map[Dev]IOStat{{8, 0}: {ReadBytes: 100, WriteBytes: 200, Reads: 1, Writes: 2, DiscardBytes: 0, Discards: 0}},
		parseIOStatV2([]byte("8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n")))

	_, err = (&Cgroups{V1: map[string]string{}}).IO()
	assert.ErrorIs(t, err, errNoCgroup)
}

func readHostFile(h Host, p string) ([]byte, error) {
	return (&Caller{e: &Emulator{Host: h}}).hostFile(p)
}
