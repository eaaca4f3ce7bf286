package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// treeCopier copies a directory tree seen through an idmapped view of a
// container's root (owners base+n) to a plain directory that the container
// will see through an idmapped mount (owners n on disk). It never follows a
// symlink of the source, and it makes no device node other than overlayfs's
// whiteouts (0:0): what an image brings must not become a host device.
type treeCopier struct {
	shift, shiftGID, size uint32
	log                   logrus.FieldLogger
}

// copyXattrPrefixes are the extended attributes that are copied: overlayfs
// (an inner engine's layers: opaque directories, redirects) and the user
// namespace. security.* (capabilities carry a namespace root) is not.
var copyXattrPrefixes = []string{"user.", "trusted.overlay."}

func (c treeCopier) copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		if err := c.copyEntry(p, target, rel == ".", &st); err != nil {
			if errors.Is(err, errSkipped) {
				return nil
			}
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		return nil
	})
}

var errSkipped = errors.New("skipped")

func (c treeCopier) copyEntry(p, target string, top bool, st *unix.Stat_t) error {
	mode := st.Mode & unix.S_IFMT
	switch mode {
	case unix.S_IFDIR:
		if !top {
			if err := unix.Mkdir(target, 0o700); err != nil {
				return err
			}
		}
	case unix.S_IFREG:
		if err := copyFile(p, target); err != nil {
			return err
		}
	case unix.S_IFLNK:
		link, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if err := os.Symlink(link, target); err != nil {
			return err
		}
	case unix.S_IFIFO, unix.S_IFSOCK, unix.S_IFCHR:
		if mode == unix.S_IFCHR && st.Rdev != 0 {
			c.log.WithField("path", p).Warn("data directory: device node in the image not copied")
			return errSkipped
		}
		if err := unix.Mknod(target, st.Mode, 0); err != nil {
			return err
		}
	default:
		c.log.WithField("path", p).Warn("data directory: block device in the image not copied")
		return errSkipped
	}
	if err := unix.Lchown(target, int(c.unshift(st.Uid, c.shift)), int(c.unshift(st.Gid, c.shiftGID))); err != nil {
		return err
	}
	if mode != unix.S_IFLNK {
		// after chown, which clears set-id bits
		if err := unix.Fchmodat(unix.AT_FDCWD, target, st.Mode&0o7777, 0); err != nil {
			return err
		}
	}
	copyXattrs(p, target)
	ts := []unix.Timespec{st.Atim, st.Mtim}
	return unix.UtimesNanoAt(unix.AT_FDCWD, target, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// unshift maps an owner seen through the idmapped root back to disk; one
// outside the range (shown as the overflow ID) is stored as nobody.
func (c treeCopier) unshift(id, base uint32) uint32 {
	if id >= base && id-base < c.size {
		return id - base
	}
	return 65534
}

func copyFile(src, dst string) error {
	in, err := os.OpenFile(src, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyXattrs copies the attributes named by copyXattrPrefixes: best effort
// (a filesystem without them loses only what overlayfs would rebuild).
func copyXattrs(src, dst string) {
	buf := make([]byte, 64<<10)
	n, err := unix.Llistxattr(src, buf)
	if err != nil || n == 0 {
		return
	}
	val := make([]byte, 64<<10)
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		keep := false
		for _, pre := range copyXattrPrefixes {
			keep = keep || strings.HasPrefix(name, pre)
		}
		if !keep {
			continue
		}
		if m, err := unix.Lgetxattr(src, name, val); err == nil {
			_ = unix.Lsetxattr(dst, name, val[:m], 0)
		}
	}
}
