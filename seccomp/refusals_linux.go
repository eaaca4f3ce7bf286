package seccomp

import (
	"sync"

	"golang.org/x/sys/unix"
)

// refusalCacheSize bounds the cache; when it is full it starts over.
const refusalCacheSize = 4096

// refusals remembers, by unique mount ID (statx STATX_MNT_ID_UNIQUE, Linux
// 6.8+: never reused, unlike mountinfo's IDs), the mounts that may not be
// detached (unmounted or moved away) and why, so that a repeated refusal
// costs no mount table. It only ever makes a refusal: whether a mount may
// be detached does not change while it exists (protection only grows, and
// a mount is the container's own from its creation or never), and a mount
// that is gone has an ID no other mount will get. On a kernel without
// unique mount IDs it stays empty.
type refusals struct {
	mu sync.Mutex
	m  map[uint64]string
}

func (r *refusals) get(id uint64) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reason, ok := r.m[id]
	return reason, ok
}

func (r *refusals) put(id uint64, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= refusalCacheSize {
		r.m = map[uint64]string{}
	}
	r.m[id] = reason
}

// uniqueMountRoot returns the unique ID of the mount fd is on, and
// whether fd is that mount's root; ok is false without unique IDs.
func uniqueMountRoot(fd int) (id uint64, isRoot, ok bool) {
	var st unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_DONT_SYNC, unix.STATX_MNT_ID_UNIQUE, &st); err != nil {
		return 0, false, false
	}
	if st.Mask&unix.STATX_MNT_ID_UNIQUE == 0 {
		return 0, false, false
	}
	isRoot = st.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && st.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
	return st.Mnt_id, isRoot, true
}
