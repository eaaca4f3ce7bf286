package runtime

import specs "github.com/opencontainers/runtime-spec/specs-go"

// CgroupNamespace gives the container its own cgroup namespace, so the
// host's cgroup paths do not show through /proc/self/cgroup.
type CgroupNamespace struct{}

// Name implements SpecModifier.
func (CgroupNamespace) Name() string { return "cgroup namespace" }

// Modify implements SpecModifier. A namespace that is joined by path is kept
// as it is; a missing one is added.
func (CgroupNamespace) Modify(spec *specs.Spec) error {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.CgroupNamespace {
			return nil
		}
	}
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	return nil
}
