package fsemu

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeFiles writes name → content below dir (creating directories).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

const hostMeminfo = `MemTotal:       24683656 kB
MemFree:        22753000 kB
MemAvailable:   23556000 kB
Buffers:           10000 kB
Cached:          1000000 kB
SwapCached:            0 kB
Active:           500000 kB
Inactive:         400000 kB
Active(anon):     100000 kB
Inactive(anon):   100000 kB
Active(file):     400000 kB
Inactive(file):   300000 kB
Unevictable:           0 kB
Mlocked:               0 kB
SwapTotal:       1048576 kB
SwapFree:        1048576 kB
Dirty:               100 kB
Writeback:             0 kB
AnonPages:        200000 kB
Mapped:           100000 kB
Shmem:              8924 kB
KReclaimable:      50000 kB
Slab:             100000 kB
SReclaimable:      50000 kB
SUnreclaim:        50000 kB
VmallocTotal:   34359738367 kB
HugePages_Total:       0
HugePages_Free:        0
Hugepagesize:       2048 kB
`

const hostCpuinfo = `processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Processor
core id		: 0

processor	: 1
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Processor
core id		: 1

processor	: 2
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Processor
core id		: 2

processor	: 3
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Processor
core id		: 3

`

const hostStat = `cpu  4000 0 2000 40000 10 0 5 0 0 0
cpu0 1000 0 500 10000 10 0 5 0 0 0
cpu1 1000 0 500 10000 0 0 0 0 0 0
cpu2 1000 0 500 10000 0 0 0 0 0 0
cpu3 1000 0 500 10000 0 0 0 0 0 0
intr 14779298 0 0
ctxt 39518401
btime 1795769545
processes 894007
procs_running 3
procs_blocked 0
softirq 3825526 0 320052
`

const hostDiskstats = `   7       0 loop0 10 0 20 0 0 0 0 0 0 1 1 0 0 0 0 0 0
 254       0 vda 5000 10 300000 900 7000 20 500000 800 0 1200 1700 0 0 0 0 10 5
 254       1 vda1 4000 10 200000 800 6000 20 400000 700 0 1100 1500 0 0 0 0 0 0
`

// cgroupV1Host is a host with a v1 hierarchy per controller under root
// and a container (pid 100) in /docker/c1 with 256 MiB, one CPU of quota
// on cpuset 2-3, no swap accounting.
func cgroupV1Host(t *testing.T) (Host, CgroupFS) {
	t.Helper()
	root := t.TempDir()
	cg := filepath.Join(root, "cgroup")
	c := "docker/c1"
	writeFiles(t, root, map[string]string{
		"proc/meminfo":                  hostMeminfo,
		"proc/cpuinfo":                  hostCpuinfo,
		"proc/stat":                     hostStat,
		"proc/diskstats":                hostDiskstats,
		"proc/uptime":                   "5000.50 9000.00\n",
		"proc/swaps":                    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swapfile                               file\t\t1048576\t\t0\t\t-2\n",
		"proc/loadavg":                  "5.00 4.00 3.00 9/500 12345\n",
		"proc/sys/kernel/panic":         "1\n",
		"proc/sys/vm/overcommit_memory": "0\n",
		"proc/sys/fs/file-max":          "2466165\n",
		"proc/sys/kernel/osrelease":     "6.18.44-fc\n",
		"proc/100/cgroup":               "9:name=systemd:/docker/c1\n4:memory:/docker/c1\n3:cpuset:/docker/c1\n2:cpu,cpuacct:/docker/c1\n7:blkio:/docker/c1\n0::/\n",
		"sys/devices/system/cpu/online": "0-3\n",
		"cgroup/memory/" + c + "/memory.stat": "cache 4096\ntotal_cache 10485760\ntotal_rss 52428800\ntotal_shmem 1048576\ntotal_mapped_file 2097152\n" +
			"total_dirty 4096\ntotal_writeback 0\ntotal_active_anon 41943040\ntotal_inactive_anon 10485760\n" +
			"total_active_file 6291456\ntotal_inactive_file 4194304\ntotal_unevictable 0\nhierarchical_memory_limit 268435456\n",
		"cgroup/memory/" + c + "/memory.usage_in_bytes":                    "67108864\n",
		"cgroup/memory/" + c + "/memory.limit_in_bytes":                    "268435456\n",
		"cgroup/cpuset/" + c + "/cpuset.effective_cpus":                    "2-3\n",
		"cgroup/cpu,cpuacct/" + c + "/cpu.cfs_quota_us":                    "100000\n",
		"cgroup/cpu,cpuacct/" + c + "/cpu.cfs_period_us":                   "100000\n",
		"cgroup/cpu,cpuacct/cpu.cfs_quota_us":                              "-1\n",
		"cgroup/cpu,cpuacct/cpu.cfs_period_us":                             "100000\n",
		"cgroup/cpu,cpuacct/" + c + "/cpuacct.usage_all":                   "cpu user system\n0 0 0\n1 0 0\n2 3000000000 1000000000\n3 1000000000 0\n",
		"cgroup/cpu,cpuacct/" + c + "/tasks":                               "100\n",
		"cgroup/blkio/" + c + "/blkio.throttle.io_service_bytes_recursive": "254:0 Read 1048576\n254:0 Write 2097152\n254:0 Total 3145728\nTotal 3145728\n",
		"cgroup/blkio/" + c + "/blkio.throttle.io_serviced_recursive":      "254:0 Read 10\n254:0 Write 20\n254:0 Total 30\nTotal 30\n",
	})
	fs := CgroupFS{V1: map[string]Hierarchy{
		"memory":  {Dir: filepath.Join(cg, "memory"), Root: "/"},
		"cpuset":  {Dir: filepath.Join(cg, "cpuset"), Root: "/"},
		"cpu":     {Dir: filepath.Join(cg, "cpu,cpuacct"), Root: "/"},
		"cpuacct": {Dir: filepath.Join(cg, "cpu,cpuacct"), Root: "/"},
		"blkio":   {Dir: filepath.Join(cg, "blkio"), Root: "/"},
	}}
	return Host{Proc: filepath.Join(root, "proc"), Sys: filepath.Join(root, "sys")}, fs
}
