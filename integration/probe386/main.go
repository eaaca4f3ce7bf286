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
//	probe386 sysinfo             sysinfo(&buf)          i386 #116, into 64 bytes of 0xaa;
//	                             prints OK, then "name value" lines of struct
//	                             sysinfo's fields (uptime, load1, load5, load15,
//	                             totalram, freeram, sharedram, bufferram, totalswap,
//	                             freeswap, procs, pad, totalhigh, freehigh, mem_unit)
//	                             and "raw" with the 64 bytes in hex
package main

import (
	"encoding/hex"
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
	sysSysinfo  = 116
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
	if len(os.Args) == 2 && os.Args[1] == "sysinfo" {
		sysinfo()
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: probe386 umount|umount2|mount-tmpfs|open-tree|read PATH | probe386 sysinfo")
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

// sysinfo386 is struct sysinfo of the i386 ABI (the kernel's
// compat_sysinfo): 64 bytes.
type sysinfo386 struct {
	Uptime    int32
	Loads     [3]uint32
	Totalram  uint32
	Freeram   uint32
	Sharedram uint32
	Bufferram uint32
	Totalswap uint32
	Freeswap  uint32
	Procs     uint16
	Pad       uint16
	Totalhigh uint32
	Freehigh  uint32
	Unit      uint32
	F         [8]byte
}

func sysinfo() {
	var buf [64]byte
	if unsafe.Sizeof(sysinfo386{}) != uintptr(len(buf)) {
		fmt.Fprintln(os.Stderr, "probe386: struct sysinfo is not 64 bytes")
		os.Exit(2)
	}
	for i := range buf {
		buf[i] = 0xaa
	}
	if _, _, errno := unix.Syscall(sysSysinfo, uintptr(unsafe.Pointer(&buf[0])), 0, 0); errno != 0 {
		fmt.Println("ERR " + unix.ErrnoName(errno))
		os.Exit(1)
	}
	si := (*sysinfo386)(unsafe.Pointer(&buf[0]))
	fmt.Println("OK")
	fmt.Printf("uptime %d\nload1 %d\nload5 %d\nload15 %d\n", si.Uptime, si.Loads[0], si.Loads[1], si.Loads[2])
	fmt.Printf("totalram %d\nfreeram %d\nsharedram %d\nbufferram %d\ntotalswap %d\nfreeswap %d\n",
		si.Totalram, si.Freeram, si.Sharedram, si.Bufferram, si.Totalswap, si.Freeswap)
	fmt.Printf("procs %d\npad %d\ntotalhigh %d\nfreehigh %d\nmem_unit %d\n", si.Procs, si.Pad, si.Totalhigh, si.Freehigh, si.Unit)
	fmt.Println("raw " + hex.EncodeToString(buf[:]))
}

func cstr(s string) *byte {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe386: NUL in argument")
		os.Exit(2)
	}
	return p
}
