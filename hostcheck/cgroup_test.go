package hostcheck

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mount tables of the three layouts (cut from real hosts).
const (
	mountsHybrid = `25 1 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw
27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
32 25 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
33 25 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset
34 25 0:31 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices
35 25 0:32 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer
36 25 0:33 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio
`
	mountsV1Partial = `30 25 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
`
	mountsNone = "22 1 0:21 / /proc rw - proc proc rw\n"
)

// unified writes a v2 mount table whose hierarchy is a temporary
// directory with the given root controller files.
func unified(t *testing.T, controllers, subtree string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "cg/cgroup.controllers", controllers+"\n", 0o644)
	writeFile(t, dir, "cg/cgroup.subtree_control", subtree+"\n", 0o644)
	return writeFile(t, dir, "mountinfo", fmt.Sprintf("26 1 0:23 / %s rw,nsdelegate - cgroup2 cgroup2 rw,nsdelegate\n", filepath.Join(dir, "cg")), 0o644)
}

func probeCgroups(t *testing.T, mountinfo string) CgroupFacts {
	t.Helper()
	f, err := ProbeCgroups(mountinfo)
	require.NoError(t, err)
	return f
}

func TestCgroupV2(t *testing.T) {
	all := "cpuset cpu io memory hugetlb pids rdma misc"
	f := probeCgroups(t, unified(t, all, all))
	r := Cgroup(f)
	assert.Equal(t, OK, r.Status)
	assert.Contains(t, r.Found, "v2 unified at ")
	r = CgroupDelegation(f)
	assert.Equal(t, OK, r.Status)
	assert.Contains(t, r.Found, "root cgroup.subtree_control: "+all)

	f = probeCgroups(t, unified(t, all, "memory pids"))
	r = CgroupDelegation(f)
	assert.Equal(t, Warn, r.Status)
	assert.Contains(t, r.Found, "not enabled for children: cpu cpuset io")
	assert.Contains(t, r.Fix, "echo '+cpu +cpuset +io' > "+filepath.Join(f.Mounts.Unified.Dir, "cgroup.subtree_control"))

	f = probeCgroups(t, unified(t, "memory pids", "memory pids"))
	r = CgroupDelegation(f)
	assert.Equal(t, Warn, r.Status)
	assert.Contains(t, r.Fix, "the kernel lacks cpu cpuset io")
}

func TestCgroupV1(t *testing.T) {
	dir := t.TempDir()
	f := probeCgroups(t, writeFile(t, dir, "hybrid", mountsHybrid, 0o644))
	r := Cgroup(f)
	assert.Equal(t, OK, r.Status)
	assert.Equal(t, "v1 hybrid: controllers blkio cpu cpuacct cpuset devices freezer memory pids + name=systemd; v2 at /sys/fs/cgroup/unified", r.Found)
	assert.Equal(t, OK, CgroupDelegation(f).Status)

	f = probeCgroups(t, writeFile(t, dir, "partial", mountsV1Partial, 0o644))
	assert.Equal(t, "v1 (no v2 hierarchy): controllers cpu memory", Cgroup(f).Found)
	r = CgroupDelegation(f)
	assert.Equal(t, Warn, r.Status)
	assert.Contains(t, r.Found, "not mounted: blkio cpuacct cpuset devices freezer pids")

	f = probeCgroups(t, writeFile(t, dir, "none", mountsNone, 0o644))
	assert.Equal(t, Missing, Cgroup(f).Status)
	assert.Equal(t, Missing, CgroupDelegation(f).Status)

	_, err := ProbeCgroups(filepath.Join(dir, "absent"))
	assert.Error(t, err)
}
