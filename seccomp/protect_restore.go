package seccomp

// Restore rebuilds a protection that a supervisor before this one saved
// (its Snapshot). The owned mounts are dropped: a mount ID is reused once
// its mount is gone, and a saved list may be older than the last unmount,
// so trusting it could let the container unmount a copy of a protected
// mount that got a reused ID. Without them the container cannot unmount
// the binds of protected mounts it made before the restart (refused, never
// allowed); everything it made of anything else is unaffected.
func Restore(s Snapshot) *Protection {
	p := &Protection{protected: map[Identity]bool{}, masks: map[Identity]bool{}, owned: map[int]bool{}}
	for _, id := range s.Protected {
		p.protected[id] = true
	}
	for _, id := range s.Masks {
		p.masks[id] = true
		p.protected[id] = true
	}
	return p
}
