//go:build linux

package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfineNamespacesHost: asking for one of the host's namespaces
// (--pid=host, --network=host, --ipc=host, --uts=host) is refused at create,
// also for --privileged, with a message naming the flag, and audited.
func TestConfineNamespacesHost(t *testing.T) {
	s := setup(t)
	cases := []struct {
		flag, ns string
		asked    string // what the audit line says was asked for ("": see below)
	}{
		{"--pid=host", "pid", "pid namespace: the host's (none in the spec)"},
		// docker passes the host's network namespace by path (its netns bind)
		{"--network=host", "network", ""},
		{"--ipc=host", "ipc", "ipc namespace: the host's (none in the spec)"},
		{"--uts=host", "uts", "uts namespace: the host's (none in the spec)"},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.flag, "--"), func(t *testing.T) {
			name := s.container(t, "")
			args := []string{"--runtime=sysbox-lite", "--privileged", c.flag}
			if c.ns != "network" {
				args = append(args, "--network", "none")
			}
			stderr, id := s.runRefused(t, name, append(args, testImage, "true")...)
			if c.ns == "network" {
				s.acceptDaemonNetns(t)
			}
			t.Logf("docker run %s: %s", c.flag, strings.TrimSpace(stderr))
			msg := fmt.Sprintf("OCI runtime create failed: sysbox-lite: %s is refused: a container may not share the host's %s namespace", c.flag, c.ns)
			assert.Contains(t, stderr, msg)
			events := s.auditEvents(t, id)
			require.Len(t, events, 1, "audit events: %+v", events)
			asked := c.asked
			if asked == "" {
				asked = events[0].Asked
				assert.Regexp(t, `^network namespace /\S+ \(the host's\)$`, asked, "audit asked: %+v", events[0])
			}
			e := s.requireAuditRefusal(t, id, "namespaces", asked, stderr)
			t.Logf("audit: %+v", e)
		})
	}
}

// TestConfineNamespacesUserAndCgroup: --userns=host and --cgroupns=host
// start, and the container still gets its own user and cgroup namespaces.
// The private dockerd runs without userns-remap, so --userns=host changes
// nothing in the spec docker writes (no user namespace either way);
// --cgroupns=host just leaves the cgroup namespace out, which sysbox-lite
// cannot tell from a cgroup v1 host's default, so it adds a private one
// instead of refusing.
func TestConfineNamespacesUserAndCgroup(t *testing.T) {
	s := setup(t)
	// this test process runs in the host's namespaces
	hostUser, err := os.Readlink("/proc/self/ns/user")
	require.NoError(t, err)
	hostCgroup, err := os.Readlink("/proc/self/ns/cgroup")
	require.NoError(t, err)
	for _, flag := range []string{"--userns=host", "--cgroupns=host"} {
		t.Run(strings.TrimPrefix(flag, "--"), func(t *testing.T) {
			name := s.container(t, "")
			s.startDetached(t, name, []string{"--privileged", flag}, "sleep", "1000")
			id := s.inspect(t, name, "{{.Id}}")
			pid := s.initPID(t, name)
			uidMap, _ := hostIDMaps(t, pid)
			requirePoolRange(t, flag+": uid_map", uidMap)
			user, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid))
			require.NoError(t, err)
			assert.NotEqual(t, hostUser, user, "%s: the container has its own user namespace", flag)
			cgroup, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/cgroup", pid))
			require.NoError(t, err)
			assert.NotEqual(t, hostCgroup, cgroup, "%s: the container has its own cgroup namespace", flag)
			for _, line := range strings.Split(s.mustDocker(t, "exec", name, "cat", "/proc/self/cgroup"), "\n") {
				assert.True(t, strings.HasSuffix(line, ":/"), "%s: the container sees itself at the root of its cgroup namespace: %q", flag, line)
			}
			for _, e := range s.auditEvents(t, id) {
				assert.NotEqual(t, "namespaces", e.Rule, "%s: no namespace refusal for a started container: %+v", flag, e)
			}
			t.Logf("%s: started with its own user namespace (uid_map %s) and cgroup namespace (%s; host %s)",
				flag, strings.Join(strings.Fields(uidMap), " "), cgroup, hostCgroup)
		})
	}
}

// TestConfineNamespacesControlRunc is the control: plain runc with
// --pid=host starts and sees the host's processes: PID 1 is the host's init
// and this test process is visible.
func TestConfineNamespacesControlRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startControl(t, name, []string{"--runtime=runc", "--network", "none", "--pid=host"}, "sleep", "1000")
	hostInit, err := os.ReadFile("/proc/1/cmdline")
	require.NoError(t, err)
	inside := s.mustDocker(t, "exec", name, "cat", "/proc/1/cmdline")
	assert.Equal(t, strings.TrimRight(string(hostInit), "\x00"), strings.TrimRight(inside, "\x00"), "runc --pid=host: PID 1 is the host's init")
	self := fmt.Sprint(os.Getpid())
	assert.Zero(t, s.docker(t, "exec", name, "test", "-d", "/proc/"+self).Code, "runc --pid=host: this test process (pid %s) is visible", self)
	ps := s.mustDocker(t, "exec", name, "ps", "-o", "pid,comm")
	assert.Greater(t, len(strings.Split(ps, "\n")), 10, "runc --pid=host: ps lists the host's processes:\n%s", ps)
	t.Logf("runc --pid=host: PID 1 is %q; ps lists %d processes", strings.ReplaceAll(strings.TrimRight(string(hostInit), "\x00"), "\x00", " "), len(strings.Split(ps, "\n"))-1)
}
