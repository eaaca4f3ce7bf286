package confine

import (
	"errors"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// hostPaths: /proc/1/ns/* is the host's, /proc/42/ns/* another container's,
// /bad fails.
func fakeIsHost(nsType, p string) (bool, error) {
	switch {
	case p == "/bad":
		return false, errors.New("no such file or directory")
	case p == "/proc/1/ns/"+nsType || p == "/proc/1/ns/net" || p == "/proc/1/ns/mnt":
		return true, nil
	}
	return false, nil
}

func allNamespaces(except specs.LinuxNamespaceType) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, t := range requiredNamespaces {
		if t != except {
			out = append(out, specs.LinuxNamespace{Type: t})
		}
	}
	return out
}

func TestNamespacesMissingIsHost(t *testing.T) {
	for typ, want := range map[specs.LinuxNamespaceType]string{
		specs.PIDNamespace:     "sysbox-lite: --pid=host is refused: a container may not share the host's pid namespace",
		specs.NetworkNamespace: "sysbox-lite: --network=host is refused: a container may not share the host's network namespace",
		specs.IPCNamespace:     "sysbox-lite: --ipc=host is refused: a container may not share the host's ipc namespace",
		specs.UTSNamespace:     "sysbox-lite: --uts=host is refused: a container may not share the host's uts namespace",
		specs.MountNamespace:   "sysbox-lite: sharing the host's mount namespace is refused: a container must have its own mount namespace",
	} {
		t.Run(string(typ), func(t *testing.T) {
			s := &specs.Spec{Linux: &specs.Linux{Namespaces: allNamespaces(typ)}}
			var m audit.Memory
			err := NewNamespaces(&m, fakeIsHost).Modify(s)
			var r *Refusal
			require.ErrorAs(t, err, &r)
			assert.Equal(t, want, err.Error())
			require.Len(t, m.Events(), 1)
			assert.Equal(t, audit.Event{Asked: string(typ) + " namespace: the host's (none in the spec)", Rule: audit.RuleNamespaces, Verdict: audit.Refused, Reason: r.Reason}, m.Events()[0])
		})
	}
}

func TestNamespacesNoLinux(t *testing.T) {
	err := NewNamespaces(audit.Discard{}, fakeIsHost).Modify(&specs.Spec{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--pid=host is refused")
}

// fakeJoined: /proc/1/ns/* and /proc/7/ns/* (a plain runc container) and
// /var/run/netns/cni belong to the host's user namespace; /proc/42/ns/* and
// /var/run/netns/pod to sysbox-lite container c42's, /proc/43/ns/* to c43's;
// /proc/99/ns/* to a rootless engine's; /bad cannot be read.
func fakeJoined(nsType, p string) (JoinedNamespace, error) {
	switch {
	case p == "/bad":
		return JoinedNamespace{}, errors.New("open /bad: no such file or directory")
	case strings.HasPrefix(p, "/proc/42/"), p == "/var/run/netns/pod":
		return JoinedNamespace{Owner: OwnedByContainer, Container: "c42", UserNS: "4:42"}, nil
	case strings.HasPrefix(p, "/proc/43/"):
		return JoinedNamespace{Owner: OwnedByContainer, Container: "c43", UserNS: "4:43"}, nil
	case strings.HasPrefix(p, "/proc/99/"):
		return JoinedNamespace{Owner: OwnedByOther}, nil
	}
	return JoinedNamespace{Owner: OwnedByHost}, nil
}

func TestNamespacesJoined(t *testing.T) {
	for name, tc := range map[string]struct {
		ns   specs.LinuxNamespace
		want string
	}{
		"host pid":           {specs.LinuxNamespace{Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"}, "--pid=host is refused: a container may not share the host's pid namespace"},
		"host net":           {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"}, "--network=host is refused: a container may not share the host's network namespace"},
		"host ipc":           {specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/proc/1/ns/ipc"}, "--ipc=host is refused: a container may not share the host's ipc namespace"},
		"host uts":           {specs.LinuxNamespace{Type: specs.UTSNamespace, Path: "/proc/1/ns/uts"}, "--uts=host is refused: a container may not share the host's uts namespace"},
		"host user":          {specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/1/ns/user"}, "--userns=host is refused: a container may not share the host's user namespace"},
		"host cgroup":        {specs.LinuxNamespace{Type: specs.CgroupNamespace, Path: "/proc/1/ns/cgroup"}, "--cgroupns=host is refused: a container may not share the host's cgroup namespace"},
		"host mount":         {specs.LinuxNamespace{Type: specs.MountNamespace, Path: "/proc/1/ns/mnt"}, "sharing the host's mount namespace is refused: a container must have its own mount namespace"},
		"runc container net": {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/7/ns/net"}, "--network=container:NAME (the network namespace at /proc/7/ns/net) is refused: it belongs to the host's user namespace (a container of another runtime, or a namespace made on the host); a sysbox-lite container may only join the namespaces of another sysbox-lite container"},
		"runc container pid": {specs.LinuxNamespace{Type: specs.PIDNamespace, Path: "/proc/7/ns/pid"}, "--pid=container:NAME (the pid namespace at /proc/7/ns/pid) is refused: it belongs to the host's user namespace (a container of another runtime, or a namespace made on the host); a sysbox-lite container may only join the namespaces of another sysbox-lite container"},
		"cni netns":          {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/var/run/netns/cni"}, "--network=container:NAME (the network namespace at /var/run/netns/cni) is refused: it belongs to the host's user namespace (a container of another runtime, or a namespace made on the host); a sysbox-lite container may only join the namespaces of another sysbox-lite container"},
		"runc container uts": {specs.LinuxNamespace{Type: specs.UTSNamespace, Path: "/proc/7/ns/uts"}, "joining the uts namespace at /proc/7/ns/uts is refused: it belongs to the host's user namespace (a container of another runtime, or a namespace made on the host); a sysbox-lite container may only join the namespaces of another sysbox-lite container"},
		"rootless net":       {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/99/ns/net"}, "--network=container:NAME (the network namespace at /proc/99/ns/net) is refused: it belongs to a user namespace that is not a sysbox-lite container's"},
		"rootless user":      {specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/99/ns/user"}, "joining the user namespace at /proc/99/ns/user is refused: it belongs to a user namespace that is not a sysbox-lite container's"},
		"sysbox mount":       {specs.LinuxNamespace{Type: specs.MountNamespace, Path: "/proc/42/ns/mnt"}, "joining the mount namespace at /proc/42/ns/mnt is refused: a container must have its own mount namespace"},
		"unknown":            {specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/bad"}, "--ipc=container:NAME (the ipc namespace at /bad) is refused: cannot tell whose namespace it is: open /bad: no such file or directory"},
	} {
		t.Run(name, func(t *testing.T) {
			nss := allNamespaces(tc.ns.Type)
			if tc.ns.Type == specs.UserNamespace || tc.ns.Type == specs.CgroupNamespace {
				nss = allNamespaces("")
			}
			s := &specs.Spec{Linux: &specs.Linux{Namespaces: append(nss, tc.ns)}}
			var m audit.Memory
			err := NewNamespaces(&m, fakeIsHost).WithJoined(fakeJoined).Modify(s)
			var r *Refusal
			require.ErrorAs(t, err, &r)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			require.Len(t, m.Events(), 1)
			assert.Equal(t, audit.Refused, m.Events()[0].Verdict)
			assert.Contains(t, m.Events()[0].Asked, tc.ns.Path)
		})
	}
}

// Without a way to tell whose a namespace is, every join is refused.
func TestNamespacesJoinedWithoutRuntime(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: append(allNamespaces(specs.NetworkNamespace), specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"})}}
	err := NewNamespaces(audit.Discard{}, fakeIsHost).Modify(s)
	assert.EqualError(t, err, "sysbox-lite: --network=container:NAME (the network namespace at /proc/42/ns/net) is refused: cannot tell whose namespace it is: sysbox-lite cannot tell whose namespaces they are")
}

// The namespaces of one sysbox-lite container (docker's container:X, a pod
// sandbox's, its user namespace itself) may be joined, and pass unchanged.
func TestNamespacesJoinSysboxContainer(t *testing.T) {
	for name, joins := range map[string][]specs.LinuxNamespace{
		"network":     {{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"}},
		"pid":         {{Type: specs.PIDNamespace, Path: "/proc/42/ns/pid"}},
		"ipc":         {{Type: specs.IPCNamespace, Path: "/proc/42/ns/ipc"}},
		"pod sandbox": {{Type: specs.NetworkNamespace, Path: "/var/run/netns/pod"}, {Type: specs.IPCNamespace, Path: "/proc/42/ns/ipc"}, {Type: specs.UTSNamespace, Path: "/proc/42/ns/uts"}},
		"user too":    {{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"}, {Type: specs.UserNamespace, Path: "/proc/42/ns/user"}, {Type: specs.CgroupNamespace, Path: "/proc/42/ns/cgroup"}},
	} {
		t.Run(name, func(t *testing.T) {
			nss := allNamespaces("")
			for _, j := range joins {
				for i := range nss {
					if nss[i].Type == j.Type {
						nss = append(nss[:i], nss[i+1:]...)
						break
					}
				}
			}
			s := &specs.Spec{Linux: &specs.Linux{Namespaces: append(nss, joins...)}}
			before := *s.Linux
			before.Namespaces = append([]specs.LinuxNamespace(nil), s.Linux.Namespaces...)
			var m audit.Memory
			host := func(string, string) (bool, error) {
				t.Error("a sysbox-lite container's namespace needs no host check")
				return false, errors.New("unreadable /proc/1")
			}
			require.NoError(t, NewNamespaces(&m, host).WithJoined(fakeJoined).Modify(s))
			assert.Equal(t, before, *s.Linux)
			assert.Empty(t, m.Events())
		})
	}
}

func TestNamespacesJoinTwoSysboxContainers(t *testing.T) {
	nss := append(allNamespaces(specs.NetworkNamespace), specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"})
	for i := range nss {
		if nss[i].Type == specs.PIDNamespace {
			nss[i].Path = "/proc/43/ns/pid"
		}
	}
	var m audit.Memory
	err := NewNamespaces(&m, fakeIsHost).WithJoined(fakeJoined).Modify(&specs.Spec{Linux: &specs.Linux{Namespaces: nss}})
	assert.EqualError(t, err, "sysbox-lite: --network=container:NAME (the network namespace at /proc/42/ns/net) is refused: it belongs to container c42, but the container also joins namespaces of container c43, which has another user namespace")
	require.Len(t, m.Events(), 1)
}

// A host whose PID 1 cannot be read: a join of a namespace owned by the
// host's user namespace is still refused, with the owner's reason.
func TestNamespacesJoinedHostUnreadable(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: append(allNamespaces(specs.NetworkNamespace), specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/7/ns/net"})}}
	unreadable := func(string, string) (bool, error) { return false, errors.New("stat /proc/1/ns/net: permission denied") }
	err := NewNamespaces(audit.Discard{}, unreadable).WithJoined(fakeJoined).Modify(s)
	assert.ErrorContains(t, err, "--network=container:NAME (the network namespace at /proc/7/ns/net) is refused: it belongs to the host's user namespace")
}

func TestNamespacesRealSpecsPass(t *testing.T) {
	for _, name := range realSpecs {
		s := loadSpec(t, name)
		before := loadSpec(t, name)
		var m audit.Memory
		require.NoError(t, NewNamespaces(&m, fakeIsHost).WithJoined(fakeJoined).Modify(s), name)
		assert.Equal(t, before, s, "the check changes nothing")
		assert.Empty(t, m.Events())
	}
}

func TestIsHostNamespaceReal(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("reading /proc/1/ns needs root")
	}
	host, err := IsHostNamespace("network", "/proc/self/ns/net")
	require.NoError(t, err)
	assert.True(t, host, "our own namespace counts as the host's")
	_, err = IsHostNamespace("network", "/nonexistent")
	assert.Error(t, err)
	_, err = IsHostNamespace("bogus", "/proc/self/ns/net")
	assert.Error(t, err)
}
