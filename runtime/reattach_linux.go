package runtime

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
)

// liveEmulation is a worker's FUSE server of the container's emulated
// files.
type liveEmulation struct {
	srv      *fsemu.Server
	readonly []string
}

// reattach covers, in every mount namespace of the container (its init's
// and those of nested containers), each emulated mount whose server is
// gone (a predecessor's FUSE mount: it answers ENOTCONN) with a copy of
// the live one, from the host side through a helper in that namespace.
// The new mounts are protected as masks, as the dead ones were. It
// returns how many mounts it covered.
func (e *liveEmulation) reattach(ctx context.Context, initPid int, initStart uint64, sup *seccomp.Supervisor) (int, error) {
	if start, err := processStart(initPid); err != nil || start != initStart {
		return 0, nil // the container's init is gone
	}
	major, minor, err := e.srv.Device()
	if err != nil {
		return 0, err
	}
	pids, err := mountNamespacesOf(initPid)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, pid := range pids {
		n, err := e.reattachIn(ctx, pid, int(major), int(minor), sup)
		if err != nil {
			return total, fmt.Errorf("in the mount namespace of %d: %w", pid, err)
		}
		total += n
	}
	return total, nil
}

func (e *liveEmulation) reattachIn(ctx context.Context, pid, major, minor int, sup *seccomp.Supervisor) (int, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/mountinfo")
	if err != nil {
		return 0, nil // gone meanwhile
	}
	mounts, err := mountinfo.GetMountsFromReader(f, nil)
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("read mountinfo: %w", err)
	}
	var req seccomp.Request
	var paths []string
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, m := range deadEmulated(mounts, major, minor) {
		clone, err := e.srv.Clone(m.Root, hasOption(m.Options, "ro"))
		if err != nil {
			continue // a file this build does not emulate
		}
		files = append(files, clone)
		paths = append(paths, m.Root)
		req.Reattach = append(req.Reattach, seccomp.Reattach{ID: m.ID, Target: m.Mountpoint})
	}
	if len(files) == 0 {
		return 0, nil
	}
	req.Call = seccomp.Call{Pid: pid, Syscall: seccomp.ReattachCall}
	res, err := seccomp.ExecHelperWith(ctx, req, paths, files)
	if err != nil {
		return 0, err
	}
	if res.Errno != 0 {
		return 0, fmt.Errorf("%s (errno %d)", res.Reason, res.Errno)
	}
	sup.AddMasks(res.Masks)
	return len(res.Masks), nil
}

// deadEmulated are the emulated mounts of another server than major:minor
// that nothing covers.
func deadEmulated(mounts []*mountinfo.Info, major, minor int) []*mountinfo.Info {
	covered := map[int]bool{}
	byID := map[int]*mountinfo.Info{}
	for _, m := range mounts {
		byID[m.ID] = m
	}
	for _, m := range mounts {
		if p, ok := byID[m.Parent]; ok && p.Mountpoint == m.Mountpoint {
			covered[p.ID] = true
		}
	}
	var out []*mountinfo.Info
	for _, m := range mounts {
		if m.FSType != "fuse."+fsemu.FSName || covered[m.ID] || (m.Major == major && m.Minor == minor) || m.Root == "/" {
			continue
		}
		out = append(out, m)
	}
	return out
}

func hasOption(opts, o string) bool {
	for _, x := range strings.Split(opts, ",") {
		if x == o {
			return true
		}
	}
	return false
}

// mountNamespacesOf returns one process of each mount namespace that a
// process of initPid's pid namespace, or of one nested in it, is in.
func mountNamespacesOf(initPid int) ([]int, error) {
	var root unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(initPid)+"/ns/pid", &root); err != nil {
		return nil, fmt.Errorf("the container's pid namespace: %w", err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	seen := map[uint64]bool{}
	out := []int{initPid}
	var st unix.Stat_t
	if unix.Stat("/proc/"+strconv.Itoa(initPid)+"/ns/mnt", &st) == nil {
		seen[st.Ino] = true
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == initPid || !inPidNamespace(pid, root) {
			continue
		}
		if unix.Stat("/proc/"+e.Name()+"/ns/mnt", &st) != nil || seen[st.Ino] {
			continue
		}
		seen[st.Ino] = true
		out = append(out, pid)
	}
	return out, nil
}

// inPidNamespace reports whether pid's pid namespace is ns or nested in it.
func inPidNamespace(pid int, ns unix.Stat_t) bool {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/pid", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	for depth := 0; depth < 33; depth++ {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil {
			break
		}
		if st.Dev == ns.Dev && st.Ino == ns.Ino {
			unix.Close(fd)
			return true
		}
		parent, err := unix.IoctlRetInt(fd, unix.NS_GET_PARENT)
		unix.Close(fd)
		if err != nil {
			return false // the initial namespace: no parent
		}
		fd = parent
	}
	unix.Close(fd)
	return false
}
