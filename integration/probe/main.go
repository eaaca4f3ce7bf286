// Command probe makes exactly one attempt at a mount operation (or a write)
// and reports the outcome, for the integration tests to run inside
// containers. It prints "OK" and exits 0, or "ERR <errno name>" and exits 1
// (exit 2: usage). Build it static: CGO_ENABLED=0.
//
//	probe umount PATH            umount2(PATH, 0)
//	probe umount-detach PATH     umount2(PATH, MNT_DETACH)
//	probe remount-rw PATH        mount(NULL, PATH, NULL, MS_REMOUNT|MS_BIND, NULL): per-mount flags, ro cleared
//	probe remount-sb-rw PATH     mount(NULL, PATH, NULL, MS_REMOUNT, NULL): superblock and mount, ro cleared
//	probe setattr-rw PATH        mount_setattr(PATH, attr_clr=MOUNT_ATTR_RDONLY)
//	probe fspick-rw PATH         fspick(PATH) + fsconfig(SET_FLAG "rw") + fsconfig(CMD_RECONFIGURE)
//	probe move PATH DEST         open_tree(PATH) + move_mount(to DEST): the mount itself moves
//	probe clone-rw PATH DEST     open_tree(PATH, CLONE) + mount_setattr(clear RDONLY) + move_mount(to DEST)
//	probe write PATH             open(PATH, O_WRONLY|O_CREAT|O_TRUNC) + write
//
// Confinement probes (same output; "OK" may be followed by lines of data):
//
//	probe open PATH              open(PATH, O_RDWR) and close it
//	probe read PATH              open(PATH, O_RDONLY|O_NONBLOCK) + one read(4096); prints OK, the byte
//	                             count and the first line read
//	probe mknod PATH b|c MAJ MIN mknod(PATH, S_IFBLK|S_IFCHR|0600, makedev(MAJ, MIN))
//	probe rewrite PATH           read PATH and write the same bytes back (changes nothing when it works)
//	probe syscall NAME           one call of NAME with bogus or harmless arguments (see syscalls below)
//	probe veth NAME PEER         create a veth pair over rtnetlink (busybox ip cannot)
//	probe http-get SOCKET PATH   GET PATH over the unix socket SOCKET; prints OK and the status line
//
// Trap probes (mount, clone-move, fsmount, in-newns, in-chroot, in-pivot,
// umount-race, mount-loop, trap-watch): see traps.go. sysinfo probes
// (sysinfo, sysinfo-at): see sysinfo.go.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "loop" { // benchmarks: see loop.go
		loopMain(os.Args[2:])
		return
	}
	if len(os.Args) >= 2 && trapsOps[os.Args[1]] { // the supervisor's tests: see traps.go
		trapsMain(os.Args[1:])
		return
	}
	if len(os.Args) >= 2 {
		if op, ok := confineOps[os.Args[1]]; ok {
			runConfineOp(op, os.Args[2:])
			return
		}
	}
	if len(os.Args) < 3 {
		usage()
	}
	op, path := os.Args[1], os.Args[2]
	dest := ""
	if op == "move" || op == "clone-rw" {
		if len(os.Args) != 4 {
			usage()
		}
		dest = os.Args[3]
	} else if len(os.Args) != 3 {
		usage()
	}
	var err error
	switch op {
	case "umount":
		err = unix.Unmount(path, 0)
	case "umount-detach":
		err = unix.Unmount(path, unix.MNT_DETACH)
	case "remount-rw":
		err = unix.Mount("", path, "", unix.MS_REMOUNT|unix.MS_BIND, "")
	case "remount-sb-rw":
		err = unix.Mount("", path, "", unix.MS_REMOUNT, "")
	case "setattr-rw":
		err = unix.MountSetattr(unix.AT_FDCWD, path, 0, &unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY})
	case "fspick-rw":
		err = fspickRW(path)
	case "move":
		err = move(path, dest, 0)
	case "clone-rw":
		err = move(path, dest, unix.OPEN_TREE_CLONE)
	case "write":
		err = write(path)
	default:
		usage()
	}
	if err != nil {
		name := err.Error()
		var errno unix.Errno
		if errors.As(err, &errno) {
			name = unix.ErrnoName(errno)
		}
		fmt.Println("ERR " + name)
		os.Exit(1)
	}
	fmt.Println("OK")
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: probe umount|umount-detach|remount-rw|remount-sb-rw|setattr-rw|fspick-rw|write PATH | probe move|clone-rw PATH DEST | probe open|read|rewrite PATH | probe mknod PATH b|c MAJ MIN | probe syscall NAME | probe veth NAME PEER | probe http-get SOCKET PATH | probe sysinfo | probe sysinfo-at ro|unmapped")
	os.Exit(2)
}

func fspickRW(path string) error {
	fd, err := unix.Fspick(unix.AT_FDCWD, path, unix.FSPICK_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.FsconfigSetFlag(fd, "rw"); err != nil {
		return err
	}
	return unix.FsconfigReconfigure(fd)
}

// move detaches (or, with OPEN_TREE_CLONE, clones and makes read-write) the
// mount at path and attaches it at dest.
func move(path, dest string, clone uint) error {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLOEXEC|clone)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if clone != 0 {
		attr := unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
			return err
		}
	}
	return unix.MoveMount(fd, "", unix.AT_FDCWD, dest, unix.MOVE_MOUNT_F_EMPTY_PATH)
}

func write(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString("probe\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ---- confinement probes ----

// confineOp runs with the arguments after its name; it returns the lines to
// print after "OK" (nil for none).
type confineOp struct {
	nargs int
	run   func(args []string) ([]string, error)
}

var confineOps = map[string]confineOp{
	"open":       {1, func(a []string) ([]string, error) { return nil, openRW(a[0]) }},
	"read":       {1, func(a []string) ([]string, error) { return readOnce(a[0]) }},
	"mknod":      {4, func(a []string) ([]string, error) { return nil, mknod(a) }},
	"rewrite":    {1, func(a []string) ([]string, error) { return nil, rewrite(a[0]) }},
	"syscall":    {1, func(a []string) ([]string, error) { return nil, callByName(a[0]) }},
	"veth":       {2, func(a []string) ([]string, error) { return nil, veth(a[0], a[1]) }},
	"http-get":   {2, func(a []string) ([]string, error) { return httpGet(a[0], a[1]) }},
	"sysinfo":    {0, func([]string) ([]string, error) { return sysinfoFields() }},
	"sysinfo-at": {1, func(a []string) ([]string, error) { return nil, sysinfoAt(a[0]) }},
}

func runConfineOp(op confineOp, args []string) {
	if len(args) != op.nargs {
		usage()
	}
	lines, err := op.run(args)
	if err != nil {
		name := err.Error()
		var errno unix.Errno
		if errors.As(err, &errno) {
			name = unix.ErrnoName(errno)
		}
		fmt.Println("ERR " + name)
		os.Exit(1)
	}
	fmt.Println("OK")
	for _, l := range lines {
		fmt.Println(l)
	}
}

func openRW(path string) error {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// readOnce returns the byte count and the first line of one read.
func readOnce(path string) ([]string, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return nil, err
	}
	first, _, _ := strings.Cut(string(buf[:n]), "\n")
	return []string{fmt.Sprintf("%d bytes", n), first}, nil
}

func mknod(a []string) error {
	var mode uint32
	switch a[1] {
	case "b":
		mode = unix.S_IFBLK
	case "c":
		mode = unix.S_IFCHR
	default:
		usage()
	}
	major, err1 := strconv.ParseUint(a[2], 10, 32)
	minor, err2 := strconv.ParseUint(a[3], 10, 32)
	if err1 != nil || err2 != nil {
		usage()
	}
	return unix.Mknod(a[0], mode|0o600, int(unix.Mkdev(uint32(major), uint32(minor))))
}

// rewrite writes a file's own content back (a sysctl: the same value).
func rewrite(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	_, err = unix.Write(fd, data)
	return err
}

// syscalls are called with arguments the kernel rejects (or that change
// nothing), so that the errno shows who answered: a seccomp filter says EPERM
// before the kernel looks at them; the kernel itself says EINVAL, EFAULT,
// EBADF, ENOSYS (not built in), or EPERM for a missing capability.
var syscalls = map[string]func() error{
	"init_module":       func() error { return raw(unix.SYS_INIT_MODULE, 0, 0, 0) },
	"finit_module":      func() error { return raw(unix.SYS_FINIT_MODULE, ^uintptr(0), 0, 0) },
	"kexec_load":        func() error { return raw(unix.SYS_KEXEC_LOAD, 0, 0, 0, 0xffffffff) },
	"bpf":               func() error { return raw(unix.SYS_BPF, 0x7fffffff, 0, 0) },
	"perf_event_open":   func() error { return raw(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0) },
	"add_key":           func() error { return raw(unix.SYS_ADD_KEY, 0, 0, 0, 0, 0) },
	"keyctl":            func() error { return raw(unix.SYS_KEYCTL, 9999, 0, 0, 0, 0) },
	"userfaultfd":       func() error { return raw(unix.SYS_USERFAULTFD, 0x40000000) },
	"io_uring_setup":    func() error { return raw(unix.SYS_IO_URING_SETUP, 0, 0) },
	"open_by_handle_at": func() error { return raw(unix.SYS_OPEN_BY_HANDLE_AT, ^uintptr(0), 0, 0) },
	// the size of the kernel log buffer: reads nothing
	"syslog": func() error { return raw(unix.SYS_SYSLOG, unix.SYSLOG_ACTION_SIZE_BUFFER, 0, 0) },
	// both NULL: changes nothing, but the kernel checks CAP_SYS_TIME first
	"settimeofday": func() error { return raw(unix.SYS_SETTIMEOFDAY, 0, 0) },
	// outside the host's pid namespace only RESTART/POWER_OFF/HALT mean
	// something (they end that namespace); CAD_OFF is EINVAL there
	"reboot-cad-off": func() error {
		return raw(unix.SYS_REBOOT, unix.LINUX_REBOOT_MAGIC1, unix.LINUX_REBOOT_MAGIC2, unix.LINUX_REBOOT_CMD_CAD_OFF, 0)
	},
	// raises this process's own priority: needs CAP_SYS_NICE of the host
	"setpriority-20": func() error { return unix.Setpriority(unix.PRIO_PROCESS, 0, -20) },
}

func raw(nr uintptr, args ...uintptr) error {
	var a [6]uintptr
	copy(a[:], args)
	r, _, errno := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if errno != 0 {
		return errno
	}
	if int(r) > 2 && nr != unix.SYS_SYSLOG { // a descriptor (userfaultfd, io_uring, ...)
		unix.Close(int(r))
	}
	return nil
}

func callByName(name string) error {
	call, ok := syscalls[name]
	if !ok {
		names := make([]string, 0, len(syscalls))
		for n := range syscalls {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "probe syscall: unknown %q (known: %s)\n", name, strings.Join(names, " "))
		os.Exit(2)
	}
	return call()
}

// veth sends RTM_NEWLINK for a veth pair and waits for the kernel's answer.
func veth(name, peer string) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	ifinfo := make([]byte, unix.SizeofIfInfomsg) // AF_UNSPEC, all zero
	ifinfo[0] = unix.AF_UNSPEC
	peerInfo := append(append([]byte{}, ifinfo...), nlattr(unix.IFLA_IFNAME, cstr(peer))...)
	const vethInfoPeer = 1
	linkinfo := nlattr(unix.IFLA_LINKINFO, append(nlattr(unix.IFLA_INFO_KIND, []byte("veth")),
		nlattr(unix.IFLA_INFO_DATA, nlattr(vethInfoPeer, peerInfo))...))
	body := append(append(ifinfo, nlattr(unix.IFLA_IFNAME, cstr(name))...), linkinfo...)
	msg := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	msg = append(msg, body...)
	hdr := (*unix.NlMsghdr)(unsafe.Pointer(&msg[0]))
	hdr.Len = uint32(len(msg))
	hdr.Type = unix.RTM_NEWLINK
	hdr.Flags = unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL
	hdr.Seq = 1
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Seq != 1 || m.Header.Type != unix.NLMSG_ERROR {
				continue
			}
			if len(m.Data) < 4 {
				return errors.New("short netlink error message")
			}
			if code := int32(binary.NativeEndian.Uint32(m.Data[:4])); code != 0 {
				return unix.Errno(-code)
			}
			return nil
		}
	}
}

func cstr(s string) []byte { return append([]byte(s), 0) }

// nlattr encodes one netlink attribute, padded to 4 bytes.
func nlattr(typ uint16, data []byte) []byte {
	l := unix.SizeofRtAttr + len(data)
	b := make([]byte, (l+3)&^3)
	binary.NativeEndian.PutUint16(b[0:2], uint16(l))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	copy(b[unix.SizeofRtAttr:], data)
	return b
}

// httpGet sends one HTTP/1.0 GET over a unix socket (an engine's API) and
// returns the response's status line.
func httpGet(socket, path string) ([]string, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 10}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: socket}); err != nil {
		return nil, err
	}
	if _, err := unix.Write(fd, []byte("GET "+path+" HTTP/1.0\r\nHost: probe\r\n\r\n")); err != nil {
		return nil, err
	}
	buf := make([]byte, 4096)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return nil, err
	}
	status, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	return []string{status}, nil
}
