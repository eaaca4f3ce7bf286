//go:build linux

package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
)

// hostCgroupDir returns the host directory of a process's cgroup in the v1
// hierarchy of controller.
func hostCgroupDir(t *testing.T, pid int, controller string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	require.NoError(t, err)
	fs, err := fsemu.DetectCgroupFS(fsemu.RealHost)
	require.NoError(t, err)
	dir, ok := fs.Resolve(data).V1[controller]
	require.True(t, ok, "pid %d has no %s cgroup: %s", pid, controller, data)
	return dir
}

func readTrimmed(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.TrimSpace(string(data))
}

// TestCgroupDelegation: under --privileged, the container's own cgroup
// subtree is its root's (an inner engine or systemd makes sub-cgroups and
// sets their limits), but the limits docker set (-m, --pids-limit) cannot
// be raised: neither by writing them (EACCES) nor by a sub-cgroup with a
// higher limit (the kernel bounds it by its parent).
func TestCgroupDelegation(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged", "-m", "64m", "--pids-limit", "20"}, "sleep", "1000")
	pid := s.initPID(t, name)
	uidMap, _ := hostIDMaps(t, pid)
	rootUID := requirePoolRange(t, "uid_map", uidMap).Outside
	memDir := hostCgroupDir(t, pid, "memory")
	pidsDir := hostCgroupDir(t, pid, "pids")

	// On the host: the directory and cgroup.procs are the container root's,
	// the limit files host root's.
	uid, _ := fileOwner(t, memDir)
	assert.EqualValues(t, rootUID, uid, "owner of %s", memDir)
	uid, _ = fileOwner(t, filepath.Join(memDir, "cgroup.procs"))
	assert.EqualValues(t, rootUID, uid, "owner of cgroup.procs")
	uid, _ = fileOwner(t, filepath.Join(memDir, "memory.limit_in_bytes"))
	assert.EqualValues(t, 0, uid, "owner of memory.limit_in_bytes")

	// Inside: sub-cgroups, their limits, moving a process in.
	script := `set -e
for c in memory pids cpu systemd; do mkdir /sys/fs/cgroup/$c/sub; done
echo 33554432 > /sys/fs/cgroup/memory/sub/memory.limit_in_bytes
cat /sys/fs/cgroup/memory/sub/memory.limit_in_bytes
echo 1000 > /sys/fs/cgroup/pids/sub/pids.max
sh -c 'echo $$ > /sys/fs/cgroup/memory/sub/cgroup.procs; grep memory: /proc/self/cgroup'
echo ---
echo 2147483648 > /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>&1 || true
echo 1073741824 > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>&1 || true
echo 1000 > /sys/fs/cgroup/pids/pids.max 2>&1 || true
echo 100000 > /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>&1 || true
echo ---
cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
`
	r := s.docker(t, "exec", name, "sh", "-c", script)
	require.Zero(t, r.Code, "%s", r)
	parts := strings.Split(r.Stdout, "---\n")
	require.Len(t, parts, 3, "%s", r)
	first := strings.Fields(parts[0])
	require.Len(t, first, 2, "%s", r)
	assert.Equal(t, "33554432", first[0], "the sub-cgroup's limit")
	assert.True(t, strings.HasSuffix(first[1], ":memory:/sub"), "a process moved into the sub-cgroup: %s", first[1])
	denied := strings.Count(r.Stderr, "Permission denied")
	assert.Equal(t, 4, denied, "each write of an outer limit is refused: %s", r)
	assert.Equal(t, []string{"67108864", "20"}, strings.Fields(parts[2]), "the limits docker set, seen inside")
	assert.Equal(t, "67108864", readTrimmed(t, filepath.Join(memDir, "memory.limit_in_bytes")), "on the host")
	assert.Equal(t, "20", readTrimmed(t, filepath.Join(pidsDir, "pids.max")), "on the host")

	// A sub-cgroup whose pids.max (1000) is above the container's (20)
	// still gets no more than 20 processes in the whole container.
	// The shell dies on the first failed fork; the counts are read on the
	// host (inside, nothing could fork any more to read them).
	r = s.docker(t, "exec", name, "sh", "-c",
		`echo $$ > /sys/fs/cgroup/pids/sub/cgroup.procs; for i in $(seq 40); do sleep 300 & done; echo all forked`)
	assert.NotContains(t, r.Stdout, "all forked", "%s", r)
	assert.Contains(t, r.Stderr, "can't fork", "%s", r)
	current, err := strconv.Atoi(readTrimmed(t, filepath.Join(pidsDir, "pids.current")))
	require.NoError(t, err)
	assert.LessOrEqual(t, current, 20, "pids.current of the container, on the host")
	inSub := strings.Count(readTrimmed(t, filepath.Join(pidsDir, "sub", "cgroup.procs")), "\n") + 1
	assert.Less(t, inSub, 40, "processes in the sub-cgroup whose pids.max is 1000")
	t.Logf("40 forks asked in a sub-cgroup with pids.max 1000: %d processes there, %d in the container (--pids-limit 20)", inSub, current)

	// docker rm takes the container's cgroups, and what it made below, away.
	s.removeContainer(t, name)
	assert.NoDirExists(t, memDir)
	assert.NoDirExists(t, pidsDir)
}

// TestCgroupLimitsControl is the control: under plain runc, a container
// with CAP_SYS_ADMIN remounts its cgroup read-write and raises the limits
// docker set.
func TestCgroupLimitsControl(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startControl(t, name, append(append([]string{}, runcAllCaps...), "-m", "64m", "--pids-limit", "20"), "sleep", "1000")
	pid := s.initPID(t, name)
	r := s.docker(t, "exec", name, "sh", "-c", `mount -o remount,rw,bind /sys/fs/cgroup/memory && mount -o remount,rw,bind /sys/fs/cgroup/pids &&
echo 2147483648 > /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes &&
echo 1073741824 > /sys/fs/cgroup/memory/memory.limit_in_bytes && echo 1000 > /sys/fs/cgroup/pids/pids.max`)
	require.Zero(t, r.Code, "%s", r)
	assert.Equal(t, "1073741824", readTrimmed(t, filepath.Join(hostCgroupDir(t, pid, "memory"), "memory.limit_in_bytes")))
	assert.Equal(t, "1000", readTrimmed(t, filepath.Join(hostCgroupDir(t, pid, "pids"), "pids.max")))
}
