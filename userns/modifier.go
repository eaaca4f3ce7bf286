package userns

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// MinSize is the smallest mapping sysbox-lite accepts: a full 16-bit ID space.
const MinSize = 65536

// Modifier puts the container in a new user namespace mapped to one range,
// or, for a container that joins the namespaces of another sysbox-lite
// container, in that container's user namespace (JoinNamespace). A spec that
// already carries mappings (dockerd's userns-remap) keeps them; RangeFromSpec
// has vetted them before.
type Modifier struct {
	r    Range
	join string
}

// ModifierOption configures a Modifier.
type ModifierOption func(*Modifier)

// JoinNamespace makes the container join the user namespace at path, which
// the caller has checked is mapped exactly to the modifier's range (runc
// needs the mappings in the spec even when it joins: it does not write them,
// but works out the container's root from them). An empty path is no option.
func JoinNamespace(path string) ModifierOption {
	return func(m *Modifier) { m.join = path }
}

// NewModifier returns the modifier for range r.
func NewModifier(r Range, opts ...ModifierOption) Modifier {
	m := Modifier{r: r}
	for _, o := range opts {
		o(&m)
	}
	return m
}

// Name implements runtime.SpecModifier.
func (Modifier) Name() string { return "user namespace" }

// Modify implements runtime.SpecModifier.
func (m Modifier) Modify(spec *specs.Spec) error {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	found := false
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.UserNamespace {
			if ns.Path != "" && m.join == "" {
				return fmt.Errorf("joining the user namespace at %s is not supported: only that of another sysbox-lite container, which the runtime must have identified", ns.Path)
			}
			// A path the spec had is replaced by the caller's, which
			// names the same namespace (the caller has checked that).
			spec.Linux.Namespaces[i].Path = m.join
			found = true
		}
	}
	if !found {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: m.join})
	}
	if len(spec.Linux.UIDMappings) > 0 || len(spec.Linux.GIDMappings) > 0 {
		got, ok, err := RangeFromSpec(spec)
		if err != nil {
			return err
		}
		if !ok || got != m.r {
			return errors.New("the spec's ID mappings differ from the allocated range")
		}
		return nil
	}
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: m.r.UID, Size: m.r.Size}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: m.r.GID, Size: m.r.Size}}
	return nil
}

// RangeFromSpec returns the mapping a spec already carries, if any, after
// checking it is safe: one contiguous mapping per kind starting at container
// ID 0, at least MinSize IDs, the same size for UIDs and GIDs, and never host
// ID 0. ok is false when the spec has no mappings.
func RangeFromSpec(spec *specs.Spec) (r Range, ok bool, err error) {
	if spec.Linux == nil || (len(spec.Linux.UIDMappings) == 0 && len(spec.Linux.GIDMappings) == 0) {
		return Range{}, false, nil
	}
	uid, err := singleMapping("uid", spec.Linux.UIDMappings)
	if err != nil {
		return Range{}, false, err
	}
	gid, err := singleMapping("gid", spec.Linux.GIDMappings)
	if err != nil {
		return Range{}, false, err
	}
	if uid.Size != gid.Size {
		return Range{}, false, fmt.Errorf("the spec's uid mapping (%d IDs) and gid mapping (%d IDs) differ in size", uid.Size, gid.Size)
	}
	return Range{UID: uid.HostID, GID: gid.HostID, Size: uid.Size}, true, nil
}

func singleMapping(kind string, ms []specs.LinuxIDMapping) (specs.LinuxIDMapping, error) {
	const refuse = "the spec's %s mapping is refused: %s (sysbox-lite needs one contiguous mapping of at least %d IDs from container ID 0 that never maps host ID 0)"
	switch {
	case len(ms) == 0:
		return specs.LinuxIDMapping{}, fmt.Errorf(refuse, kind, "it is missing", MinSize)
	case len(ms) > 1:
		return specs.LinuxIDMapping{}, fmt.Errorf(refuse, kind, fmt.Sprintf("it has %d pieces", len(ms)), MinSize)
	}
	m := ms[0]
	switch {
	case m.ContainerID != 0:
		return m, fmt.Errorf(refuse, kind, fmt.Sprintf("it starts at container ID %d", m.ContainerID), MinSize)
	case m.Size < MinSize:
		return m, fmt.Errorf(refuse, kind, fmt.Sprintf("it has only %d IDs", m.Size), MinSize)
	case m.HostID == 0:
		return m, fmt.Errorf(refuse, kind, "it maps host ID 0", MinSize)
	case uint64(m.HostID)+uint64(m.Size) > 1<<32-1:
		return m, fmt.Errorf(refuse, kind, "it runs past the last host ID", MinSize)
	}
	return m, nil
}
