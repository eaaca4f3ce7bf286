package seccomp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// helper performs one trapped call inside the caller's namespaces, root and
// cwd (entered by package nsenter before the Go runtime started). It
// resolves every path once, to an fd, checks the rules on what the fd is,
// and acts on the fd: a path swapped after the check changes nothing.
type helper struct {
	req  Request
	proc *os.File // the host's /proc: this process is not in the container's pid namespace
	// procfs is an fsopen("proc") context of the caller's pid namespace,
	// made before the helper started (package nsenter); nil unless the
	// request is a new procfs.
	procfs *os.File
}

// RunHelper reads a Request from in, performs it, and writes a Response.
// procfs is the context for a new procfs (see ProcfsNeeded), or nil.
func RunHelper(in io.Reader, out io.Writer, hostProc, procfs *os.File) error {
	if hostProc == nil {
		return errors.New("mount helper: not started inside a container's namespaces")
	}
	var req Request
	if err := json.NewDecoder(io.LimitReader(in, 16<<20)).Decode(&req); err != nil {
		return fmt.Errorf("mount helper: decode request: %w", err)
	}
	h := helper{req: req, proc: hostProc, procfs: procfs}
	return json.NewEncoder(out).Encode(h.run())
}

// refusal is a rule's "no" with the errno the caller gets.
type refusal struct {
	errno  unix.Errno
	reason string
}

func (r *refusal) Error() string { return r.reason }

func refuse(errno unix.Errno, format string, args ...any) error {
	return &refusal{errno: errno, reason: fmt.Sprintf(format, args...)}
}

func (h helper) run() Response {
	before, err := h.mounts()
	if err != nil {
		return Response{Errno: int(unix.EIO), Reason: err.Error()}
	}
	res, err := h.perform(before)
	if err != nil {
		var r *refusal
		if errors.As(err, &r) {
			return Response{Errno: int(r.errno), Reason: r.reason, Denied: true}
		}
		var errno unix.Errno
		if errors.As(err, &errno) {
			return Response{Errno: int(errno), Reason: err.Error()}
		}
		return Response{Errno: int(unix.EINVAL), Reason: err.Error()}
	}
	after, err := h.mounts()
	if err != nil {
		return res
	}
	res.Owned, res.Gone = diffIDs(before, after)
	return res
}

func diffIDs(before, after []*mountinfo.Info) (added, gone []int) {
	was := map[int]bool{}
	for _, m := range before {
		was[m.ID] = true
	}
	is := map[int]bool{}
	for _, m := range after {
		is[m.ID] = true
		if !was[m.ID] {
			added = append(added, m.ID)
		}
	}
	for _, m := range before {
		if !is[m.ID] {
			gone = append(gone, m.ID)
		}
	}
	return added, gone
}

// mounts reads this process's mount table: the caller's namespace, paths
// relative to the caller's root.
func (h helper) mounts() ([]*mountinfo.Info, error) {
	fd, err := unix.Openat(int(h.proc.Fd()), "self/mountinfo", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open mountinfo: %w", err)
	}
	f := os.NewFile(uintptr(fd), "mountinfo")
	defer f.Close()
	return mountinfo.GetMountsFromReader(f, nil)
}

// open resolves a path of the caller's, relative to its cwd and root.
// /proc/self and /proc/thread-self (how runc, systemd and libmount name fds
// they mount from or onto) mean the caller, not this helper, which is not
// in the caller's pid namespace: they are resolved through the host's /proc.
func (h helper) open(path string, follow bool) (int, error) {
	flags := unix.O_PATH | unix.O_CLOEXEC
	if !follow {
		flags |= unix.O_NOFOLLOW
	}
	for _, self := range []string{"/proc/self", "/proc/thread-self"} {
		if rest, ok := strings.CutPrefix(path, self); ok && (rest == "" || rest[0] == '/') {
			return unix.Openat(int(h.proc.Fd()), strconv.Itoa(h.req.Call.Pid)+rest, flags, 0)
		}
	}
	return unix.Open(path, flags, 0)
}

// fdPath names an fd for the path-based calls (umount2, mount(2)). It is
// relative to the host's /proc, which perform makes the cwd once every path
// of the caller has been resolved.
func fdPath(fd int) string { return fmt.Sprintf("self/fd/%d", fd) }

func (h helper) enterProc() error {
	if err := unix.Fchdir(int(h.proc.Fd())); err != nil {
		return fmt.Errorf("chdir to /proc: %w", err)
	}
	return nil
}

func (h helper) perform(mounts []*mountinfo.Info) (Response, error) {
	c := h.req.Call
	rules := h.req.Protection.Rules()
	if c.Syscall == ReattachCall {
		return h.reattach(mounts)
	}
	if c.Syscall == "umount2" {
		return Response{}, h.umount(rules, mounts)
	}
	switch kindOf(c.Flags) {
	case kindReconfigure, kindRemount:
		return Response{}, h.remount(rules, mounts)
	case kindBind:
		return Response{}, h.bind(rules, mounts)
	case kindMove:
		return Response{}, h.move(rules, mounts)
	case kindPropagation:
		return Response{}, h.propagation()
	}
	return h.newMount()
}

// openMountRoot resolves path to an fd and the mount it is the root of:
// umount, remount and move all act on a whole mount (EINVAL otherwise, as
// from the kernel). The caller closes the fd.
func (h helper) openMountRoot(path string, follow bool, mounts []*mountinfo.Info) (int, *mountinfo.Info, error) {
	fd, err := h.open(path, follow)
	if err != nil {
		return -1, nil, err
	}
	m, isRoot, err := mountOfFd(fd, mounts)
	if err == nil && !isRoot {
		err = unix.EINVAL
	}
	if err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, m, nil
}

func (h helper) umount(rules Rules, mounts []*mountinfo.Info) error {
	c := h.req.Call
	fd, m, err := h.openMountRoot(c.Target, c.Flags&unix.UMOUNT_NOFOLLOW == 0, mounts)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := rules.CanDetach(m, mounts); err != nil {
		return refuse(unix.EPERM, "umount %s refused: %v", c.Target, err)
	}
	if err := h.enterProc(); err != nil {
		return err
	}
	// The fd that pins what was checked also keeps the mount busy for a
	// plain umount: detach it lazily instead. The difference only shows
	// for a mount still in use (it goes away when the last user does,
	// instead of EBUSY), and only for mounts the container may remove.
	flags := int(c.Flags &^ unix.UMOUNT_NOFOLLOW)
	if flags&unix.MNT_EXPIRE == 0 {
		flags |= unix.MNT_DETACH
	}
	return unix.Unmount(fdPath(fd), flags)
}

func (h helper) remount(rules Rules, mounts []*mountinfo.Info) error {
	c := h.req.Call
	fd, m, err := h.openMountRoot(c.Target, true, mounts)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := rules.CanReconfigure(m, wantRestrictions(c.Flags)); err != nil {
		return refuse(unix.EPERM, "remount %s refused: %v", c.Target, err)
	}
	if err := h.enterProc(); err != nil {
		return err
	}
	return unix.Mount(c.Source, fdPath(fd), c.FSType, uintptr(c.Flags), c.Data)
}

func (h helper) move(rules Rules, mounts []*mountinfo.Info) error {
	c := h.req.Call
	src, m, err := h.openMountRoot(c.Source, true, mounts)
	if err != nil {
		return err
	}
	defer unix.Close(src)
	if err := rules.CanDetach(m, mounts); err != nil {
		return refuse(unix.EPERM, "move of %s refused: %v", c.Source, err)
	}
	dst, err := h.open(c.Target, true)
	if err != nil {
		return err
	}
	defer unix.Close(dst)
	return unix.MoveMount(src, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

func (h helper) bind(rules Rules, mounts []*mountinfo.Info) error {
	c := h.req.Call
	src, err := h.open(c.Source, true)
	if err != nil {
		return err
	}
	defer unix.Close(src)
	recursive := c.Flags&unix.MS_REC != 0
	m, _, err := mountOfFd(src, mounts)
	switch {
	case err != nil && isNamespaceFile(src):
		// A namespace file (/proc/PID/ns/net, which an engine binds to
		// keep a network namespace): its mount is the kernel's internal
		// nsfs one, in no mount table, with nothing below it to uncover.
		// The caller could open it, so it may keep it; the kernel still
		// refuses mount-namespace loops (ELOOP) on the move below.
		recursive = false
	case err != nil:
		return err
	case !recursive:
		where, err := h.readlinkFd(src)
		// A bind without the masks below it would show what they hide:
		// take them along, as the kernel does for locked mounts.
		if err != nil || rules.HidesBelow(m, where, mounts) {
			recursive = true
		}
	}
	dst, err := h.open(c.Target, true)
	if err != nil {
		return err
	}
	defer unix.Close(dst)
	if err := sameKind(src, dst); err != nil {
		return err
	}
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC | unix.AT_EMPTY_PATH
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	tree, err := unix.OpenTree(src, "", uint(flags))
	if err != nil {
		return err
	}
	defer unix.Close(tree)
	return unix.MoveMount(tree, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// sameKind gives mount(2)'s answer to a bind of a file over a directory or
// the reverse, ENOTDIR (move_mount(2) would say EINVAL): runc masks a /proc
// path by binding /dev/null over it and takes ENOTDIR to mean "a
// directory: mount a tmpfs instead".
func sameKind(src, dst int) error {
	var a, b unix.Stat_t
	if err := unix.Fstat(src, &a); err != nil {
		return err
	}
	if err := unix.Fstat(dst, &b); err != nil {
		return err
	}
	if (a.Mode&unix.S_IFMT == unix.S_IFDIR) != (b.Mode&unix.S_IFMT == unix.S_IFDIR) {
		return unix.ENOTDIR
	}
	return nil
}

// isNamespaceFile reports whether fd is on nsfs (a /proc/PID/ns/* target).
func isNamespaceFile(fd int) bool {
	var st unix.Statfs_t
	return unix.Fstatfs(fd, &st) == nil && st.Type == unix.NSFS_MAGIC
}

func (h helper) readlinkFd(fd int) (string, error) {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(int(h.proc.Fd()), fdPath(fd), buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func (h helper) propagation() error {
	c := h.req.Call
	fd, err := h.open(c.Target, true)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := h.enterProc(); err != nil {
		return err
	}
	return unix.Mount("", fdPath(fd), "", uintptr(c.Flags), "")
}

// newMount makes a new filesystem with the new mount API (so that the
// caller's paths in the options, like overlay's lowerdir, resolve against
// its cwd as they would for mount(2)), attaches it at the target fd, and
// re-applies the container's masks on a new procfs or sysfs.
func (h helper) newMount() (Response, error) {
	c := h.req.Call
	if !c.HasFSType || c.FSType == "" {
		return Response{}, unix.EINVAL
	}
	dst, err := h.open(c.Target, true)
	if err != nil {
		return Response{}, err
	}
	defer unix.Close(dst)
	fsfd, err := h.fsopen(c.FSType)
	if err != nil {
		return Response{}, err
	}
	defer unix.Close(fsfd)
	if c.HasSource && c.Source != "" {
		if err := unix.FsconfigSetString(fsfd, "source", c.Source); err != nil {
			return Response{}, err
		}
	}
	for _, f := range superblockFlags(c.Flags) {
		if err := unix.FsconfigSetFlag(fsfd, f); err != nil {
			return Response{}, err
		}
	}
	if c.HasData {
		for _, opt := range splitOptions(c.Data) {
			k, v, hasValue := strings.Cut(opt, "=")
			if hasValue {
				err = unix.FsconfigSetString(fsfd, k, v)
			} else {
				err = unix.FsconfigSetFlag(fsfd, k)
			}
			if err != nil {
				return Response{}, err
			}
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return Response{}, err
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, int(mountAttrs(c.Flags)))
	if err != nil {
		return Response{}, err
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", dst, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return Response{}, err
	}
	// mfd is the new mount's root now (dst is the directory it covers).
	var res Response
	switch c.FSType {
	case "proc":
		res, err = h.applyMasks("/proc/", mfd)
	case "sysfs":
		res, err = h.applyMasks("/sys/", mfd)
	}
	if err != nil {
		// A procfs or sysfs without all its masks must not stay.
		if derr := h.enterProc(); derr == nil {
			_ = unix.Unmount(fdPath(mfd), unix.MNT_DETACH)
		}
		return Response{}, refuse(unix.EPERM, "new %s at %s: its masks could not be applied: %v", c.FSType, c.Target, err)
	}
	return res, nil
}

// fsopen opens a filesystem context. A procfs shows the pid namespace of
// whoever opened its context, and the helper is not in the caller's (it
// must never appear there): its context was made in that namespace before
// the helper started (the procfs "pidns" key that would name it here is
// Linux 6.18's).
func (h helper) fsopen(fstype string) (int, error) {
	if fstype != "proc" {
		return unix.Fsopen(fstype, unix.FSOPEN_CLOEXEC)
	}
	if h.procfs == nil {
		return -1, errors.New("mount helper: no procfs context of the caller's pid namespace")
	}
	// A copy: the deferred close must not close the File's own fd.
	return unix.FcntlInt(h.procfs.Fd(), unix.F_DUPFD_CLOEXEC, 0)
}

// splitOptions splits mount data at commas, as the kernel does for mount(2).
func splitOptions(data string) []string {
	var out []string
	for _, o := range strings.Split(data, ",") {
		if o != "" {
			out = append(out, o)
		}
	}
	return out
}
