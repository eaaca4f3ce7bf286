package seccomp

import "golang.org/x/sys/unix"

const propagationFlags = unix.MS_SHARED | unix.MS_PRIVATE | unix.MS_SLAVE | unix.MS_UNBINDABLE

// normalizeFlags drops the historic magic number mount(2) still accepts in
// the top 16 bits of the low word (MS_MGC_VAL, 0xC0ED0000), exactly as
// path_mount does before it looks at any flag. Those bits overlap
// MS_PRIVATE and MS_SLAVE: judged before this, a move or a new mount would
// pass for a propagation change.
func normalizeFlags(flags uint64) uint64 {
	if flags&unix.MS_MGC_MSK == unix.MS_MGC_VAL {
		flags &^= unix.MS_MGC_MSK
	}
	return flags
}

// mountKind is what mount(2) does with a set of flags, in the kernel's own
// order of precedence (path_mount in fs/namespace.c).
type mountKind int

const (
	kindReconfigure mountKind = iota // MS_REMOUNT|MS_BIND: per-mount flags
	kindRemount                      // MS_REMOUNT: superblock and per-mount flags
	kindBind                         // MS_BIND
	kindPropagation                  // MS_SHARED|MS_PRIVATE|MS_SLAVE|MS_UNBINDABLE
	kindMove                         // MS_MOVE
	kindNew                          // a new filesystem
)

func kindOf(flags uint64) mountKind {
	flags = normalizeFlags(flags)
	switch {
	case flags&unix.MS_REMOUNT != 0 && flags&unix.MS_BIND != 0:
		return kindReconfigure
	case flags&unix.MS_REMOUNT != 0:
		return kindRemount
	case flags&unix.MS_BIND != 0:
		return kindBind
	case flags&propagationFlags != 0:
		return kindPropagation
	case flags&unix.MS_MOVE != 0:
		return kindMove
	}
	return kindNew
}

func (k mountKind) String() string {
	return [...]string{"reconfigure", "remount", "bind", "propagation", "move", "new"}[k]
}

// wantRestrictions are the restrictions a remount asks for.
func wantRestrictions(flags uint64) Restrictions {
	return Restrictions{
		ReadOnly: flags&unix.MS_RDONLY != 0,
		NoSuid:   flags&unix.MS_NOSUID != 0,
		NoDev:    flags&unix.MS_NODEV != 0,
		NoExec:   flags&unix.MS_NOEXEC != 0,
	}
}

// mountAttrs converts MS_* per-mount flags to MOUNT_ATTR_* flags.
func mountAttrs(flags uint64) uint64 {
	var a uint64
	if flags&unix.MS_RDONLY != 0 {
		a |= unix.MOUNT_ATTR_RDONLY
	}
	if flags&unix.MS_NOSUID != 0 {
		a |= unix.MOUNT_ATTR_NOSUID
	}
	if flags&unix.MS_NODEV != 0 {
		a |= unix.MOUNT_ATTR_NODEV
	}
	if flags&unix.MS_NOEXEC != 0 {
		a |= unix.MOUNT_ATTR_NOEXEC
	}
	switch {
	case flags&unix.MS_NOATIME != 0:
		a |= unix.MOUNT_ATTR_NOATIME
	case flags&unix.MS_STRICTATIME != 0:
		a |= unix.MOUNT_ATTR_STRICTATIME
	}
	if flags&unix.MS_NODIRATIME != 0 {
		a |= unix.MOUNT_ATTR_NODIRATIME
	}
	return a
}

// superblockFlags are the MS_* flags that mount(2) passes to a new
// superblock, as fsconfig flag names.
func superblockFlags(flags uint64) []string {
	var out []string
	for _, f := range []struct {
		bit  uint64
		name string
	}{{unix.MS_RDONLY, "ro"}, {unix.MS_SYNCHRONOUS, "sync"}, {unix.MS_DIRSYNC, "dirsync"}, {unix.MS_LAZYTIME, "lazytime"}, {unix.MS_MANDLOCK, "mand"}} {
		if flags&f.bit != 0 {
			out = append(out, f.name)
		}
	}
	return out
}
