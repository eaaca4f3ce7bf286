package userns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrIdmapUnsupported means the filesystem (or kernel) refused MOUNT_ATTR_IDMAP.
var ErrIdmapUnsupported = errors.New("idmapped mounts are not supported here")

// OpenNamespace returns an fd of a new, empty user namespace whose mappings
// are r, for use as MOUNT_ATTR_IDMAP's userns_fd. The namespace belongs to a
// short-lived child (this same binary, re-executed as a holder: see
// holder.go) that only waits for its stdin to close; it is gone as soon as
// the namespace file is open.
func OpenNamespace(r Range) (*os.File, error) {
	return OpenIdmapNamespace(RangeIdmap(r))
}

// OpenIdmapNamespace is OpenNamespace for any mapping.
func OpenIdmapNamespace(m Idmap) (*os.File, error) {
	if len(m.UID) == 0 || len(m.GID) == 0 {
		return nil, errors.New("an idmap needs at least one uid and one gid line")
	}
	lines := func(ls []IDLine) []syscall.SysProcIDMap {
		out := make([]syscall.SysProcIDMap, len(ls))
		for i, l := range ls {
			out[i] = syscall.SysProcIDMap{ContainerID: int(l.Disk), HostID: int(l.Host), Size: int(l.Size)}
		}
		return out
	}
	self, err := os.Executable()
	if err != nil {
		self = "/proc/self/exe"
	}
	cmd := exec.Command(self)
	cmd.Env = []string{holderEnv + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: lines(m.UID),
		GidMappings: lines(m.GID),
		Pdeathsig:   syscall.SIGKILL,
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("user namespace holder pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start user namespace holder: %w", err)
	}
	// The mappings are written before the child execs, and Start returns
	// after the exec: the namespace is complete.
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", cmd.Process.Pid))
	stdin.Close()
	if werr := cmd.Wait(); werr != nil && err == nil {
		// The holder should exit 0 once stdin closes; anything else means
		// it was not our holder (or it died): do not trust the namespace.
		f.Close()
		return nil, fmt.Errorf("user namespace holder: %w", werr)
	}
	if err != nil {
		return nil, fmt.Errorf("open user namespace: %w", err)
	}
	return f, nil
}

// MountAttrs are the MOUNT_ATTR_* flags to set on a cloned mount.
type MountAttrs uint64

// CloneMount makes a detached copy of the mount tree at src (recursive
// copies submounts too), with attrs set and, when userns is not nil,
// idmapped through userns. The caller attaches it with MoveMount.
func CloneMount(src string, recursive bool, attrs MountAttrs, userns *os.File) (*os.File, error) {
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	setFlags := unix.AT_EMPTY_PATH
	if recursive {
		flags |= unix.AT_RECURSIVE
		setFlags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, uint(flags))
	if err != nil {
		return nil, fmt.Errorf("open_tree %s: %w", src, err)
	}
	tree := os.NewFile(uintptr(fd), src)
	// A clone of a shared mount joins its peer group: mounts made or
	// removed under it would propagate to the engine's tree (and an
	// unmount here would take the engine's mounts with it). Make it private.
	priv := unix.MountAttr{Propagation: unix.MS_PRIVATE}
	if err := unix.MountSetattr(fd, "", uint(setFlags), &priv); err != nil {
		tree.Close()
		return nil, fmt.Errorf("make the clone of %s private: %w", src, err)
	}
	if attrs != 0 {
		attr := unix.MountAttr{Attr_set: uint64(attrs)}
		if err := unix.MountSetattr(fd, "", uint(setFlags), &attr); err != nil {
			tree.Close()
			return nil, fmt.Errorf("set mount attributes on %s: %w", src, err)
		}
	}
	if userns != nil {
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
		if err := unix.MountSetattr(fd, "", uint(setFlags), &attr); err != nil {
			tree.Close()
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EPERM) {
				return nil, fmt.Errorf("idmap %s: %w (%w)", src, ErrIdmapUnsupported, err)
			}
			return nil, fmt.Errorf("idmap %s: %w", src, err)
		}
	}
	return tree, nil
}

// SetTopAttrs sets attrs on the top mount of a detached tree only (its
// submounts keep theirs).
func SetTopAttrs(tree *os.File, attrs MountAttrs) error {
	if attrs == 0 {
		return nil
	}
	attr := unix.MountAttr{Attr_set: uint64(attrs)}
	if err := unix.MountSetattr(int(tree.Fd()), "", unix.AT_EMPTY_PATH, &attr); err != nil {
		return fmt.Errorf("set mount attributes on %s: %w", tree.Name(), err)
	}
	return nil
}

// MoveMount attaches a detached tree onto target, an O_PATH handle of the
// mountpoint (so the target is the inode that was checked, not a path that
// could have been swapped for a symlink since).
func MoveMount(tree, target *os.File) error {
	err := unix.MoveMount(int(tree.Fd()), "", int(target.Fd()), "",
		unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("move_mount %s onto %s: %w", tree.Name(), target.Name(), err)
	}
	return nil
}

// MoveMountPath attaches a detached tree onto a host path we own.
func MoveMountPath(tree *os.File, target string) error {
	err := unix.MoveMount(int(tree.Fd()), "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("move_mount %s onto %s: %w", tree.Name(), target, err)
	}
	return nil
}
