//go:build linux

package integration

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// allowedDevNodes are the device numbers a --privileged container may have
// (sysbox-lite's pseudo-devices, /dev/fuse, /dev/net/tun, the console and
// the pty master); pty slaves are any minor of majors 136-143.
var allowedDevNodes = map[string]bool{
	"c 1:3": true, "c 1:5": true, "c 1:7": true, "c 1:8": true, "c 1:9": true,
	"c 5:0": true, "c 5:1": true, "c 5:2": true,
	"c 10:229": true, "c 10:200": true,
}

// hostHas reports whether the host has a character device at path with
// these numbers.
func hostHas(path string, major, minor uint32) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR &&
		unix.Major(st.Rdev) == major && unix.Minor(st.Rdev) == minor
}

// TestConfineDevicesPrivileged: a --privileged container gets none of the
// host's device nodes: /dev lists only the pseudo-devices, /dev/fuse and
// /dev/net/tun; /dev/kmsg, the disk, /dev/mem and /dev/kvm are absent; a
// node of /dev/kmsg's numbers cannot be made; the device cgroup allows
// reading and writing only what is exposed; the dropped devices are audited.
// /dev/fuse and /dev/net/tun open.
func TestConfineDevicesPrivileged(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged"}, "sleep", "1000")
	id := s.inspect(t, name, "{{.Id}}")

	want := []string{"fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"}
	if hostHas("/dev/fuse", 10, 229) {
		want = append(want, "fuse")
	}
	if hostHas("/dev/net/tun", 10, 200) {
		want = append(want, "net")
	}
	if s.engine.name() == "crun" {
		// crun adds the symlink /dev/core -> /proc/kcore (as LXC does);
		// /proc/kcore stays masked (an empty file, where the kernel has
		// one), --privileged or not
		want = append(want, "core")
		assert.Equal(t, "/proc/kcore", s.mustDocker(t, "exec", name, "readlink", "/dev/core"))
		assert.Equal(t, "0", s.mustDocker(t, "exec", name, "sh", "-c", "cat /dev/core 2>/dev/null | wc -c"), "/dev/core reads nothing")
	}
	sort.Strings(want)
	got := strings.Fields(s.mustDocker(t, "exec", name, "ls", "-A", "/dev"))
	sort.Strings(got)
	assert.Equal(t, want, got, "ls -A /dev: only the allowed nodes")

	// every device node anywhere under /dev (but the pty slaves) is an allowed one
	nodes := s.mustDocker(t, "exec", name, "find", "/dev", "(", "-type", "c", "-o", "-type", "b", ")", "-exec", "stat", "-c", "%n %F %t %T", "{}", "+")
	for _, line := range strings.Split(nodes, "\n") {
		var path, kind string
		var major, minor uint32
		f := strings.Fields(line)
		require.True(t, len(f) >= 4, "stat line %q", line)
		path, kind = f[0], strings.Join(f[1:len(f)-2], " ")
		_, err := fmt.Sscanf(f[len(f)-2]+" "+f[len(f)-1], "%x %x", &major, &minor)
		require.NoError(t, err, "stat line %q", line)
		typ := map[string]string{"character special file": "c", "block special file": "b"}[kind]
		node := fmt.Sprintf("%s %d:%d", typ, major, minor)
		if strings.HasPrefix(path, "/dev/pts/") && typ == "c" && major >= 136 && major <= 143 {
			continue
		}
		assert.True(t, allowedDevNodes[node], "device node %s (%s) is not an allowed one", path, node)
	}

	checked := 0
	for _, p := range []string{"/dev/kmsg", "/dev/mem", "/dev/kvm", "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/loop0", "/dev/zram0", "/dev/cpu/0/msr"} {
		if _, err := os.Stat(p); err != nil {
			t.Logf("the host has no %s", p)
			continue
		}
		checked++
		got, _ := s.probeLines(t, name, "read", p)
		assert.Equal(t, "ERR ENOENT", got, "the host's %s is not in the container", p)
	}
	assert.Positive(t, checked, "at least one host device was checked")
	assert.Equal(t, "ERR EPERM", s.probe(t, name, "mknod", "/dev/kmsg", "c", "1", "11"), "mknod of /dev/kmsg's numbers")
	got0, _ := s.probeLines(t, name, "read", "/dev/kmsg")
	assert.Equal(t, "ERR ENOENT", got0, "so there is no /dev/kmsg to open")

	// the device cgroup the engine got: deny all, mknod only for the rest,
	// read/write only of the exposed nodes
	spec := s.bundleSpec(t, id)
	require.NotNil(t, spec.Linux.Resources, "bundle: linux.resources")
	rules := spec.Linux.Resources.Devices
	require.NotEmpty(t, rules, "bundle: device cgroup rules")
	assert.False(t, rules[0].Allow, "the device cgroup starts with deny all: %+v", rules[0])
	assert.Contains(t, []string{"", "a"}, rules[0].Type, "the device cgroup starts with deny all: %+v", rules[0])
	for _, r := range rules {
		if !r.Allow || !strings.ContainsAny(r.Access, "rw") {
			continue
		}
		assert.True(t, ruleIsAllowedNode(r), "device cgroup rule allows more than the exposed nodes: %s", describeRule(r))
	}

	if hostHas("/dev/fuse", 10, 229) {
		assert.Equal(t, "OK", s.probe(t, name, "open", "/dev/fuse"), "/dev/fuse opens")
		got, _ := s.probeLines(t, name, "read", "/dev/fuse")
		assert.Equal(t, "ERR EPERM", got, "/dev/fuse reads EPERM without a FUSE mount (the device itself works)")
	}
	if hostHas("/dev/net/tun", 10, 200) {
		assert.Equal(t, "OK", s.probe(t, name, "open", "/dev/net/tun"), "/dev/net/tun opens")
	}

	events := s.auditEvents(t, id)
	var dropped []auditEvent
	for _, e := range events {
		assert.Equal(t, "dropped", e.Verdict, "a started container has no refusal: %+v", e)
		assert.Equal(t, "devices", e.Rule, "%+v", e)
		dropped = append(dropped, e)
	}
	found := false
	for _, e := range dropped {
		if strings.Contains(e.Asked, "device /dev/kmsg (c 1:11)") {
			found = true
			assert.Contains(t, e.Reason, "host devices are not allowed in containers", "%+v", e)
			t.Logf("audit: %s: %.200s... (%s)", e.Verdict, e.Asked, e.Reason)
		}
	}
	assert.True(t, found, "the audit log says /dev/kmsg was dropped: %+v", dropped)
}

func ruleIsAllowedNode(r specs.LinuxDeviceCgroup) bool {
	if r.Major == nil || *r.Major == -1 {
		return false
	}
	if r.Minor == nil || *r.Minor == -1 {
		return r.Type == "c" && *r.Major >= 136 && *r.Major <= 143
	}
	return allowedDevNodes[fmt.Sprintf("%s %d:%d", r.Type, *r.Major, *r.Minor)]
}

func describeRule(r specs.LinuxDeviceCgroup) string {
	num := func(p *int64) string {
		if p == nil {
			return "*"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("allow=%v %s %s:%s %s", r.Allow, r.Type, num(r.Major), num(r.Minor), r.Access)
}

// TestConfineDevicesRefused: without --privileged, asking for a host device
// (--device /dev/kmsg) is refused at create, with the reason shown by
// docker run and one audit line.
func TestConfineDevicesRefused(t *testing.T) {
	s := setup(t)
	if _, err := os.Stat("/dev/kmsg"); err != nil {
		t.Skip("the host has no /dev/kmsg")
	}
	name := s.container(t, "")
	stderr, id := s.runRefused(t, name, "--runtime=sysbox-lite", "--network", "none", "--device", "/dev/kmsg", testImage, "true")
	t.Logf("docker run --device /dev/kmsg: %s", strings.TrimSpace(stderr))
	assert.Contains(t, stderr, "OCI runtime create failed: sysbox-lite: device /dev/kmsg is refused: host devices are not allowed in containers")
	e := s.requireAuditRefusal(t, id, "devices", "device /dev/kmsg (c 1:11)", stderr)
	t.Logf("audit: %+v", e)
	assert.Equal(t, "created", s.inspect(t, name, "{{.State.Status}}"), "the container never ran")
}

// TestConfineDevicesControlRunc is the control: plain runc with --device
// /dev/kmsg (and CAP_SYSLOG, which reading the kernel log needs when
// dmesg_restrict is set) reads the host's kernel log.
func TestConfineDevicesControlRunc(t *testing.T) {
	s := setup(t)
	if _, err := os.Stat("/dev/kmsg"); err != nil {
		t.Skip("the host has no /dev/kmsg")
	}
	name := s.container(t, "")
	s.startControl(t, name, []string{"--runtime=runc", "--network", "none", "--device", "/dev/kmsg", "--cap-add", "SYSLOG"}, "sleep", "1000")
	got, data := s.probeLines(t, name, "read", "/dev/kmsg")
	require.Equal(t, "OK", got, "runc: /dev/kmsg reads")
	require.Len(t, data, 2, "read output %v", data)
	assert.Regexp(t, kmsgRecord, data[1], "runc: a kernel log record")
	t.Logf("runc --device /dev/kmsg: %s", data[1])
}
