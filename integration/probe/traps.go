package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Trap probes, for the seccomp supervisor's tests (traps_*_test.go). Same
// output as the others: "OK" (then lines of data) or "ERR <errno name>";
// a step before the attempt that fails prints "ERR SETUP" (the reason on
// stderr).
//
//	probe mount SRC TARGET FSTYPE FLAGS [DATA]
//	                             mount(2); SRC, FSTYPE, DATA "-" are NULL; FLAGS
//	                             names joined by "," (bind,rec,remount,ro,nosuid,
//	                             nodev,noexec,move,private,slave,shared,silent) or "0"
//	probe clone-move PATH DEST   open_tree(PATH, OPEN_TREE_CLONE) + move_mount(to DEST)
//	probe fsmount FSTYPE DEST    fsopen(FSTYPE) + fsconfig(CMD_CREATE) + fsmount + move_mount(to DEST)
//	probe in-newns OP ARGS...    unshare(CLONE_NEWNS), then OP in the same thread
//	probe in-chroot DIR OP ARGS...
//	                             chroot(DIR) + chdir("/"), then OP
//	probe in-pivot DIR OP ARGS...
//	                             unshare(CLONE_NEWNS), make / rprivate, mount a
//	                             tmpfs on DIR, bind (not recursive) /proc to
//	                             DIR/proc, pivot_root into DIR (the old root
//	                             detached), then OP in the same thread
//	probe umount-race N OWN MASK umount2 of a buffer that a second thread flips
//	                             between OWN (a tmpfs mounted first, remounted
//	                             after every unmount) and MASK, N times; prints
//	                             OK, then "<outcome> <count>" lines (OK or an
//	                             errno name), "flips <n>", "remount-failed <n>"
//	                             and "mask-bytes <n>" (one read of MASK afterwards)
//	probe mount-loop N DIR       N × (mount a tmpfs on DIR + umount2(DIR, 0)); prints
//	                             OK and "<n> mounts"
//	probe trap-watch DIR SECONDS every 100 ms for SECONDS: umount2("/proc/keys",
//	                             0), then mount a tmpfs on DIR (unmounted again
//	                             when it worked); prints one line per round,
//	                             "<unix ns before the round> umount=<res> mount=<res>",
//	                             flushed at once (<res> is OK or an errno name),
//	                             then OK
//
// OP is any probe that makes one attempt (umount, umount-detach, remount-rw,
// remount-sb-rw, setattr-rw, fspick-rw, move, clone-rw, write, read, and
// the trap probes above but the in-* ones).
var trapsOps = map[string]bool{
	"mount": true, "clone-move": true, "fsmount": true,
	"in-newns": true, "in-chroot": true, "in-pivot": true,
	"umount-race": true, "mount-loop": true, "trap-watch": true,
}

// The main goroutine stays on the main thread: unshare(CLONE_NEWNS),
// chroot and pivot_root act on the calling thread's view, and the attempt
// that follows must be made from that same thread.
func init() { runtime.LockOSThread() }

// errSetup reports a failed step before the attempt.
type errSetup struct{ err error }

func (e errSetup) Error() string { return e.err.Error() }

func setupErr(what string, err error) error {
	return errSetup{fmt.Errorf("%s: %w", what, err)}
}

func trapsMain(args []string) {
	lines, err := trapsRun(args)
	if err != nil {
		var se errSetup
		if errors.As(err, &se) {
			fmt.Fprintln(os.Stderr, "probe: setup: "+se.Error())
			fmt.Println("ERR SETUP")
			os.Exit(1)
		}
		fmt.Println("ERR " + errName(err))
		os.Exit(1)
	}
	fmt.Println("OK")
	for _, l := range lines {
		fmt.Println(l)
	}
}

func errName(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return unix.ErrnoName(errno)
	}
	return err.Error()
}

func need(args []string, n int) {
	if len(args) != n {
		fmt.Fprintf(os.Stderr, "probe %s: want %d arguments, got %d\n", args[0], n-1, len(args)-1)
		os.Exit(2)
	}
}

// trapsRun runs one attempt (args[0] is the op); it returns the lines to
// print after "OK".
func trapsRun(args []string) ([]string, error) {
	if len(args) == 0 {
		usage()
	}
	switch args[0] {
	case "mount":
		if len(args) != 5 && len(args) != 6 {
			need(args, 6)
		}
		flags, err := parseMountFlags(args[4])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		data := "-"
		if len(args) == 6 {
			data = args[5]
		}
		return nil, rawMount(args[1], args[2], args[3], flags, data)
	case "clone-move":
		need(args, 3)
		fd, err := unix.OpenTree(unix.AT_FDCWD, args[1], unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
		if err != nil {
			return nil, err
		}
		defer unix.Close(fd)
		return nil, unix.MoveMount(fd, "", unix.AT_FDCWD, args[2], unix.MOVE_MOUNT_F_EMPTY_PATH)
	case "fsmount":
		need(args, 3)
		return nil, fsMount(args[1], args[2])
	case "in-newns":
		if len(args) < 2 {
			need(args, 2)
		}
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			return nil, setupErr("unshare(CLONE_NEWNS)", err)
		}
		return trapsRunInner(args[1:])
	case "in-chroot":
		if len(args) < 3 {
			need(args, 3)
		}
		if err := unix.Chroot(args[1]); err != nil {
			return nil, setupErr("chroot", err)
		}
		if err := unix.Chdir("/"); err != nil {
			return nil, setupErr("chdir", err)
		}
		return trapsRunInner(args[2:])
	case "in-pivot":
		if len(args) < 3 {
			need(args, 3)
		}
		if err := pivotInto(args[1]); err != nil {
			return nil, err
		}
		return trapsRunInner(args[2:])
	case "umount-race":
		need(args, 4)
		n, err := strconv.Atoi(args[1])
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "probe umount-race: N must be a positive integer")
			os.Exit(2)
		}
		return umountRace(n, args[2], args[3])
	case "mount-loop":
		need(args, 3)
		n, err := strconv.Atoi(args[1])
		if err != nil || n <= 0 {
			fmt.Fprintln(os.Stderr, "probe mount-loop: N must be a positive integer")
			os.Exit(2)
		}
		for i := 0; i < n; i++ {
			if err := unix.Mount("none", args[2], "tmpfs", 0, ""); err != nil {
				fmt.Fprintf(os.Stderr, "probe mount-loop: mount %d of %d: %v\n", i+1, n, err)
				return nil, err
			}
			if err := unix.Unmount(args[2], 0); err != nil {
				fmt.Fprintf(os.Stderr, "probe mount-loop: umount %d of %d: %v\n", i+1, n, err)
				return nil, err
			}
		}
		return []string{fmt.Sprintf("%d mounts", n)}, nil
	case "trap-watch":
		need(args, 3)
		secs, err := strconv.Atoi(args[2])
		if err != nil || secs <= 0 {
			fmt.Fprintln(os.Stderr, "probe trap-watch: SECONDS must be a positive integer")
			os.Exit(2)
		}
		trapWatch(args[1], time.Duration(secs)*time.Second)
		return nil, nil
	}
	return trapsRunInner(args)
}

// trapsRunInner runs the attempt of an in-* probe: one of the probes that
// make a single attempt.
func trapsRunInner(args []string) ([]string, error) {
	if len(args) == 0 {
		usage()
	}
	op := args[0]
	switch op {
	case "in-newns", "in-chroot", "in-pivot", "umount-race", "mount-loop", "trap-watch":
		fmt.Fprintf(os.Stderr, "probe: %s cannot follow an in-* probe\n", op)
		os.Exit(2)
	}
	if trapsOps[op] {
		return trapsRun(args)
	}
	if c, ok := confineOps[op]; ok && (op == "read" || op == "open") {
		need(args, c.nargs+1)
		return c.run(args[1:])
	}
	path := func() string { need(args, 2); return args[1] }
	switch op {
	case "umount":
		return nil, unix.Unmount(path(), 0)
	case "umount-detach":
		return nil, unix.Unmount(path(), unix.MNT_DETACH)
	case "remount-rw":
		return nil, unix.Mount("", path(), "", unix.MS_REMOUNT|unix.MS_BIND, "")
	case "remount-sb-rw":
		return nil, unix.Mount("", path(), "", unix.MS_REMOUNT, "")
	case "setattr-rw":
		return nil, unix.MountSetattr(unix.AT_FDCWD, path(), 0, &unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY})
	case "fspick-rw":
		return nil, fspickRW(path())
	case "write":
		return nil, write(path())
	case "move", "clone-rw":
		need(args, 3)
		var clone uint
		if op == "clone-rw" {
			clone = unix.OPEN_TREE_CLONE
		}
		return nil, move(args[1], args[2], clone)
	}
	fmt.Fprintf(os.Stderr, "probe: unknown attempt %q\n", op)
	os.Exit(2)
	return nil, nil
}

var mountFlagNames = map[string]uintptr{
	"magic": unix.MS_MGC_VAL, // the historic magic number mount(2) still strips
	"bind":  unix.MS_BIND, "rec": unix.MS_REC, "remount": unix.MS_REMOUNT, "ro": unix.MS_RDONLY,
	"nosuid": unix.MS_NOSUID, "nodev": unix.MS_NODEV, "noexec": unix.MS_NOEXEC, "move": unix.MS_MOVE,
	"private": unix.MS_PRIVATE, "slave": unix.MS_SLAVE, "shared": unix.MS_SHARED,
	"unbindable": unix.MS_UNBINDABLE, "silent": unix.MS_SILENT, "relatime": unix.MS_RELATIME,
}

func parseMountFlags(s string) (uintptr, error) {
	var flags uintptr
	if s == "0" || s == "" {
		return 0, nil
	}
	for _, name := range strings.Split(s, ",") {
		f, ok := mountFlagNames[name]
		if !ok {
			return 0, fmt.Errorf("probe mount: unknown flag %q", name)
		}
		flags |= f
	}
	return flags, nil
}

// cstring returns a pointer to a NUL-terminated copy of s, or nil for "-".
func cstring(s string) *byte {
	if s == "-" {
		return nil
	}
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe: NUL in argument")
		os.Exit(2)
	}
	return p
}

// rawMount calls mount(2) with NULL where "-" is given (unix.Mount passes
// empty strings instead).
func rawMount(src, target, fstype string, flags uintptr, data string) error {
	s, t, f, d := cstring(src), cstring(target), cstring(fstype), cstring(data)
	_, _, errno := unix.Syscall6(unix.SYS_MOUNT, uintptr(unsafe.Pointer(s)), uintptr(unsafe.Pointer(t)),
		uintptr(unsafe.Pointer(f)), flags, uintptr(unsafe.Pointer(d)), 0)
	runtime.KeepAlive(s)
	runtime.KeepAlive(t)
	runtime.KeepAlive(f)
	runtime.KeepAlive(d)
	if errno != 0 {
		return errno
	}
	return nil
}

// fsMount makes a new filesystem with the new mount API and attaches it.
func fsMount(fstype, dest string) error {
	fsfd, err := unix.Fsopen(fstype, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(fsfd)
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return err
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(mfd)
	return unix.MoveMount(mfd, "", unix.AT_FDCWD, dest, unix.MOVE_MOUNT_F_EMPTY_PATH)
}

// pivotInto makes dir (a fresh tmpfs, in a mount namespace of this thread's
// own) the root, with a non-recursive bind of /proc at /proc.
func pivotInto(dir string) error {
	steps := []struct {
		what string
		do   func() error
	}{
		{"unshare(CLONE_NEWNS)", func() error { return unix.Unshare(unix.CLONE_NEWNS) }},
		{"make / rprivate", func() error { return unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "") }},
		{"mkdir " + dir, func() error { return os.MkdirAll(dir, 0o755) }},
		{"mount tmpfs on " + dir, func() error { return unix.Mount("newroot", dir, "tmpfs", 0, "") }},
		{"mkdir proc, old", func() error {
			for _, d := range []string{"proc", "old"} {
				if err := os.Mkdir(dir+"/"+d, 0o755); err != nil {
					return err
				}
			}
			return nil
		}},
		{"bind /proc", func() error { return unix.Mount("/proc", dir+"/proc", "", unix.MS_BIND, "") }},
		{"chdir " + dir, func() error { return unix.Chdir(dir) }},
		{"pivot_root", func() error { return unix.PivotRoot(".", "old") }},
		{"chdir /", func() error { return unix.Chdir("/") }},
		{"detach the old root", func() error { return unix.Unmount("/old", unix.MNT_DETACH) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return setupErr(s.what, err)
		}
	}
	return nil
}

// umountRace calls umount2 on one buffer while another thread keeps
// rewriting it between own and mask.
func umountRace(n int, own, mask string) ([]string, error) {
	if err := os.MkdirAll(own, 0o755); err != nil {
		return nil, setupErr("mkdir", err)
	}
	if err := unix.Mount("none", own, "tmpfs", 0, ""); err != nil {
		return nil, setupErr("mount the tmpfs", err)
	}
	size := len(own)
	if len(mask) > size {
		size = len(mask)
	}
	buf := make([]byte, size+1)
	a := append([]byte(own), 0)
	b := append([]byte(mask), 0)
	var stop, flips atomic.Int64
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer close(done)
		for stop.Load() == 0 {
			copy(buf, a)
			copy(buf, b)
			flips.Add(1)
		}
	}()
	for flips.Load() == 0 { // the flipper runs before the first call
		runtime.Gosched()
	}
	counts := map[string]int{}
	remountFailed := 0
	for i := 0; i < n; i++ {
		_, _, errno := unix.Syscall(unix.SYS_UMOUNT2, uintptr(unsafe.Pointer(&buf[0])), 0, 0)
		if errno == 0 {
			counts["OK"]++
			if err := unix.Mount("none", own, "tmpfs", 0, ""); err != nil {
				remountFailed++
			}
			continue
		}
		counts[unix.ErrnoName(errno)]++
	}
	stop.Store(1)
	<-done
	runtime.KeepAlive(buf)
	var lines []string
	for _, k := range sortedKeys(counts) {
		lines = append(lines, fmt.Sprintf("%s %d", k, counts[k]))
	}
	lines = append(lines, fmt.Sprintf("flips %d", flips.Load()), fmt.Sprintf("remount-failed %d", remountFailed))
	got, err := readOnce(mask)
	if err != nil {
		return nil, setupErr("read "+mask+" afterwards", err)
	}
	lines = append(lines, "mask-bytes "+strings.TrimSuffix(got[0], " bytes"))
	return lines, nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// trapWatch makes its two attempts every 100 ms for d and prints the
// outcomes as they come (the test reads them while this runs).
func trapWatch(dir string, d time.Duration) {
	_ = os.MkdirAll(dir, 0o755)
	w := bufio.NewWriter(os.Stdout)
	res := func(err error) string {
		if err == nil {
			return "OK"
		}
		return errName(err)
	}
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		start := time.Now().UnixNano()
		u := unix.Unmount("/proc/keys", 0)
		m := unix.Mount("none", dir, "tmpfs", 0, "")
		if m == nil {
			_ = unix.Unmount(dir, 0)
		}
		fmt.Fprintf(w, "%d umount=%s mount=%s\n", start, res(u), res(m))
		w.Flush()
		time.Sleep(100 * time.Millisecond)
	}
}
