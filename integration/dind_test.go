//go:build linux

package integration

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDinD: in `docker run --privileged --runtime=sysbox-lite`, an inner
// dockerd starts with the overlay2 driver on a real filesystem (the
// container's host-backed /var/lib/docker, not its overlay root), loads a
// busybox image and runs `docker run --rm --network none busybox echo
// hello`. The inner container's processes are in the outer container's ID
// range, seen from the host. The inner engine's data survives a stop and
// start of the outer container that gives it another range. (/run is a
// tmpfs, as usual for DinD: the inner dockerd's pid files go at a stop.)
func TestDinD(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.requireDebianImage(t)
	start := time.Now()
	s.dindOuter(t, name, "--runtime=sysbox-lite", "--network", "none", "--privileged", "--tmpfs", "/run", "--tmpfs", "/run/lock")
	outerStart := time.Since(start)
	tm := s.dindStartEngine(t, name)

	assert.Equal(t, "overlay2", s.mustDocker(t, "exec", name, "docker", "info", "--format", "{{.Driver}}"), "the inner engine uses overlay2")
	status := s.mustDocker(t, "exec", name, "docker", "info", "--format", "{{json .DriverStatus}}")
	assert.NotContains(t, status, "overlayfs", "the inner overlay2 is not on an overlay: %s", status)
	t.Logf("inner storage driver status: %s", status)

	start = time.Now()
	out := s.mustDocker(t, "exec", name, "docker", "run", "--rm", "--network", "none", dindInnerImage, "echo", "hello")
	innerRun := time.Since(start)
	assert.Equal(t, "hello", out, "the inner container ran and printed")
	start = time.Now()
	s.mustDocker(t, "exec", name, "docker", "run", "--rm", "--network", "none", dindInnerImage, "true")
	innerRun2 := time.Since(start)
	t.Logf("timings: outer docker run -d %s, inner dockerd start %s, busybox image built+imported %s, inner docker run (first) %s, (second) %s",
		outerStart.Round(time.Millisecond), tm.dockerd.Round(time.Millisecond), tm.load.Round(time.Millisecond),
		innerRun.Round(time.Millisecond), innerRun2.Round(time.Millisecond))

	// An inner container, seen from the host: its IDs are the outer range's.
	outerInit := s.initPID(t, name)
	outerUID, outerGID := hostIDMaps(t, outerInit)
	outerU := requirePoolRange(t, "outer uid_map", outerUID)
	outerG := requirePoolRange(t, "outer gid_map", outerGID)
	s.mustDocker(t, "exec", name, "docker", "run", "-d", "--name", "inner", "--network", "none", dindInnerImage, "sleep", "1000")
	innerPID, err := strconv.Atoi(s.mustDocker(t, "exec", name, "docker", "inspect", "-f", "{{.State.Pid}}", "inner"))
	require.NoError(t, err)
	hostPID := dindHostPID(t, outerInit, innerPID)
	innerUID, innerGID := hostIDMaps(t, hostPID)
	for _, m := range []struct {
		what  string
		text  string
		outer idMap
	}{{"uid_map", innerUID, outerU}, {"gid_map", innerGID, outerG}} {
		maps, err := parseIDMap(m.text)
		require.NoError(t, err)
		require.NotEmpty(t, maps)
		for _, l := range maps {
			assert.GreaterOrEqual(t, l.Outside, m.outer.Outside, "inner %s %+v starts inside the outer range %+v", m.what, l, m.outer)
			assert.LessOrEqual(t, l.Outside+l.Size, m.outer.Outside+m.outer.Size, "inner %s %+v ends inside the outer range %+v", m.what, l, m.outer)
		}
		t.Logf("host PID %d (inner container init, pid %d in the outer container): %s %s (outer: %+v)", hostPID, innerPID, m.what, strings.Join(strings.Fields(m.text), " "), m.outer)
	}
	assert.NotEqual(t, trapsNsLink(t, outerInit, "pid"), trapsNsLink(t, hostPID, "pid"), "the inner container has its own pid namespace")
	assert.NotEqual(t, trapsNsLink(t, outerInit, "mnt"), trapsNsLink(t, hostPID, "mnt"), "and its own mount namespace")

	// The inner engine's images and containers survive the outer
	// container's stop and start, also with another ID range: meanwhile
	// another container takes the range it had.
	s.mustDocker(t, "stop", "-t", "1", name)
	filler := s.container(t, "filler")
	s.startDetached(t, filler, nil, "sleep", "1000")
	s.mustDocker(t, "start", name)
	newUID, _ := hostIDMaps(t, s.initPID(t, name))
	newU := requirePoolRange(t, "outer uid_map after start", newUID)
	assert.NotEqual(t, outerU.Outside, newU.Outside, "the outer container came back with another range")
	t.Logf("outer range before stop %d, after start %d; inner dockerd start after it %s", outerU.Outside, newU.Outside,
		s.dindStartDockerd(t, name).Round(time.Millisecond))
	s.mustDocker(t, "exec", name, "docker", "start", "inner")
	assert.Equal(t, "kept", s.mustDocker(t, "exec", name, "docker", "exec", "inner", "echo", "kept"), "the inner container starts again")
	assert.Equal(t, "hello", s.mustDocker(t, "exec", name, "docker", "run", "--rm", "--network", "none", dindInnerImage, "echo", "hello"),
		"the inner image is still there and runs")
}

// dindBattery is the escape battery (see confine_capabilities_test.go,
// confine_masks_test.go, traps_views_test.go) as the probe runs it, with
// what a sysbox-lite container answers. Paths the kernel here lacks
// (/proc/sysrq-trigger, uevent_helper) are left out.
func dindBattery(diskMajor, diskMinor string) []struct {
	args []string
	want string
} {
	return []struct {
		args []string
		want string
	}{
		{[]string{"mknod", "/tmp/kmsg", "c", "1", "11"}, "ERR EPERM"},
		{[]string{"read", "/tmp/kmsg"}, "ERR ENOENT"},
		{[]string{"read", "/dev/kmsg"}, "ERR ENOENT"},
		{[]string{"mknod", "/tmp/disk", "b", diskMajor, diskMinor}, "ERR EPERM"},
		{[]string{"syscall", "syslog"}, "ERR EPERM"},
		{[]string{"syscall", "init_module"}, "ERR EPERM"},
		{[]string{"syscall", "finit_module"}, "ERR EPERM"},
		{[]string{"syscall", "kexec_load"}, "ERR EPERM"},
		{[]string{"syscall", "bpf"}, "ERR EPERM"},
		{[]string{"syscall", "open_by_handle_at"}, "ERR EPERM"},
		{[]string{"syscall", "keyctl"}, "ERR ENOSYS"},
		{[]string{"syscall", "settimeofday"}, "ERR EPERM"},
		{[]string{"syscall", "setpriority-20"}, "ERR EACCES"},
		{[]string{"rewrite", "/proc/sys/kernel/core_pattern"}, "ERR EACCES"},
		{[]string{"rewrite", "/proc/sys/kernel/ctrl-alt-del"}, "ERR EACCES"},
		{[]string{"rewrite", "/proc/sys/vm/drop_caches"}, "ERR EACCES"},
		{[]string{"read", "/proc/keys"}, "OK"},
		{[]string{"read", "/proc/timer_list"}, "OK"},
		{[]string{"umount", "/proc/keys"}, "ERR EPERM"},
		{[]string{"umount-detach", "/proc/timer_list"}, "ERR EPERM"},
		{[]string{"umount", "/proc/bus"}, "ERR EPERM"},
		{[]string{"remount-rw", "/proc/bus"}, "ERR EPERM"},
		{[]string{"remount-sb-rw", "/proc/irq"}, "ERR EPERM"},
		{[]string{"mount", "/proc/keys", "/proc/timer_list", "-", "move"}, "ERR EPERM"},
		{[]string{"setattr-rw", "/proc/bus"}, "ERR ENOSYS"},
		{[]string{"fspick-rw", "/proc/bus"}, "ERR ENOSYS"},
		{[]string{"clone-move", "/proc/keys", "/proc/timer_list"}, "ERR ENOSYS"},
		{[]string{"write", "/sys/firmware/x"}, "ERR EROFS"},
	}
}

// TestDinDStillConfined: the escape battery from a --privileged container
// of the inner dockerd gives exactly what it gives from the outer
// container: host device nodes cannot be made or reached, masks stay, the
// baseline syscalls stay denied, kernel-wide sysctls stay the host's. The
// inner container gets no more capabilities, no fewer seccomp filters and
// no other device nodes than the outer one. TestDinDControlRunc shows the
// same attempts succeeding from an inner container under plain runc.
func TestDinDStillConfined(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	corePattern := readHostFile(t, "/proc/sys/kernel/core_pattern")
	cad := readHostFile(t, "/proc/sys/kernel/ctrl-alt-del")
	s.dindOuter(t, name, "--runtime=sysbox-lite", "--network", "none", "--privileged")
	s.dindStartEngine(t, name)
	s.mustDocker(t, "exec", name, "docker", "run", "-d", "--name", "inner", "--privileged", "--network", "none", dindInnerImage, "sleep", "1000")

	diskMajor, diskMinor := rootDisk(t)
	for _, c := range dindBattery(diskMajor, diskMinor) {
		outer, outerData := s.probeLines(t, name, c.args...)
		inner, innerData := s.dindInnerProbe(t, name, "inner", c.args...)
		what := strings.Join(c.args, " ")
		assert.Equal(t, c.want, outer, "outer: %s", what)
		assert.Equal(t, outer, inner, "inner --privileged container: %s answers as in the outer one", what)
		if c.want == "OK" {
			assert.Equal(t, "0 bytes", outerData[0], "outer: %s reads as empty (masked)", what)
			assert.Equal(t, "0 bytes", innerData[0], "inner: %s reads as empty (masked)", what)
		}
		t.Logf("%-45s outer %-12s inner %s", what, outer, inner)
	}
	assert.Equal(t, corePattern, readHostFile(t, "/proc/sys/kernel/core_pattern"), "the host's core_pattern is unchanged")
	assert.Equal(t, cad, readHostFile(t, "/proc/sys/kernel/ctrl-alt-del"), "the host's ctrl-alt-del is unchanged")

	outerStatus := s.mustDocker(t, "exec", name, "cat", "/proc/self/status")
	innerStatus := s.mustDocker(t, "exec", name, "docker", "exec", "inner", "cat", "/proc/self/status")
	for _, f := range []string{"CapBnd", "CapEff", "CapPrm"} {
		assert.Zero(t, capMask(t, innerStatus, f)&^capMask(t, outerStatus, f), "inner %s has no capability the outer lacks", f)
	}
	outerFilters, err := strconv.Atoi(statusField(t, outerStatus, "Seccomp_filters"))
	require.NoError(t, err)
	innerFilters, err := strconv.Atoi(statusField(t, innerStatus, "Seccomp_filters"))
	require.NoError(t, err)
	assert.Equal(t, "2", statusField(t, innerStatus, "Seccomp"), "the inner container is filtered")
	assert.GreaterOrEqual(t, innerFilters, outerFilters, "the outer filters stay in force in the inner container")

	nodes := s.mustDocker(t, "exec", name, "docker", "exec", "inner", "sh", "-c",
		`find /dev \( -type c -o -type b \) -exec stat -c '%n %t %T %F' {} +`)
	for _, line := range strings.Split(nodes, "\n") {
		f := strings.Fields(line)
		require.GreaterOrEqual(t, len(f), 4, "stat line %q", line)
		var major, minor uint32
		_, err := fmt.Sscanf(f[1]+" "+f[2], "%x %x", &major, &minor)
		require.NoError(t, err, "stat line %q", line)
		typ := "c"
		if strings.Contains(line, "block") {
			typ = "b"
		}
		if strings.HasPrefix(f[0], "/dev/pts/") && typ == "c" && major >= 136 && major <= 143 {
			continue
		}
		node := fmt.Sprintf("%s %d:%d", typ, major, minor)
		assert.True(t, allowedDevNodes[node], "inner device node %s (%s) is one a sysbox-lite container may have", f[0], node)
	}
}

// TestDinDControlRunc is the control: the same inner engine under plain
// runc (its /var/lib/docker on a volume, the usual DinD setup), and the same
// attempts from an inner container reach the host: a /dev/kmsg node is made
// and the host's kernel log reads, syslog(2) answers, core_pattern is
// writable (its own value is written back: nothing changes). This machine
// has no CAP_SYS_RESOURCE in its bounding set, so runc cannot give
// --privileged: both levels get every other capability, no seccomp filter,
// no masks and /dev/kmsg's numbers in the device cgroup, and the outer
// one its cgroup mounts read-write (what --privileged would do).
func TestDinDControlRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	corePattern := readHostFile(t, "/proc/sys/kernel/core_pattern")
	unconfined := []string{"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
		"--security-opt", "systempaths=unconfined", "--device-cgroup-rule", "c 1:11 rwm"}
	s.dindOuter(t, name, append([]string{"--runtime=runc", "--network", "none", "--security-opt", "apparmor=unconfined", "-v", "/var/lib/docker"}, unconfined...)...)
	s.mustDocker(t, "exec", name, "sh", "-c", `for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d"; done`)
	s.dindStartEngine(t, name)
	s.mustDocker(t, append(append([]string{"exec", name, "docker", "run", "-d", "--name", "inner", "--network", "none"}, unconfined...), dindInnerImage, "sleep", "1000")...)

	got, _ := s.dindInnerProbe(t, name, "inner", "mknod", "/tmp/kmsg", "c", "1", "11")
	require.Equal(t, "OK", got, "runc: mknod of /dev/kmsg's numbers in the inner container")
	got, data := s.dindInnerProbe(t, name, "inner", "read", "/tmp/kmsg")
	require.Equal(t, "OK", got, "runc: the host's kernel log reads from the inner container")
	require.Len(t, data, 2, "read output %v", data)
	assert.Regexp(t, kmsgRecord, data[1], "runc: a kernel log record")
	t.Logf("runc, inner container: the host's kernel log: %s", data[1])
	got, _ = s.dindInnerProbe(t, name, "inner", "syscall", "syslog")
	assert.Equal(t, "OK", got, "runc: syslog(2) from the inner container")
	got, _ = s.dindInnerProbe(t, name, "inner", "rewrite", "/proc/sys/kernel/core_pattern")
	assert.Equal(t, "OK", got, "runc: core_pattern is writable from the inner container")
	assert.Equal(t, corePattern, readHostFile(t, "/proc/sys/kernel/core_pattern"), "the host's core_pattern is unchanged (its own value was written)")
}

// TestDinDTrapsForInnerRunc: what an inner runc does through the mount
// traps works as under the kernel itself: dockerd binds a network
// namespace file (/proc/PID/ns/net) to keep it, runc masks a /proc
// directory by binding /dev/null over it and expects ENOTDIR (then mounts
// a tmpfs), and runc's session keyring is refused with ENOSYS (runc goes
// on), not EPERM (runc fails).
func TestDinDTrapsForInnerRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged"}, "sleep", "1000")
	s.mustDocker(t, "exec", name, "sh", "-c", "touch /tmp/netns && mkdir /tmp/dir")
	assert.Equal(t, "OK", s.probe(t, name, "mount", "/proc/self/ns/net", "/tmp/netns", "-", "bind"), "bind of a network namespace file")
	m, ok := findMount(s.containerMounts(t, name), "/tmp/netns")
	if assert.True(t, ok, "the namespace file is mounted") {
		assert.Equal(t, "nsfs", m.FSType)
	}
	s.mustDocker(t, "exec", name, "touch", "/tmp/mntns")
	assert.Equal(t, "ERR ELOOP", s.probe(t, name, "mount", "/proc/self/ns/mnt", "/tmp/mntns", "-", "bind"),
		"the kernel's rule against mount namespace loops still holds")
	assert.Equal(t, "ERR ENOTDIR", s.probe(t, name, "mount", "/dev/null", "/tmp/dir", "-", "bind"), "a file over a directory: mount(2)'s ENOTDIR")
	assert.Equal(t, "ERR ENOTDIR", s.probe(t, name, "mount", "/tmp/dir", "/tmp/netns", "-", "bind"), "a directory over a file: ENOTDIR")
	assert.Equal(t, "ERR ENOSYS", s.probe(t, name, "syscall", "keyctl"), "the keyring is refused as if not built in")
	// the mask of /proc/keys is still a mask (nothing here loosened it)
	s.trapsRequireMasked(t, name, "/proc/keys")
	assert.Equal(t, "ERR EPERM", s.probe(t, name, "umount", "/proc/keys"))
}
