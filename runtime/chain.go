package runtime

import (
	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/cgroups"
	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/fsemu"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// DefaultChain is the one place that decides which modifiers run on a
// container's spec, and in which order, before its root is assembled.
//
// The order:
//  1. the refusals, on the spec as the engine wrote it: host namespaces
//     (before anything adds namespaces: a missing pid namespace is
//     --pid=host), sensitive host paths (before the mount plan takes the
//     binds out of the spec), devices (also narrows the device cgroup);
//  2. the user namespace and its mappings, then the cgroup namespace and the
//     hook that delegates the container's cgroups to its root (run by
//     sysbox-lite's binary, emu.Self), then the sysctls that depend on the
//     mapping;
//  3. what is kept in force whatever the spec says: masked and read-only
//     paths, then the seccomp baseline, then the mount-family traps (last:
//     they merge into whatever profile the baseline left, and point the
//     engine at the supervisor listening at listener);
//  4. the emulated /proc and /sys files (emu: bind mounts from the
//     supervisor's FUSE mount and the hook that binds the rest), last since
//     they depend on the final read-only and masked paths.
//
// cfg supplies the policy, and the paths of sysbox-lite's own state that no
// container may bind-mount; sink receives the refusals (already bound to the
// container, see audit.ForContainer); host answers what the modifiers need to
// know about the host (confine.RealHost in production, with JoinedNamespace
// set by create: see join_linux.go); opts go to the user namespace modifier
// (userns.JoinNamespace for a container that joins another's namespaces: r
// is then that container's range, and no second user namespace is added).
func DefaultChain(r userns.Range, cfg config.Config, sink audit.Sink, host confine.Host, listener string, emu fsemu.Modifier, opts ...userns.ModifierOption) Chain {
	return Chain{
		confine.NewNamespaces(sink, host.IsHostNamespace).WithJoined(host.JoinedNamespace),
		confine.NewHostPaths(cfg, sink, host.Resolve).WithHost(host),
		confine.NewDevices(cfg.Policy.AllowedDevices, sink, host.Device),
		userns.NewModifier(r, opts...),
		CgroupNamespace{},
		cgroups.NewModifier(emu.Self, r.UID, r.GID),
		NewPingGroupRange(r.Size),
		confine.NewMasks(),
		confine.NewSeccomp(),
		seccomp.NewModifier(listener, ""),
		emu,
	}
}
