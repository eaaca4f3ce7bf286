package seccomp

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// applyMasks makes, over a procfs or sysfs the caller just mounted (root is
// an fd of the new mount's root),
// the masks and read-only paths its original has (prefix is "/proc/" or
// "/sys/"), then attaches the emulated files the request brings, so that a
// new mount never shows more than the original does. It returns the
// identities of the masks and emulated files, which are then protected.
func (h helper) applyMasks(prefix string, root int) (Response, error) {
	where, err := h.readlinkFd(root)
	if err != nil {
		return Response{}, err
	}
	var made []string
	for _, p := range h.req.Masks.Masked {
		if rel, ok := strings.CutPrefix(p, prefix); ok {
			done, err := maskPath(root, rel)
			if err != nil {
				return Response{}, err
			}
			if done {
				made = append(made, path.Join(where, rel))
			}
		}
	}
	for _, p := range h.req.Masks.ReadOnly {
		if rel, ok := strings.CutPrefix(p, prefix); ok {
			done, err := readonlyPath(root, rel)
			if err != nil {
				return Response{}, err
			}
			if done {
				made = append(made, path.Join(where, rel))
			}
		}
	}
	// The emulated files last: over a read-only path they keep their own
	// flags (a writable sysctl under a read-only /proc/sys comes read-only
	// from the supervisor).
	for _, e := range h.req.Emulated {
		if rel, ok := strings.CutPrefix(e.Path, prefix); ok {
			done, err := attachEmulated(root, rel, e.FD)
			if err != nil {
				return Response{}, fmt.Errorf("emulated %s: %w", e.Path, err)
			}
			if done {
				made = append(made, path.Join(where, rel))
			}
		}
	}
	after, err := h.mounts()
	if err != nil {
		return Response{}, err
	}
	isMade := map[string]bool{}
	for _, m := range made {
		isMade[m] = true
	}
	var res Response
	for _, m := range after {
		if isMade[m.Mountpoint] {
			res.Masks = append(res.Masks, IdentityOf(m))
		}
	}
	return res, nil
}

// cover attaches over dst/rel the detached tree that makeTree builds for
// the path's fd; a path the new mount lacks is fine (false). A tree that
// makeTree returns is closed here unless owned is false (an inherited fd).
func cover(dst int, rel string, makeTree func(fd int) (tree int, owned bool, err error)) (bool, error) {
	fd, err := unix.Openat(dst, rel, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	tree, owned, err := makeTree(fd)
	if err != nil {
		return false, err
	}
	if owned {
		defer unix.Close(tree)
	}
	return true, unix.MoveMount(tree, "", fd, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// maskPath hides dst/rel: an empty read-only tmpfs over a directory, the
// container's /dev/null over a file.
func maskPath(dst int, rel string) (bool, error) {
	return cover(dst, rel, func(fd int) (int, bool, error) {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return -1, false, err
		}
		var tree int
		var err error
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			tree, err = emptyTmpfs()
		} else {
			tree, err = devNull()
		}
		return tree, err == nil, err
	})
}

// devNull clones the caller's /dev/null, after checking it is the real
// one (a character device 1:3): in a chroot the container built, it may be
// missing or something else, and then no mask is made (the caller's new
// mount is undone).
func devNull() (int, error) {
	tree, err := unix.OpenTree(unix.AT_FDCWD, "/dev/null", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("no /dev/null to mask files with: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(tree, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		unix.Close(tree)
		return -1, errors.New("/dev/null is not the null device")
	}
	return tree, nil
}

func emptyTmpfs() (int, error) {
	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fsfd)
	if err := unix.FsconfigSetString(fsfd, "size", "0"); err != nil {
		return -1, err
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, err
	}
	return unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY)
}

// readonlyPath stacks a read-only copy of dst/rel (with what is mounted
// below it) over itself.
func readonlyPath(dst int, rel string) (bool, error) {
	return cover(dst, rel, func(fd int) (int, bool, error) {
		tree, err := unix.OpenTree(fd, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
		if err != nil {
			return -1, false, err
		}
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC}
		if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
			unix.Close(tree)
			return -1, false, err
		}
		return tree, true, nil
	})
}

// attachEmulated attaches a detached copy of an emulated file (tree, an fd
// inherited from the supervisor) over dst/rel.
func attachEmulated(dst int, rel string, tree int) (bool, error) {
	return cover(dst, rel, func(int) (int, bool, error) { return tree, false, nil })
}
