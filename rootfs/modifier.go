package rootfs

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Modifier points the spec at the assembled root and drops the mounts that
// were made on the host.
type Modifier struct {
	root string
	plan Plan
}

// NewModifier returns the modifier for an assembled root and its plan.
func NewModifier(root string, plan Plan) Modifier { return Modifier{root: root, plan: plan} }

// Name implements runtime.SpecModifier.
func (Modifier) Name() string { return "host-assembled rootfs" }

// Modify implements runtime.SpecModifier.
func (m Modifier) Modify(spec *specs.Spec) error {
	spec.Root.Path = m.root
	spec.Mounts = m.plan.Kept()
	return nil
}
