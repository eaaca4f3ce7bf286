package fsemu

import (
	"context"
	"fmt"
	"os"
	"path"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// FSName is the FUSE file system's name: mountinfo shows "fuse.sysbox-lite".
const FSName = "sysbox-lite"

// Owner is who the files belong to on the host: the container's root,
// so that inside they are root's, as the real ones are. The kernel checks
// permissions against it (default_permissions): only the container's root
// writes a sysctl.
type Owner struct{ UID, GID uint32 }

// Server is a container's FUSE mount of its emulated files.
type Server struct {
	Dir string
	e   *Emulator
	srv *fuse.Server
}

// attrTimeout: the tree and its attributes never change.
const attrTimeout = time.Minute

// Mount serves e's files at dir (which must exist) until Unmount. The
// mount is nosuid, nodev, noexec, and readable by other users (the
// container's processes). Content is computed at each open and never
// cached by the kernel (direct I/O).
func Mount(dir string, e *Emulator, owner Owner) (*Server, error) {
	s := &Server{Dir: dir, e: e}
	mtime := e.Now()
	root := &dirNode{owner: owner, mtime: mtime}
	timeout := attrTimeout
	files := make([]File, 0, len(e.files))
	for _, f := range e.files {
		files = append(files, f)
	}
	opts := &fs.Options{
		MountOptions: fuse.MountOptions{
			AllowOther:        true,
			FsName:            FSName,
			Name:              FSName,
			DirectMountStrict: true,
			DirectMountFlags:  syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC,
			Options:           []string{"default_permissions"},
			DisableXAttrs:     true,
			MaxBackground:     64,
		},
		EntryTimeout: &timeout,
		AttrTimeout:  &timeout,
		UID:          owner.UID,
		GID:          owner.GID,
		OnAdd: func(ctx context.Context) {
			dirs := map[string]*fs.Inode{"/": &root.Inode}
			for _, d := range dirsOf(files) {
				parent := dirs[path.Dir(d)]
				ch := parent.NewPersistentInode(ctx, &dirNode{owner: owner, mtime: mtime}, fs.StableAttr{Mode: syscall.S_IFDIR})
				parent.AddChild(path.Base(d), ch, true)
				dirs[d] = ch
			}
			for _, f := range files {
				parent := dirs[path.Dir(f.Path)]
				ch := parent.NewPersistentInode(ctx, &fileNode{s: s, f: f, owner: owner, mtime: mtime}, fs.StableAttr{Mode: syscall.S_IFREG})
				parent.AddChild(path.Base(f.Path), ch, true)
			}
		},
	}
	srv, err := fs.Mount(dir, root, opts)
	if err != nil {
		return nil, fmt.Errorf("mount the emulated files at %s: %w", dir, err)
	}
	s.srv = srv
	return s, nil
}

// Unmount unmounts the file system (lazily: containers keep their binds
// of it until they are gone) and stops serving.
func (s *Server) Unmount() error {
	err := syscall.Unmount(s.Dir, syscall.MNT_DETACH)
	if err != nil && err != syscall.EINVAL {
		return fmt.Errorf("unmount %s: %w", s.Dir, err)
	}
	return nil
}

// HostPath is where an emulated file is in the FUSE mount.
func (s *Server) HostPath(p string) string { return s.Dir + p }

type dirNode struct {
	fs.Inode
	owner Owner
	mtime time.Time
}

var (
	_ = (fs.NodeGetattrer)((*dirNode)(nil))
	_ = (fs.NodeUnlinker)((*dirNode)(nil))
	_ = (fs.NodeRmdirer)((*dirNode)(nil))
)

// Unlink and Rmdir refuse: the tree is fixed (go-fuse would otherwise
// drop the entry and report success).
func (n *dirNode) Unlink(ctx context.Context, name string) syscall.Errno { return syscall.EPERM }

// Rmdir: see Unlink.
func (n *dirNode) Rmdir(ctx context.Context, name string) syscall.Errno { return syscall.EPERM }

func (n *dirNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFDIR | 0o555
	out.Uid, out.Gid = n.owner.UID, n.owner.GID
	out.SetTimes(&n.mtime, &n.mtime, &n.mtime)
	out.SetTimeout(attrTimeout)
	return 0
}

type fileNode struct {
	fs.Inode
	s     *Server
	f     File
	owner Owner
	mtime time.Time
}

var (
	_ = (fs.NodeGetattrer)((*fileNode)(nil))
	_ = (fs.NodeSetattrer)((*fileNode)(nil))
	_ = (fs.NodeOpener)((*fileNode)(nil))
)

func (n *fileNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n.attr(out)
	return 0
}

func (n *fileNode) attr(out *fuse.AttrOut) {
	out.Mode = syscall.S_IFREG | n.f.Mode
	out.Uid, out.Gid = n.owner.UID, n.owner.GID
	out.Size = 0 // as in /proc and /sys: read to the end
	out.SetTimes(&n.mtime, &n.mtime, &n.mtime)
	out.SetTimeout(attrTimeout)
}

// Setattr only accepts what opening with O_TRUNC asks of a writable file
// (`echo 1 > /proc/sys/...`): a size of 0, which changes nothing.
func (n *fileNode) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if n.f.Write == nil {
		return syscall.EACCES
	}
	if in.Valid&^(fuse.FATTR_SIZE|fuse.FATTR_FH|fuse.FATTR_LOCKOWNER|fuse.FATTR_ATIME|fuse.FATTR_MTIME|fuse.FATTR_ATIME_NOW|fuse.FATTR_MTIME_NOW|fuse.FATTR_CTIME) != 0 {
		return syscall.EPERM
	}
	n.attr(out)
	return 0
}

func callerPid(ctx context.Context) int {
	if c, ok := fuse.FromContext(ctx); ok {
		return int(c.Pid)
	}
	return 0
}

func (n *fileNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	h := &handle{n: n}
	acc := flags & syscall.O_ACCMODE
	if acc != syscall.O_RDONLY && n.f.Write == nil {
		return nil, 0, syscall.EACCES
	}
	if acc != syscall.O_WRONLY {
		data, err := n.s.e.Read(n.f.Path, callerPid(ctx))
		if err != nil {
			return nil, 0, Errno(err)
		}
		h.data = data
		// Reads go straight to the server (direct I/O), whatever the
		// size; splice and sendfile (busybox cat, Go's io.Copy) go
		// through the page cache and stop at the inode's size, which the
		// kernel also shrinks after a short read. Storing this open's
		// content sets the size to at least its length (the data is
		// this open's own: the kernel drops it when the open completes
		// without FOPEN_KEEP_CACHE, or serves exactly it).
		if len(data) > 0 {
			n.WriteCache(0, data)
		}
	}
	// No FLUSH on close: there is nothing to flush (writes act at once).
	return h, fuse.FOPEN_DIRECT_IO | fuse.FOPEN_NOFLUSH, 0
}

// handle is one open of an emulated file: the content as of the open, as
// a seq_file would show it.
type handle struct {
	n    *fileNode
	data []byte
}

var (
	_ = (fs.FileReader)((*handle)(nil))
	_ = (fs.FileWriter)((*handle)(nil))
)

func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if off >= int64(len(h.data)) {
		return fuse.ReadResultData(nil), 0
	}
	end := min(off+int64(len(dest)), int64(len(h.data)))
	return fuse.ReadResultData(h.data[off:end]), 0
}

// Write hands a write at offset 0 to the file; later writes of the same
// open are ignored, as the kernel does for a one-value sysctl.
func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if off != 0 {
		return uint32(len(data)), 0
	}
	if err := h.n.s.e.Write(h.n.f.Path, callerPid(ctx), data); err != nil {
		return 0, Errno(err)
	}
	return uint32(len(data)), 0
}

// Detached returns detached copies (open_tree clones) of the served files
// under prefix ("/proc/" or "/sys/"), for a helper to attach over a new
// procfs or sysfs; ro are the container's read-only paths (see
// File.ReadOnlyUnder). The caller closes them.
func (s *Server) Detached(prefix string, ro []string) (paths []string, files []*os.File, err error) {
	for _, f := range s.e.files {
		if len(f.Path) <= len(prefix) || f.Path[:len(prefix)] != prefix {
			continue
		}
		fd, err := openTreeClone(s.HostPath(f.Path), f.ReadOnlyUnder(ro))
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, nil, fmt.Errorf("clone %s: %w", f.Path, err)
		}
		paths = append(paths, f.Path)
		files = append(files, os.NewFile(uintptr(fd), f.Path))
	}
	return paths, files, nil
}

// Clone returns a detached copy (an open_tree clone) of the served file at
// p (a path of the emulated tree, "/proc/meminfo"), read-only if asked:
// what a supervisor that took over attaches over its predecessor's dead
// mounts. The caller closes it.
func (s *Server) Clone(p string, readonly bool) (*os.File, error) {
	if _, ok := s.e.files[p]; !ok {
		return nil, fmt.Errorf("%s is not an emulated file", p)
	}
	fd, err := openTreeClone(s.HostPath(p), readonly)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), p), nil
}

// Device is the FUSE mount's device number (mountinfo's major:minor).
func (s *Server) Device() (major, minor uint32, err error) {
	var st syscall.Stat_t
	if err := syscall.Stat(s.Dir, &st); err != nil {
		return 0, 0, fmt.Errorf("stat %s: %w", s.Dir, err)
	}
	return unix.Major(st.Dev), unix.Minor(st.Dev), nil
}
