package confine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// HostInspect returns what is at path on the host, without following a
// final symlink. A path that does not exist is not an error.
func HostInspect(path string) (PathInfo, error) {
	var stx unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_SYNC_AS_STAT,
		unix.STATX_TYPE|unix.STATX_UID|unix.STATX_GID, &stx)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return PathInfo{}, nil
	}
	if err != nil {
		return PathInfo{}, &os.PathError{Op: "statx", Path: path, Err: err}
	}
	info := PathInfo{Exists: true, UID: stx.Uid, GID: stx.Gid, MountRoot: true}
	switch uint32(stx.Mode) & unix.S_IFMT {
	case unix.S_IFDIR:
		info.Dir = true
	case unix.S_IFSOCK:
		info.Socket = true
	}
	if stx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 {
		info.MountRoot = stx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
	}
	return info, nil
}

// HostRootSockets returns, sorted, the unix sockets owned by uid 0 directly
// in dir (one level: the entries of one readdir, not the tree below). Only
// entries whose type is a socket are stat'ed. A dir that does not exist has
// none.
func HostRootSockets(dir string) ([]string, error) {
	f, err := os.OpenFile(dir, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	for {
		entries, err := f.ReadDir(1024)
		for _, e := range entries {
			if e.Type()&os.ModeSocket == 0 {
				continue
			}
			var st unix.Stat_t
			if err := unix.Fstatat(int(f.Fd()), e.Name(), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				if errors.Is(err, unix.ENOENT) {
					continue // gone since the readdir
				}
				return nil, &os.PathError{Op: "fstatat", Path: filepath.Join(dir, e.Name()), Err: err}
			}
			if st.Mode&unix.S_IFMT == unix.S_IFSOCK && st.Uid == 0 {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// HostMounts reads the mount table of sysbox-lite's mount namespace.
func HostMounts() ([]Mount, error) {
	infos, err := mountinfo.GetMounts(nil)
	if err != nil {
		return nil, err
	}
	out := make([]Mount, 0, len(infos))
	for _, i := range infos {
		out = append(out, Mount{ID: i.ID, Dev: fmt.Sprintf("%d:%d", i.Major, i.Minor), Root: i.Root,
			MountPoint: i.Mountpoint, FSType: i.FSType, Options: i.VFSOptions})
	}
	return out, nil
}
