//go:build linux

package integration

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// capability is one bit of /proc/PID/status's Cap* masks.
type capability struct {
	name string
	bit  uint
}

// hostWideCaps are capabilities that, held in the host's user namespace,
// reach the whole host.
var hostWideCaps = []capability{
	{"CAP_DAC_OVERRIDE", unix.CAP_DAC_OVERRIDE},
	{"CAP_NET_ADMIN", unix.CAP_NET_ADMIN},
	{"CAP_SYS_MODULE", unix.CAP_SYS_MODULE},
	{"CAP_SYS_RAWIO", unix.CAP_SYS_RAWIO},
	{"CAP_SYS_ADMIN", unix.CAP_SYS_ADMIN},
	{"CAP_SYS_BOOT", unix.CAP_SYS_BOOT},
	{"CAP_SYS_NICE", unix.CAP_SYS_NICE},
	{"CAP_SYS_TIME", unix.CAP_SYS_TIME},
	{"CAP_MKNOD", unix.CAP_MKNOD},
	{"CAP_SYSLOG", unix.CAP_SYSLOG},
}

// statusField returns a field of a /proc/PID/status text.
func statusField(t *testing.T, status, field string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(field) + `:\s*(\S+)$`).FindStringSubmatch(status)
	require.NotNil(t, m, "no %s in /proc/self/status:\n%s", field, status)
	return m[1]
}

func capMask(t *testing.T, status, field string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(statusField(t, status, field), 16, 64)
	require.NoError(t, err, "%s", field)
	return v
}

// rootDisk returns the numbers of the block device the host's / is on
// (the disk a container must never reach).
func rootDisk(t *testing.T) (major, minor string) {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Stat("/", &st))
	return fmt.Sprint(unix.Major(st.Dev)), fmt.Sprint(unix.Minor(st.Dev))
}

func readHostFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

// kmsgRecord is the start of a /dev/kmsg record: "prio,seq,usec,flags;".
var kmsgRecord = regexp.MustCompile(`^\d+,\d+,\d+,[^;]*;`)

// TestConfineCapabilities: under --privileged the container's root holds
// every capability docker grants, but only in its own user namespace:
// loading a module, writing a kernel-wide sysctl, making a device node of the
// host's disk or kernel log, raising its priority, reading the kernel log,
// setting the clock and reboot's host-wide commands all fail.
func TestConfineCapabilities(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged"}, "sleep", "1000")

	status := s.mustDocker(t, "exec", name, "cat", "/proc/self/status")
	eff, prm, bnd := capMask(t, status, "CapEff"), capMask(t, status, "CapPrm"), capMask(t, status, "CapBnd")
	t.Logf("inside: CapEff %016x CapPrm %016x CapBnd %016x", eff, prm, bnd)
	assert.Equal(t, bnd, eff, "--privileged: the effective set is the whole bounding set")
	assert.Equal(t, bnd, prm, "--privileged: the permitted set is the whole bounding set")
	for _, c := range hostWideCaps {
		assert.NotZero(t, eff&(1<<c.bit), "--privileged: %s is in the effective set", c.name)
	}
	// ... held in a user namespace whose root is an unprivileged host user
	requirePoolRange(t, "uid_map", s.mustDocker(t, "exec", name, "cat", "/proc/self/uid_map"))

	corePattern := readHostFile(t, "/proc/sys/kernel/core_pattern")
	cad := readHostFile(t, "/proc/sys/kernel/ctrl-alt-del")
	diskMajor, diskMinor := rootDisk(t)
	cases := []struct {
		what string
		args []string
		want string
		why  string
	}{
		{"init_module", []string{"syscall", "init_module"}, "ERR EPERM",
			"seccomp baseline (the kernel also wants CAP_SYS_MODULE of the host's user namespace)"},
		{"write /proc/sys/kernel/core_pattern (its own value)", []string{"rewrite", "/proc/sys/kernel/core_pattern"}, "ERR EACCES",
			"a kernel-wide sysctl: the file belongs to the host's root, who has no ID in the container"},
		{"mknod of the host's root disk " + diskMajor + ":" + diskMinor, []string{"mknod", "/tmp/disk", "b", diskMajor, diskMinor}, "ERR EPERM",
			"device nodes need CAP_MKNOD of the host's user namespace"},
		{"mknod of /dev/kmsg's numbers", []string{"mknod", "/tmp/kmsg", "c", "1", "11"}, "ERR EPERM",
			"device nodes need CAP_MKNOD of the host's user namespace"},
		{"setpriority(-20)", []string{"syscall", "setpriority-20"}, "ERR EACCES",
			"a higher priority than the host gave needs CAP_SYS_NICE of the host"},
		{"syslog(SIZE_BUFFER)", []string{"syscall", "syslog"}, "ERR EPERM",
			"seccomp baseline (the kernel also wants CAP_SYSLOG of the host)"},
		{"settimeofday(NULL, NULL)", []string{"syscall", "settimeofday"}, "ERR EPERM",
			"seccomp baseline (the kernel also wants CAP_SYS_TIME of the host)"},
		{"reboot(LINUX_REBOOT_CMD_CAD_OFF)", []string{"syscall", "reboot-cad-off"}, "ERR EINVAL",
			"outside the host's pid namespace reboot(2) only acts on the container's own pid namespace, where CAD_OFF means nothing"},
	}
	for _, c := range cases {
		got := s.probe(t, name, c.args...)
		assert.Equal(t, c.want, got, "%s must fail: %s", c.what, c.why)
		t.Logf("sysbox-lite --privileged: %-55s %s (%s)", c.what, got, c.why)
	}
	for _, p := range []string{"/tmp/disk", "/tmp/kmsg"} {
		got, _ := s.probeLines(t, name, "read", p)
		assert.Equal(t, "ERR ENOENT", got, "no device node was made at %s", p)
	}
	assert.Equal(t, corePattern, readHostFile(t, "/proc/sys/kernel/core_pattern"), "the host's core_pattern is unchanged")
	assert.Equal(t, cad, readHostFile(t, "/proc/sys/kernel/ctrl-alt-del"), "the host's ctrl-alt-del setting is unchanged")
}

// TestConfineCapabilitiesControlRunc is the control: under plain runc (no
// user namespace) with every capability docker knows but CAP_SYS_RESOURCE,
// no seccomp filter, /proc/sys writable and the device cgroup opened for the
// two device numbers, the same attempts reach the host: mknod of the disk
// and of /dev/kmsg works and the kernel log reads, core_pattern is writable
// (its own value is written back: nothing changes), priority, syslog and
// settimeofday(NULL, NULL) are allowed.
func TestConfineCapabilitiesControlRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	diskMajor, diskMinor := rootDisk(t)
	opts := append(append([]string{}, runcAllCaps...), "--security-opt", "systempaths=unconfined",
		"--device-cgroup-rule", "c 1:11 r", "--device-cgroup-rule", "b "+diskMajor+":"+diskMinor+" r")
	corePattern := readHostFile(t, "/proc/sys/kernel/core_pattern")
	s.startControl(t, name, opts, "sleep", "1000")

	status := s.mustDocker(t, "exec", name, "cat", "/proc/self/status")
	eff := capMask(t, status, "CapEff")
	for _, c := range hostWideCaps {
		assert.NotZero(t, eff&(1<<c.bit), "control: %s is in the effective set", c.name)
	}
	assert.Equal(t, "0", statusField(t, status, "Seccomp"), "control: no seccomp filter")
	assert.Equal(t, "0 0 4294967295", strings.Join(strings.Fields(s.mustDocker(t, "exec", name, "cat", "/proc/self/uid_map")), " "),
		"control: no user namespace")

	assert.Equal(t, "OK", s.probe(t, name, "mknod", "/tmp/disk", "b", diskMajor, diskMinor), "runc: mknod of the host's root disk")
	got, data := s.probeLines(t, name, "read", "/tmp/disk")
	t.Logf("runc: read of the disk node: %s %v (on this machine even the host's root may not open the disk)", got, data)

	assert.Equal(t, "OK", s.probe(t, name, "mknod", "/tmp/kmsg", "c", "1", "11"), "runc: mknod of /dev/kmsg's numbers")
	got, data = s.probeLines(t, name, "read", "/tmp/kmsg")
	require.Equal(t, "OK", got, "runc: the host's kernel log reads through the node made inside")
	require.Len(t, data, 2, "runc: read output %v", data)
	assert.Regexp(t, kmsgRecord, data[1], "runc: a kernel log record")
	t.Logf("runc: the host's kernel log through a node made in the container: %s", data[1])

	assert.Equal(t, "OK", s.probe(t, name, "rewrite", "/proc/sys/kernel/core_pattern"), "runc: core_pattern is writable")
	assert.Equal(t, corePattern, readHostFile(t, "/proc/sys/kernel/core_pattern"), "the host's core_pattern is unchanged (its own value was written)")
	for _, call := range []string{"setpriority-20", "syslog", "settimeofday"} {
		assert.Equal(t, "OK", s.probe(t, name, "syscall", call), "runc: %s", call)
	}
	t.Logf("runc: init_module: %s (not EPERM: the kernel got the call)", s.probe(t, name, "syscall", "init_module"))
}
