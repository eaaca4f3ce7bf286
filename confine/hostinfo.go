package confine

// PathInfo is what the host-paths rule learns about a bind source on the
// host (not following a final symlink: sources are resolved first).
type PathInfo struct {
	// Exists is false when there is nothing at the path (the engine will
	// create it, or the mount will fail); the other fields are then zero.
	Exists bool
	Dir    bool
	// Socket: a unix socket.
	Socket bool
	// UID owns it, as sysbox-lite's user namespace sees it (0: host root).
	UID uint32
	// GID is its group, likewise.
	GID uint32
	// MountRoot: the path is the root of a mount, e.g. a volume that a
	// volume driver mounted (type=none,o=bind,device=...). True when the
	// kernel cannot tell.
	MountRoot bool
}

// hostInspect and hostRootSockets are the running system's, used by the
// host-paths rule unless its Host says otherwise (HostPaths.WithHost).
var (
	hostInspect     = HostInspect
	hostRootSockets = HostRootSockets
)

// Mount is one entry of the host's mount table (/proc/self/mountinfo, in
// sysbox-lite's mount namespace: the mounts a bind would copy).
type Mount struct {
	ID         int
	Dev        string // "major:minor" of the filesystem (its superblock)
	Root       string // the directory of that filesystem mounted here
	MountPoint string
	FSType     string
	// Options are the filesystem's own (superblock) options, e.g.
	// overlay's lowerdir=...,upperdir=...,workdir=...
	Options string
}

var hostMounts = HostMounts
