// Package userns gives every container an exclusive range of host user and
// group IDs for its user namespace.
//
// The host ID space that ranges are cut from is a Pool: a run of Slots
// ranges of SlotSize IDs each, usually read from the sysbox-lite entries in
// /etc/subuid and /etc/subgid (PoolFromSubID, EnsureSubIDEntry). A Range maps
// container IDs 0..Size-1 to host IDs UID..UID+Size-1 (and GID likewise).
// Host ID 0 and host ID 4294967295 are never part of a valid pool.
//
// FileAllocator hands out slots of the pool and keeps them in a JSON state
// file. It is idempotent per key, reuses the lowest free slot, reclaims the
// slots of containers that no longer exist (LiveFunc), and is safe across
// goroutines and processes: every operation holds an flock on a sibling lock
// file and every write replaces the state file atomically. A state file that
// cannot be read, or that does not fit the configured pool, is an error and
// is never reset silently.
//
// A container that joins the namespaces of another (--network=container:X,
// a pod's sandbox) joins its user namespace too and shares its range:
// FileAllocator.Share records an entry of its own on the same slot, and a
// slot is free only once no entry holds it, whichever container goes first.
// nsfile_linux.go identifies namespaces (device and inode of the nsfs file)
// and the user namespace that owns one (ioctl NS_GET_USERNS).
package userns
