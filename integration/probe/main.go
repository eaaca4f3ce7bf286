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
package main

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
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
	fmt.Fprintln(os.Stderr, "usage: probe umount|umount-detach|remount-rw|remount-sb-rw|setattr-rw|fspick-rw|write PATH | probe move|clone-rw PATH DEST")
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
