package userns

import "fmt"

// PoolFromSubID builds the pool from user's first entry in the subuid and
// subgid files (the user may be written by name or by numeric uid). The pool
// has min(uid count, gid count)/slotSize slots.
func PoolFromSubID(subuidPath, subgidPath, user string, slotSize uint32) (Pool, error) {
	if slotSize == 0 {
		return Pool{}, fmt.Errorf("build id pool for %q: slot size is 0", user)
	}
	names := subIDNames(user)
	uid, err := lookupSubID(subuidPath, user, names)
	if err != nil {
		return Pool{}, err
	}
	gid, err := lookupSubID(subgidPath, user, names)
	if err != nil {
		return Pool{}, err
	}
	count := min(uid.Count, gid.Count)
	if count < slotSize {
		return Pool{}, fmt.Errorf("subordinate ids of %q are too small for one range of %d ids: %d uids in %s, %d gids in %s",
			user, slotSize, uid.Count, subuidPath, gid.Count, subgidPath)
	}
	p := Pool{UIDStart: uid.Start, GIDStart: gid.Start, Slots: count / slotSize, SlotSize: slotSize}
	if err := p.Validate(); err != nil {
		return Pool{}, fmt.Errorf("build id pool for %q from %s and %s: %w", user, subuidPath, subgidPath, err)
	}
	return p, nil
}

func lookupSubID(path, user string, names []string) (subIDEntry, error) {
	entries, err := readSubID(path)
	if err != nil {
		return subIDEntry{}, err
	}
	e, ok := findSubID(entries, names)
	if !ok {
		return subIDEntry{}, fmt.Errorf("no entry for %q in %s: run `sudo make install` or add one", user, path)
	}
	return e, nil
}
