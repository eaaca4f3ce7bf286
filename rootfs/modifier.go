package rootfs

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Modifier points the spec at the assembled root and drops the mounts that
// were made on the host.
type Modifier struct {
	root    string
	plan    Plan
	devices []string
}

// NewModifier returns the modifier for an assembled root, its plan and the
// device nodes made on the host (which the engine must not make again).
func NewModifier(root string, plan Plan, devices []string) Modifier {
	return Modifier{root: root, plan: plan, devices: devices}
}

// Name implements runtime.SpecModifier.
func (Modifier) Name() string { return "host-assembled rootfs" }

// Modify implements runtime.SpecModifier.
func (m Modifier) Modify(spec *specs.Spec) error {
	spec.Root.Path = m.root
	spec.Mounts = m.plan.Kept()
	if len(m.devices) > 0 && spec.Linux != nil {
		made := map[string]bool{}
		for _, d := range m.devices {
			made[d] = true
		}
		kept := spec.Linux.Devices[:0]
		for _, d := range spec.Linux.Devices {
			if !made[d.Path] {
				kept = append(kept, d)
			}
		}
		spec.Linux.Devices = kept
	}
	return nil
}
