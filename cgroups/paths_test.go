package cgroups

import (
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hybrid is /proc/PID/cgroup of a docker container on a cgroup v1 hybrid
// host (this project's test machine).
const hybrid = `9:name=systemd:/docker/abc
8:pids:/docker/abc
4:memory:/docker/abc
2:cpu,cpuacct:/docker/abc
0::/docker/abc
`

func hybridMounts() []*mountinfo.Info {
	return []*mountinfo.Info{
		{Mountpoint: "/sys/fs/cgroup/unified", Root: "/", FSType: "cgroup2", VFSOptions: "rw,nosuid", Options: "rw,nsdelegate"},
		{Mountpoint: "/sys/fs/cgroup/systemd", Root: "/", FSType: "cgroup", VFSOptions: "rw", Options: "rw,xattr,name=systemd"},
		{Mountpoint: "/sys/fs/cgroup/pids", Root: "/", FSType: "cgroup", VFSOptions: "rw", Options: "rw,pids"},
		{Mountpoint: "/sys/fs/cgroup/memory", Root: "/", FSType: "cgroup", VFSOptions: "rw", Options: "rw,memory"},
		{Mountpoint: "/sys/fs/cgroup/cpu,cpuacct", Root: "/", FSType: "cgroup", VFSOptions: "rw", Options: "rw,cpu,cpuacct"},
	}
}

func TestParseMemberships(t *testing.T) {
	ms, err := ParseMemberships(strings.NewReader(hybrid))
	require.NoError(t, err)
	require.Len(t, ms, 5)
	assert.Equal(t, []string{"name=systemd"}, ms[0].Controllers)
	assert.Equal(t, []string{"cpu", "cpuacct"}, ms[3].Controllers)
	assert.True(t, ms[4].Unified())
	assert.Equal(t, "/docker/abc", ms[4].Path)

	for _, bad := range []string{"nonsense\n", "1:memory\n", "1:memory:relative\n"} {
		_, err := ParseMemberships(strings.NewReader(bad))
		assert.Error(t, err, "%q", bad)
	}
}

func TestHostDirs(t *testing.T) {
	ms, err := ParseMemberships(strings.NewReader(hybrid))
	require.NoError(t, err)
	dirs := HostDirs(ms, hybridMounts())
	assert.Equal(t, []Dir{
		{Path: "/sys/fs/cgroup/systemd/docker/abc"},
		{Path: "/sys/fs/cgroup/pids/docker/abc"},
		{Path: "/sys/fs/cgroup/memory/docker/abc"},
		{Path: "/sys/fs/cgroup/cpu,cpuacct/docker/abc"},
		{Path: "/sys/fs/cgroup/unified/docker/abc", Unified: true},
	}, dirs)
}

func TestHostDirsMountRoot(t *testing.T) {
	// Seen from a namespace whose cgroup mounts start below the root (a
	// nested engine, a cgroup namespace): paths outside the mount's root
	// are not reachable and give nothing.
	mounts := []*mountinfo.Info{
		{Mountpoint: "/sys/fs/cgroup", Root: "/outer", FSType: "cgroup2"},
	}
	dirs := HostDirs([]Membership{{Path: "/outer/inner/c1"}, {Path: "/elsewhere"}}, mounts)
	assert.Equal(t, []Dir{{Path: "/sys/fs/cgroup/inner/c1", Unified: true}}, dirs)
}

func TestHostDirsUnmountedHierarchy(t *testing.T) {
	dirs := HostDirs([]Membership{{Controllers: []string{"net_cls"}, Path: "/x"}}, hybridMounts())
	assert.Empty(t, dirs)
}

func TestFilesHoldNoLimits(t *testing.T) {
	for _, unified := range []bool{false, true} {
		for _, f := range Files(unified) {
			assert.True(t, strings.HasPrefix(f, "cgroup.") || f == "tasks", "%s is not a delegation file", f)
			assert.NotContains(t, []string{"cgroup.max.depth", "cgroup.max.descendants"}, f)
		}
	}
}
