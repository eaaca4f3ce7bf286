package confine

import (
	"errors"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// podJoined: /run/netns/pod is a pod's network namespace (OwnedByHostPod)
// whatever its type; /run/netns/used is one of the host's user namespace
// with another process in it; /proc/42/ns/* are sysbox-lite container
// c42's; /proc/1/ns/net is the host's but claims to be a pod's (the host
// check must win).
func podJoined(nsType, p string) (JoinedNamespace, error) {
	switch p {
	case "/run/netns/pod", "/proc/1/ns/net":
		return JoinedNamespace{Owner: OwnedByHostPod}, nil
	case "/run/netns/used":
		return JoinedNamespace{Owner: OwnedByHost, NotPod: "process 7, which is not of the pod's sysbox-lite containers, is in it"}, nil
	case "/proc/42/ns/ipc", "/proc/42/ns/uts":
		return JoinedNamespace{Owner: OwnedByContainer, Container: "c42", UserNS: "4:42"}, nil
	}
	return JoinedNamespace{}, errors.New("unknown")
}

func podSpec(extra ...specs.LinuxNamespace) *specs.Spec {
	nss := []specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}}
	return &specs.Spec{Linux: &specs.Linux{Namespaces: append(nss, extra...)}}
}

func TestNamespacesPodNetworkAccepted(t *testing.T) {
	var m audit.Memory
	// a pod's sandbox: new ipc and uts, the pod's network namespace
	s := podSpec(specs.LinuxNamespace{Type: specs.IPCNamespace}, specs.LinuxNamespace{Type: specs.UTSNamespace},
		specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/run/netns/pod"})
	require.NoError(t, NewNamespaces(&m, fakeIsHost).WithJoined(podJoined).Modify(s))
	// an app container: the sandbox's ipc and uts, the pod's network
	s = podSpec(specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/proc/42/ns/ipc"}, specs.LinuxNamespace{Type: specs.UTSNamespace, Path: "/proc/42/ns/uts"},
		specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/run/netns/pod"})
	require.NoError(t, NewNamespaces(&m, fakeIsHost).WithJoined(podJoined).Modify(s))
	assert.Empty(t, m.Events(), "nothing refused")
}

func TestNamespacesPodNetworkRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		ns   specs.LinuxNamespace
		want string
	}{
		"host's network namespace, whatever the runtime said": {
			specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"},
			"--network=host is refused: a container may not share the host's network namespace",
		},
		"a pod's only for the network": {
			specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/run/netns/pod"},
			"--ipc=container:NAME (the ipc namespace at /run/netns/pod) is refused: cannot tell whose namespace it is",
		},
		"used by another process": {
			specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/run/netns/used"},
			"--network=container:NAME (the network namespace at /run/netns/used) is refused: it belongs to the host's user namespace and is not a pod's network namespace (process 7, which is not of the pod's sysbox-lite containers, is in it); a sysbox-lite container may only join the namespaces of another sysbox-lite container, or a pod's network namespace that nothing else uses",
		},
	} {
		t.Run(name, func(t *testing.T) {
			var extra []specs.LinuxNamespace
			for _, typ := range []specs.LinuxNamespaceType{specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace} {
				if typ != tc.ns.Type {
					extra = append(extra, specs.LinuxNamespace{Type: typ})
				}
			}
			var m audit.Memory
			err := NewNamespaces(&m, fakeIsHost).WithJoined(podJoined).Modify(podSpec(append(extra, tc.ns)...))
			var r *Refusal
			require.ErrorAs(t, err, &r)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			require.Len(t, m.Events(), 1)
			assert.Equal(t, audit.Refused, m.Events()[0].Verdict)
		})
	}
}

// A spec that joins a user namespace the engine made, with mappings
// (containerd 2.x, hostUsers: false), is refused with a reason that names
// the pod setting; one that joins a sysbox-lite container's is not.
func TestNamespacesEngineUserNamespaceRefused(t *testing.T) {
	joined := func(nsType, p string) (JoinedNamespace, error) {
		switch p {
		case "/run/cri/pinned/user", "/run/cri/netns":
			return JoinedNamespace{Owner: OwnedByOther}, nil
		}
		return podJoined(nsType, p)
	}
	mapping := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 263192576, Size: 65536}}
	s := podSpec(specs.LinuxNamespace{Type: specs.IPCNamespace}, specs.LinuxNamespace{Type: specs.UTSNamespace},
		specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/run/cri/netns"},
		specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/run/cri/pinned/user"})
	s.Linux.UIDMappings, s.Linux.GIDMappings = mapping, mapping
	var m audit.Memory
	err := NewNamespaces(&m, fakeIsHost).WithJoined(joined).Modify(s)
	var r *Refusal
	require.ErrorAs(t, err, &r)
	assert.Equal(t, "sysbox-lite: a pod with a user namespace of its own (Kubernetes hostUsers: false) is refused: sysbox-lite already runs every pod in a user namespace of its own with an exclusive ID range; leave hostUsers unset (true) for pods of the sysbox-lite RuntimeClass", err.Error())
	require.Len(t, m.Events(), 1)

	// the same mappings with a sysbox-lite container's user namespace (an
	// app container of such a pod would join its sandbox's): no refusal here
	s.Linux.Namespaces = podSpec(specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/proc/42/ns/ipc"},
		specs.LinuxNamespace{Type: specs.UTSNamespace, Path: "/proc/42/ns/uts"},
		specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/run/netns/pod"}).Linux.Namespaces
	require.NoError(t, NewNamespaces(audit.Discard{}, fakeIsHost).WithJoined(joined).Modify(s))
}
