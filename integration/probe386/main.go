// Command probe386 makes one mount-family call through the 32-bit x86 ABI
// (the compat syscall table, AUDIT_ARCH_I386), for the seccomp supervisor's
// tests. Build it with GOARCH=386 CGO_ENABLED=0; any other build refuses
// to run (the numbers below mean other calls elsewhere). Output as the
// probe's: "OK" and exit 0, or "ERR <errno name>" and exit 1 (exit 2: usage).
//
//	probe386 umount PATH         umount(PATH)            i386 #22 (oldumount)
//	probe386 umount2 PATH        umount2(PATH, 0)        i386 #52
//	probe386 mount-tmpfs DIR     mount("none", DIR, "tmpfs", 0, NULL)  i386 #21
//	probe386 open-tree PATH      open_tree(AT_FDCWD, PATH, OPEN_TREE_CLONE)  i386 #428
//	probe386 read PATH           open + one read; prints OK and "<n> bytes"
package main

import (
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl).
const (
	sysMount    = 21
	sysUmount   = 22
	sysUmount2  = 52
	sysOpenTree = 428
)

const (
	atFdcwd       = -100
	openTreeClone = 1
	oCloexec      = 0o2000000
)

func main() {
	if runtime.GOARCH != "386" {
		fmt.Fprintln(os.Stderr, "probe386: built for", runtime.GOARCH, "- build it with GOARCH=386")
		os.Exit(2)
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: probe386 umount|umount2|mount-tmpfs|open-tree|read PATH")
		os.Exit(2)
	}
	path := cstr(os.Args[2])
	var errno unix.Errno
	var extra string
	switch os.Args[1] {
	case "umount":
		_, _, errno = unix.Syscall(sysUmount, uintptr(unsafe.Pointer(path)), 0, 0)
	case "umount2":
		_, _, errno = unix.Syscall(sysUmount2, uintptr(unsafe.Pointer(path)), 0, 0)
	case "mount-tmpfs":
		src, fstype := cstr("none"), cstr("tmpfs")
		_, _, errno = unix.Syscall6(sysMount, uintptr(unsafe.Pointer(src)), uintptr(unsafe.Pointer(path)),
			uintptr(unsafe.Pointer(fstype)), 0, 0, 0)
		runtime.KeepAlive(src)
		runtime.KeepAlive(fstype)
	case "open-tree":
		cwd := atFdcwd
		var fd uintptr
		fd, _, errno = unix.Syscall(sysOpenTree, uintptr(cwd), uintptr(unsafe.Pointer(path)), openTreeClone|oCloexec)
		if errno == 0 {
			unix.Close(int(fd))
		}
	case "read":
		fd, err := unix.Open(os.Args[2], unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			errno = err.(unix.Errno)
			break
		}
		buf := make([]byte, 4096)
		n, err := unix.Read(fd, buf)
		unix.Close(fd)
		if err != nil {
			errno = err.(unix.Errno)
			break
		}
		extra = fmt.Sprintf("%d bytes", n)
	default:
		fmt.Fprintln(os.Stderr, "probe386: unknown op", os.Args[1])
		os.Exit(2)
	}
	runtime.KeepAlive(path)
	if errno != 0 {
		fmt.Println("ERR " + unix.ErrnoName(errno))
		os.Exit(1)
	}
	fmt.Println("OK")
	if extra != "" {
		fmt.Println(extra)
	}
}

func cstr(s string) *byte {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe386: NUL in argument")
		os.Exit(2)
	}
	return p
}
