package runtime

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// PingGroupRange keeps net.ipv4.ping_group_range inside the IDs the
// container's user namespace maps. Docker sets "0 2147483647", which the
// kernel refuses from inside a user namespace (EINVAL: the GIDs are not
// mapped); the same intent, "every group may ping", is [0, size-1].
type PingGroupRange struct{ size uint32 }

// NewPingGroupRange returns the modifier for a mapping of size IDs.
func NewPingGroupRange(size uint32) PingGroupRange { return PingGroupRange{size: size} }

const pingGroupRange = "net.ipv4.ping_group_range"

// Name implements SpecModifier.
func (PingGroupRange) Name() string { return "sysctl " + pingGroupRange }

// Modify implements SpecModifier.
func (p PingGroupRange) Modify(spec *specs.Spec) error {
	v, ok := spec.Linux.Sysctl[pingGroupRange]
	if !ok {
		return nil
	}
	fields := strings.Fields(v)
	if len(fields) != 2 {
		return fmt.Errorf("value %q is not two group IDs", v)
	}
	lo, err1 := strconv.ParseUint(fields[0], 10, 32)
	hi, err2 := strconv.ParseUint(fields[1], 10, 32)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("value %q is not two group IDs", v)
	}
	last := uint64(p.size) - 1
	switch {
	case lo > hi:
		// The kernel's way of saying "nobody": keep it, it is always valid.
		spec.Linux.Sysctl[pingGroupRange] = "1 0"
	case lo > last:
		spec.Linux.Sysctl[pingGroupRange] = "1 0"
	default:
		spec.Linux.Sysctl[pingGroupRange] = fmt.Sprintf("%d %d", lo, min(hi, last))
	}
	return nil
}
