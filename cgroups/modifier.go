package cgroups

import (
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// HookCommand is the subcommand of sysbox-lite that runs RunHook, as the
// container's createRuntime hook.
const HookCommand = "cgroup-hook"

// hookTimeout bounds the hook (seconds).
const hookTimeout = 10

// Modifier adds the delegation hook to a container's spec.
type Modifier struct {
	// Self is sysbox-lite's binary, which the engine runs as the hook; empty
	// disables the modifier.
	Self string
	// UID and GID are the host IDs of the container's root.
	UID, GID uint32
}

// NewModifier returns the modifier for a container whose root is uid:gid
// on the host.
func NewModifier(self string, uid, gid uint32) Modifier {
	return Modifier{Self: self, UID: uid, GID: gid}
}

// Name implements runtime.SpecModifier.
func (Modifier) Name() string { return "cgroup delegation" }

// Modify implements runtime.SpecModifier. It is idempotent: a hook of an
// earlier run is replaced.
func (m Modifier) Modify(spec *specs.Spec) error {
	if m.Self == "" {
		return nil
	}
	if spec.Hooks == nil {
		spec.Hooks = &specs.Hooks{}
	}
	var kept []specs.Hook
	for _, h := range spec.Hooks.CreateRuntime {
		if !m.isOurs(h) {
			kept = append(kept, h)
		}
	}
	timeout := hookTimeout
	spec.Hooks.CreateRuntime = append(kept, specs.Hook{
		Path:    m.Self,
		Args:    []string{"sysbox-lite", HookCommand, strconv.FormatUint(uint64(m.UID), 10), strconv.FormatUint(uint64(m.GID), 10)},
		Timeout: &timeout,
	})
	return nil
}

func (m Modifier) isOurs(h specs.Hook) bool {
	return h.Path == m.Self && len(h.Args) > 1 && h.Args[1] == HookCommand
}
