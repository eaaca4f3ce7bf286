package runtime

import "github.com/sysbox-lite/sysbox-lite/userns"

// DefaultChain is the one place that decides which modifiers run on a
// container's spec, and in which order, before its root is assembled.
func DefaultChain(r userns.Range) Chain {
	return Chain{
		userns.NewModifier(r),
		CgroupNamespace{},
		NewPingGroupRange(r.Size),
	}
}
