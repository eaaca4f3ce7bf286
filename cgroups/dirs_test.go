package cgroups

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
)

// hybrid is /proc/PID/cgroup of a docker container on a cgroup v1 hybrid
// host (this project's test machine).
const hybrid = `9:name=systemd:/docker/abc
8:pids:/docker/abc
4:memory:/docker/abc
2:cpu,cpuacct:/docker/abc
0::/docker/abc
`

// hybridMounts is the cgroup part of such a host's mountinfo.
const hybridMounts = `30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
31 25 0:27 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd
32 25 0:28 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids
33 25 0:29 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
34 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
`

func TestDirs(t *testing.T) {
	dirs := Dirs(fsemu.ParseCgroupMounts([]byte(hybridMounts)), []byte(hybrid))
	assert.Equal(t, []Dir{
		{Path: "/sys/fs/cgroup/cpu,cpuacct/docker/abc"},
		{Path: "/sys/fs/cgroup/memory/docker/abc"},
		{Path: "/sys/fs/cgroup/pids/docker/abc"},
		{Path: "/sys/fs/cgroup/systemd/docker/abc"},
		{Path: "/sys/fs/cgroup/unified/docker/abc", Unified: true},
	}, dirs, "every hierarchy once, the named one included")
}

func TestDirsMountRoot(t *testing.T) {
	// Seen from a namespace whose cgroup mounts start below the root (a
	// nested engine, a cgroup namespace): paths outside the mount's root
	// are not reachable and give nothing.
	fs := fsemu.ParseCgroupMounts([]byte("30 25 0:26 /outer /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"))
	assert.Equal(t, []Dir{{Path: "/sys/fs/cgroup/inner/c1", Unified: true}}, Dirs(fs, []byte("0::/outer/inner/c1\n")))
	assert.Empty(t, Dirs(fs, []byte("0::/elsewhere\n")))
}

func TestDirsUnmountedHierarchy(t *testing.T) {
	assert.Empty(t, Dirs(fsemu.ParseCgroupMounts([]byte(hybridMounts)), []byte("5:net_cls:/x\n")))
}

func TestDirsLeavesHierarchyTops(t *testing.T) {
	// A process in the root cgroups (no cgroupsPath): nothing to hand over.
	assert.Empty(t, Dirs(fsemu.ParseCgroupMounts([]byte(hybridMounts)), []byte("4:memory:/\n0::/\n9:name=systemd:/\n")))
}
