package confine

import (
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

// Namespaces refuses a spec that shares a namespace with the host: one that
// omits the pid, network, ipc, uts or mount namespace (that is what
// --pid=host and friends produce), or joins a namespace (by path) that is
// the host's.
//
// Joining the namespace of another container (--network=container:X,
// --pid=container:X, a Kubernetes pod's sandbox) is refused too, for now:
// the namespaces of another sysbox-lite container belong to its user
// namespace, and sharing them between containers with different ID ranges is
// a feature of its own (TODO). The error says so instead of failing later.
type Namespaces struct {
	sink   audit.Sink
	isHost func(nsType, path string) (bool, error)
}

// NewNamespaces returns the modifier. isHost tells whether the namespace
// file at path is the host's (IsHostNamespace).
func NewNamespaces(sink audit.Sink, isHost func(nsType, path string) (bool, error)) Namespaces {
	return Namespaces{sink: sink, isHost: isHost}
}

// Name implements runtime.SpecModifier.
func (Namespaces) Name() string { return "namespaces" }

func hostRefusal(t specs.LinuxNamespaceType) string {
	if t == specs.MountNamespace {
		return "sharing the host's mount namespace is refused: a container must have its own mount namespace"
	}
	return fmt.Sprintf("%s=host is refused: a container may not share the host's %s namespace", dockerFlag[t], t)
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
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path == "" {
			continue
		}
		asked := fmt.Sprintf("%s namespace %s", ns.Type, ns.Path)
		host, err := n.isHost(string(ns.Type), ns.Path)
		if err != nil {
			return refuse(n.sink, audit.RuleNamespaces, asked, "joining the %s namespace at %s is refused: cannot tell whether it is the host's: %v", ns.Type, ns.Path, err)
		}
		if host {
			return refuse(n.sink, audit.RuleNamespaces, asked+" (the host's)", "%s", hostRefusal(ns.Type))
		}
		if ns.Type == specs.UserNamespace {
			// TODO: allow joining the user namespace of another sysbox-lite
			// container, together with the rest of its namespaces.
			return refuse(n.sink, audit.RuleNamespaces, asked, "joining the user namespace at %s is not supported yet: every container gets its own user namespace (sharing one with another sysbox-lite container is planned)", ns.Path)
		}
		flag := dockerFlag[ns.Type]
		if flag == "" {
			flag = "joining a " + string(ns.Type) + " namespace"
		} else {
			flag += "=container:NAME"
		}
		return refuse(n.sink, audit.RuleNamespaces, asked, "%s is not supported yet: joining the %s namespace of another container (%s) is refused until sysbox-lite can share namespaces between its containers", flag, ns.Type, ns.Path)
	}
	return nil
}
