package fsemu

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// HookCommand is the subcommand of sysbox-lite that runs RunHook, as the
// container's createContainer hook.
const HookCommand = "fsemu-hook"

// RunHook binds emulated files that runc does not accept as spec mounts
// (under /proc/sys) over the container's own. The engine runs it in the
// container's namespaces, as its root, after its mounts and before
// pivot_root: the FUSE mount (fuseDir) is still reachable by its host
// path, and the container's procfs is mounted under rootfs. Each entry is
// "rw:PATH" or "ro:PATH". The container's state comes on stdin (unused).
func RunHook(stdin io.Reader, fuseDir, rootfs string, entries []string) error {
	_, _ = io.Copy(io.Discard, stdin)
	for _, e := range entries {
		mode, p, ok := strings.Cut(e, ":")
		if !ok || (mode != "rw" && mode != "ro") || !filepath.IsAbs(p) || filepath.Clean(p) != p {
			return fmt.Errorf("fsemu hook: bad entry %q", e)
		}
		if err := bindEmulated(filepath.Join(fuseDir, p), rootfs, p, mode == "ro"); err != nil {
			return fmt.Errorf("fsemu hook: bind %s: %w", p, err)
		}
	}
	return nil
}

// bindEmulated clones src (one file of the FUSE mount) and attaches the
// clone over p inside rootfs.
func bindEmulated(src, rootfs, p string, readonly bool) error {
	tree, err := openTreeClone(src, readonly)
	if err != nil {
		return err
	}
	defer unix.Close(tree)
	root, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open the root: %w", err)
	}
	defer unix.Close(root)
	// Resolved inside the root: a symlink of the image cannot send the
	// mount elsewhere.
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	dst, err := unix.Openat2(root, strings.TrimPrefix(p, "/"), &how)
	if err != nil {
		return fmt.Errorf("open the mountpoint: %w", err)
	}
	defer unix.Close(dst)
	return unix.MoveMount(tree, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// openTreeClone makes a detached bind of path (not following a final
// symlink), read-only if asked.
func openTreeClone(path string, readonly bool) (int, error) {
	tree, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_SYMLINK_NOFOLLOW)
	if err != nil {
		return -1, fmt.Errorf("open_tree %s: %w", path, err)
	}
	if readonly {
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, &attr); err != nil {
			unix.Close(tree)
			return -1, fmt.Errorf("make %s read-only: %w", path, err)
		}
	}
	return tree, nil
}
