package confine

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// requiredNamespaces must be new in every container. The user and cgroup
// namespaces are added by later modifiers when the spec lacks them.
var requiredNamespaces = []specs.LinuxNamespaceType{
	specs.PIDNamespace, specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.MountNamespace,
}

// dockerFlag is the docker option that asks for the host's namespace.
var dockerFlag = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace:     "--pid",
	specs.NetworkNamespace: "--network",
	specs.IPCNamespace:     "--ipc",
	specs.UTSNamespace:     "--uts",
	specs.UserNamespace:    "--userns",
	specs.CgroupNamespace:  "--cgroupns",
}

// NamespaceOwner says which user namespace owns a namespace that a spec
// joins by path.
type NamespaceOwner int

const (
	// OwnedByUnknown: nobody could tell (the zero value; refused).
	OwnedByUnknown NamespaceOwner = iota
	// OwnedByHost: the host's (initial) user namespace. The namespace is
	// the host's own, that of a container of another runtime (plain runc),
	// or one made on the host (a CNI network namespace under /run/netns).
	OwnedByHost
	// OwnedByContainer: the user namespace of a live sysbox-lite container,
	// which the new container then joins too, with that container's range.
	OwnedByContainer
	// OwnedByOther: any other user namespace (a rootless engine's
	// container, a process's own unshare).
	OwnedByOther
	// OwnedByHostPod: a pod's network namespace, owned by the host's user
	// namespace, that a sysbox-lite container may join. What makes one, and
	// why joining it is safe:
	//
	// Kubernetes' CRI (containerd's, CRI-O's) makes each pod's network
	// namespace on the host, owned by the host's user namespace, and has CNI
	// put the pod's interfaces in it before any container exists; the
	// sandbox and every app container of the pod then join it by path. A
	// sysbox-lite container cannot own it, so sysbox-lite accepts it when,
	// and only when, the runtime found that:
	//   - it is not the host's network namespace (neither PID 1's nor the
	//     caller's: /proc/1/ns/net, /proc/self/ns/net, compared by device and
	//     inode, which also catches any bind mount of them);
	//   - no process (no thread) on the machine is in it, except processes of
	//     the one sysbox-lite user namespace the container joins with its
	//     other namespaces: for a pod's sandbox nobody at all (a fresh CNI
	//     namespace); for an app container only the pod's own containers.
	//     The network namespace of the host, of a host daemon, of a plain
	//     runc container or of another pod therefore never qualifies;
	//   - the file checked is the one the engine joins (pinned under the
	//     container's state directory, as for every joined namespace).
	//
	// Inside, the container's root holds no capability over that namespace:
	// capabilities count in the namespace's owning user namespace, the host's,
	// where the container's IDs are unprivileged. So it cannot configure
	// interfaces, routes, netfilter, network sysctls, raw sockets or ports
	// below net.ipv4.ip_unprivileged_port_start; it can use the sockets the
	// pod's network allows, as any unprivileged pod process can. What it sees
	// is the pod's interfaces (CNI's), not the host's. Nothing outside the pod
	// gains a way in: whoever could enter the namespace before (the host's
	// root) still can, nobody else. The price: a container in such a
	// namespace gets no sysfs of its own (the kernel mounts sysfs only for the
	// owner of the network namespace); sysbox-lite mounts one from the host
	// side instead (see the runtime).
	OwnedByHostPod
)

// JoinedNamespace is what the runtime found out about a namespace that a
// spec joins by path. For a user namespace, "owner" means the namespace
// itself.
type JoinedNamespace struct {
	Owner NamespaceOwner
	// Container is the sysbox-lite container whose user namespace it is
	// (OwnedByContainer).
	Container string
	// UserNS identifies that user namespace: a spec may join the namespaces
	// of one sysbox-lite user namespace only.
	UserNS string
	// NotPod says why a network namespace owned by the host's user
	// namespace is not a pod's (OwnedByHost; empty when nobody looked).
	NotPod string
}

// Namespaces refuses a spec that shares a namespace with the host: one that
// omits the pid, network, ipc, uts or mount namespace (that is what
// --pid=host and friends produce), or joins a namespace (by path) that is
// the host's.
//
// Joining a namespace of another container (--network=container:X,
// --pid=container:X, --ipc=container:X, a Kubernetes pod's sandbox) is
// allowed when, and only when, that namespace belongs to the user namespace
// of a live sysbox-lite container, or is a pod's network namespace made on
// the host (OwnedByHostPod): the new container then joins that user
// namespace too and shares that container's ID range (the runtime sees to
// it). Every namespace a spec joins must belong to that one user namespace;
// a mount namespace is never joined. Namespaces owned by the host's user
// namespace (a plain runc container's, a network namespace made on the
// host) or by any other user namespace are refused: the new container's root
// would have no power over them, or someone else's would over it.
type Namespaces struct {
	sink   audit.Sink
	isHost func(nsType, path string) (bool, error)
	joined func(nsType, path string) (JoinedNamespace, error)
}

// NewNamespaces returns the modifier. isHost tells whether the namespace
// file at path is the host's (IsHostNamespace). Without WithJoined, every
// namespace joined by path is refused.
func NewNamespaces(sink audit.Sink, isHost func(nsType, path string) (bool, error)) Namespaces {
	return Namespaces{sink: sink, isHost: isHost}
}

// WithJoined returns the modifier with joined, which tells whose a
// namespace joined by path is (the runtime knows its containers; nil is no
// answer).
func (n Namespaces) WithJoined(joined func(nsType, path string) (JoinedNamespace, error)) Namespaces {
	n.joined = joined
	return n
}

// Name implements runtime.SpecModifier.
func (Namespaces) Name() string { return "namespaces" }

func hostRefusal(t specs.LinuxNamespaceType) string {
	if t == specs.MountNamespace {
		return "sharing the host's mount namespace is refused: a container must have its own mount namespace"
	}
	return fmt.Sprintf("%s=host is refused: a container may not share the host's %s namespace", dockerFlag[t], t)
}

// joinWhat names a join the way the user asked for it.
func joinWhat(t specs.LinuxNamespaceType, path string) string {
	switch t {
	case specs.PIDNamespace, specs.NetworkNamespace, specs.IPCNamespace:
		return fmt.Sprintf("%s=container:NAME (the %s namespace at %s)", dockerFlag[t], t, path)
	}
	return fmt.Sprintf("joining the %s namespace at %s", t, path)
}

// Modify implements runtime.SpecModifier.
func (n Namespaces) Modify(spec *specs.Spec) error {
	var have map[specs.LinuxNamespaceType]bool
	if spec.Linux != nil {
		have = map[specs.LinuxNamespaceType]bool{}
		for _, ns := range spec.Linux.Namespaces {
			have[ns.Type] = true
		}
	}
	for _, t := range requiredNamespaces {
		if !have[t] {
			return refuse(n.sink, audit.RuleNamespaces, fmt.Sprintf("%s namespace: the host's (none in the spec)", t), "%s", hostRefusal(t))
		}
	}
	if err := n.refuseEngineUserNamespace(spec); err != nil {
		return err
	}
	var group JoinedNamespace // the sysbox-lite user namespace joined so far
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path == "" {
			continue
		}
		asked := fmt.Sprintf("%s namespace %s", ns.Type, ns.Path)
		j, jerr := JoinedNamespace{}, errors.New("sysbox-lite cannot tell whose namespaces they are")
		if n.joined != nil {
			j, jerr = n.joined(string(ns.Type), ns.Path)
		}
		if jerr == nil && j.Owner == OwnedByContainer {
			// A sysbox-lite container's user namespace is never the
			// host's, nor is anything it owns.
			if ns.Type == specs.MountNamespace {
				return refuse(n.sink, audit.RuleNamespaces, asked, "joining the mount namespace at %s is refused: a container must have its own mount namespace", ns.Path)
			}
			if group.UserNS != "" && j.UserNS != group.UserNS {
				return refuse(n.sink, audit.RuleNamespaces, asked, "%s is refused: it belongs to container %s, but the container also joins namespaces of container %s, which has another user namespace", joinWhat(ns.Type, ns.Path), j.Container, group.Container)
			}
			group = j
			continue
		}
		host, herr := n.isHost(string(ns.Type), ns.Path)
		switch {
		case herr == nil && host:
			return refuse(n.sink, audit.RuleNamespaces, asked+" (the host's)", "%s", hostRefusal(ns.Type))
		case jerr == nil && j.Owner == OwnedByHostPod && ns.Type == specs.NetworkNamespace:
			// a pod's network namespace: see OwnedByHostPod (the runtime
			// made sure it is not the host's, even when isHost cannot tell)
			continue
		case jerr != nil:
			return refuse(n.sink, audit.RuleNamespaces, asked, "%s is refused: cannot tell whose namespace it is: %v", joinWhat(ns.Type, ns.Path), jerr)
		case j.Owner == OwnedByHost && j.NotPod != "":
			return refuse(n.sink, audit.RuleNamespaces, asked+" (owned by the host's user namespace, not a pod's)", "%s is refused: it belongs to the host's user namespace and is not a pod's network namespace (%s); a sysbox-lite container may only join the namespaces of another sysbox-lite container, or a pod's network namespace that nothing else uses", joinWhat(ns.Type, ns.Path), j.NotPod)
		case j.Owner == OwnedByHost:
			return refuse(n.sink, audit.RuleNamespaces, asked+" (owned by the host's user namespace)", "%s is refused: it belongs to the host's user namespace (a container of another runtime, or a namespace made on the host); a sysbox-lite container may only join the namespaces of another sysbox-lite container", joinWhat(ns.Type, ns.Path))
		case j.Owner == OwnedByOther:
			return refuse(n.sink, audit.RuleNamespaces, asked+" (owned by another user namespace)", "%s is refused: it belongs to a user namespace that is not a sysbox-lite container's", joinWhat(ns.Type, ns.Path))
		default:
			return refuse(n.sink, audit.RuleNamespaces, asked, "%s is refused: cannot tell whose namespace it is", joinWhat(ns.Type, ns.Path))
		}
	}
	return nil
}

// refuseEngineUserNamespace refuses, with a reason a Kubernetes user can act
// on, a spec that joins a user namespace the engine made itself, with
// mappings of its choosing, that is no sysbox-lite container's: what
// containerd 2.x does for a pod with `hostUsers: false` (it makes the
// pod's user namespace and network namespace before the sandbox exists).
// sysbox-lite gives every pod a user namespace with an exclusive range of
// the pool; keeping an engine-made one would mean trusting mappings that
// sysbox-lite neither chose nor reserved. (A spec that only carries
// mappings, for a user namespace the engine creates, is kept: the runtime
// checks them against every live range.)
func (n Namespaces) refuseEngineUserNamespace(spec *specs.Spec) error {
	if n.joined == nil || len(spec.Linux.UIDMappings) == 0 {
		return nil
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type != specs.UserNamespace || ns.Path == "" {
			continue
		}
		if j, err := n.joined(string(ns.Type), ns.Path); err == nil && j.Owner == OwnedByOther {
			return refuse(n.sink, audit.RuleNamespaces, fmt.Sprintf("user namespace %s made by the engine, with the spec's mappings", ns.Path),
				"a pod with a user namespace of its own (Kubernetes hostUsers: false) is refused: sysbox-lite already runs every pod in a user namespace of its own with an exclusive ID range; leave hostUsers unset (true) for pods of the sysbox-lite RuntimeClass")
		}
	}
	return nil
}
