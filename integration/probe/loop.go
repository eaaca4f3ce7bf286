package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Timing probes, for the benchmarks (bench/):
//
//	probe loop getpid N            N × getpid()
//	probe loop openat N [PATH]     N × (openat(PATH, O_RDONLY) + close), PATH default /etc/passwd
//	probe loop read N PATH         N × (open(PATH) + read to EOF + close)
//	probe loop umount N PATH       N × umount2(PATH, 0), each expected to FAIL (a denied umount);
//	                               prints "<float> ns/op <errno name>"
//	probe loop mount-tmpfs N DIR   N × mount("tmpfs", DIR, "tmpfs", 0, "size=64k"), only the mount
//	                               timed; each is unmounted (umount2(DIR, 0)) before the next
//	probe loop files N DIR         N × the small-file churn of a build in DIR (see files.go)
//
// The calls run in a tight loop on one locked OS thread; the mean cost per
// call is printed as "<float> ns/op". A failing call (a succeeding one for
// umount) prints "ERR <errno name>" and exits 1.
func loopMain(args []string) {
	if len(args) < 2 || len(args) > 3 {
		loopUsage()
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "probe loop: N must be a positive integer, got %q\n", args[1])
		os.Exit(2)
	}
	var op func() error
	switch args[0] {
	case "getpid":
		if len(args) != 2 {
			loopUsage()
		}
		op = func() error { unix.Getpid(); return nil }
	case "openat":
		path := "/etc/passwd"
		if len(args) == 3 {
			path = args[2]
		}
		op = func() error {
			fd, err := unix.Openat(unix.AT_FDCWD, path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return err
			}
			return unix.Close(fd)
		}
	case "read":
		if len(args) != 3 {
			loopUsage()
		}
		buf := make([]byte, 64<<10)
		op = func() error { return readAll(args[2], buf) }
	case "umount":
		if len(args) != 3 {
			loopUsage()
		}
		loopDenied(n, args[2])
		return
	case "mount-tmpfs":
		if len(args) != 3 {
			loopUsage()
		}
		loopMountTmpfs(n, args[2])
		return
	case "files":
		if len(args) != 3 {
			loopUsage()
		}
		op = fileChurn(args[2])
	default:
		loopUsage()
	}
	nsPerOp, err := loop(n, op)
	if err != nil {
		loopErr(err)
	}
	fmt.Printf("%.2f ns/op\n", nsPerOp)
}

// loopErr reports a failed call and exits 1.
func loopErr(err error) {
	name := err.Error()
	var errno unix.Errno
	if errors.As(err, &errno) {
		name = unix.ErrnoName(errno)
	}
	fmt.Println("ERR " + name)
	os.Exit(1)
}

// readAll opens path, reads it to EOF into buf (in chunks) and closes it.
func readAll(path string, buf []byte) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	for {
		n, err := unix.Read(fd, buf)
		if err != nil {
			unix.Close(fd)
			return err
		}
		if n == 0 {
			return unix.Close(fd)
		}
	}
}

// loopDenied times n umount2(path) calls that must all fail with the same
// errno, and prints the mean and that errno.
func loopDenied(n int, path string) {
	runtime.LockOSThread()
	var first unix.Errno
	start := time.Now()
	for i := 0; i < n; i++ {
		err := unix.Unmount(path, 0)
		if err == nil {
			fmt.Println("ERR umount of " + path + " succeeded")
			os.Exit(1)
		}
		var errno unix.Errno
		if !errors.As(err, &errno) || (i > 0 && errno != first) {
			loopErr(err)
		}
		first = errno
	}
	ns := float64(time.Since(start).Nanoseconds()) / float64(n)
	fmt.Printf("%.2f ns/op %s\n", ns, unix.ErrnoName(first))
}

// loopMountTmpfs times n tmpfs mounts on dir (each unmounted, untimed,
// before the next) and prints the mean.
func loopMountTmpfs(n int, dir string) {
	runtime.LockOSThread()
	var total time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k")
		total += time.Since(start)
		if err != nil {
			loopErr(err)
		}
		if err := unix.Unmount(dir, 0); err != nil {
			loopErr(err)
		}
	}
	fmt.Printf("%.2f ns/op\n", float64(total.Nanoseconds())/float64(n))
}

// loop calls op n times on a locked OS thread and returns the mean
// nanoseconds per call; it stops at the first error.
func loop(n int, op func() error) (float64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := op(); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), nil
}

func loopUsage() {
	fmt.Fprintln(os.Stderr, "usage: probe loop getpid N | probe loop openat N [PATH] | probe loop read|umount|mount-tmpfs|files N PATH")
	os.Exit(2)
}
