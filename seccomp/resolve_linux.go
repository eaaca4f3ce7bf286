package seccomp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// mountOfFd returns the mount an O_PATH fd is on, from a mount table, and
// whether the fd is that mount's root (what umount and remount need).
func mountOfFd(fd int, mounts []*mountinfo.Info) (*mountinfo.Info, bool, error) {
	var st unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_DONT_SYNC, unix.STATX_MNT_ID, &st); err != nil {
		return nil, false, fmt.Errorf("statx: %w", err)
	}
	if st.Mask&unix.STATX_MNT_ID == 0 {
		return nil, false, fmt.Errorf("statx: no mount id")
	}
	isRoot := st.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && st.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
	for _, m := range mounts {
		if uint64(m.ID) == st.Mnt_id {
			return m, isRoot, nil
		}
	}
	return nil, isRoot, fmt.Errorf("mount %d is not in the mount table", st.Mnt_id)
}

// callerMounts reads the mount table as the caller sees it (its mount
// namespace, paths relative to its root).
func callerMounts(pid int) ([]*mountinfo.Info, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		return nil, fmt.Errorf("open caller mountinfo: %w", err)
	}
	defer f.Close()
	return mountinfo.GetMountsFromReader(f, nil)
}

// openInCaller opens an absolute path the way the caller would resolve it
// (inside its root, symlinks included), from outside its namespaces. Only
// used to refuse quickly: the helper resolves again before acting.
func openInCaller(pid int, path string, follow bool) (int, error) {
	if !strings.HasPrefix(path, "/") {
		return -1, fmt.Errorf("relative path")
	}
	root, err := unix.Open(fmt.Sprintf("/proc/%d/root", pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open caller root: %w", err)
	}
	defer unix.Close(root)
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	if !follow {
		how.Flags |= unix.O_NOFOLLOW
	}
	rel := filepath.Clean(strings.TrimPrefix(path, "/"))
	return unix.Openat2(root, rel, &how)
}
