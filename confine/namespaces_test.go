package confine

import (
	"errors"
	"os"
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

func TestNamespacesJoined(t *testing.T) {
	for name, tc := range map[string]struct {
		ns   specs.LinuxNamespace
		want string
	}{
		"host pid":      {specs.LinuxNamespace{Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"}, "--pid=host is refused: a container may not share the host's pid namespace"},
		"host net":      {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"}, "--network=host is refused: a container may not share the host's network namespace"},
		"host ipc":      {specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/proc/1/ns/ipc"}, "--ipc=host is refused: a container may not share the host's ipc namespace"},
		"host uts":      {specs.LinuxNamespace{Type: specs.UTSNamespace, Path: "/proc/1/ns/uts"}, "--uts=host is refused: a container may not share the host's uts namespace"},
		"host user":     {specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/1/ns/user"}, "--userns=host is refused: a container may not share the host's user namespace"},
		"host cgroup":   {specs.LinuxNamespace{Type: specs.CgroupNamespace, Path: "/proc/1/ns/cgroup"}, "--cgroupns=host is refused: a container may not share the host's cgroup namespace"},
		"host mount":    {specs.LinuxNamespace{Type: specs.MountNamespace, Path: "/proc/1/ns/mnt"}, "sharing the host's mount namespace is refused: a container must have its own mount namespace"},
		"other net":     {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"}, "--network=container:NAME is not supported yet: joining the network namespace of another container (/proc/42/ns/net) is refused until sysbox-lite can share namespaces between its containers"},
		"other pid":     {specs.LinuxNamespace{Type: specs.PIDNamespace, Path: "/proc/42/ns/pid"}, "--pid=container:NAME is not supported yet: joining the pid namespace of another container (/proc/42/ns/pid) is refused until sysbox-lite can share namespaces between its containers"},
		"other user":    {specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/42/ns/user"}, "joining the user namespace at /proc/42/ns/user is not supported yet: every container gets its own user namespace (sharing one with another sysbox-lite container is planned)"},
		"unknown":       {specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/bad"}, "joining the ipc namespace at /bad is refused: cannot tell whether it is the host's: no such file or directory"},
		"netns by name": {specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/var/run/netns/x"}, "--network=container:NAME is not supported yet: joining the network namespace of another container (/var/run/netns/x) is refused until sysbox-lite can share namespaces between its containers"},
	} {
		t.Run(name, func(t *testing.T) {
			nss := allNamespaces(tc.ns.Type)
			if tc.ns.Type == specs.UserNamespace || tc.ns.Type == specs.CgroupNamespace {
				nss = allNamespaces("")
			}
			s := &specs.Spec{Linux: &specs.Linux{Namespaces: append(nss, tc.ns)}}
			var m audit.Memory
			err := NewNamespaces(&m, fakeIsHost).Modify(s)
			require.Error(t, err)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			require.Len(t, m.Events(), 1)
			assert.Equal(t, audit.Refused, m.Events()[0].Verdict)
			assert.Contains(t, m.Events()[0].Asked, tc.ns.Path)
		})
	}
}

func TestNamespacesRealSpecsPass(t *testing.T) {
	for _, name := range realSpecs {
		s := loadSpec(t, name)
		before := loadSpec(t, name)
		var m audit.Memory
		require.NoError(t, NewNamespaces(&m, fakeIsHost).Modify(s), name)
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
