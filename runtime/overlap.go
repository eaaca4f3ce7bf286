package runtime

import "github.com/sysbox-lite/sysbox-lite/userns"

// liveOverlap returns the ID of a live sysbox-lite container (one whose
// engine state exists) whose range overlaps r. The pool's allocator knows
// only the ranges it handed out; a container whose mappings came from its
// spec (fromSpec: a user namespace the engine asked for) holds a range the
// allocator never saw, and it is just as exclusive.
func (rt *Runtime) liveOverlap(r userns.Range) (string, bool) {
	store := rt.Store()
	keys, err := store.Keys()
	if err != nil {
		return "", false
	}
	for _, key := range keys {
		c, ok, err := store.Load(key)
		if err != nil || !ok || c.Range.Size == 0 || !engineHas(c.EngineRoot, c.ID) {
			continue
		}
		if c.Range.Overlaps(r) {
			return c.ID, true
		}
	}
	return "", false
}
