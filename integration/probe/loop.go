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
//	probe loop getpid N          N × getpid(), prints "<float> ns/op"
//	probe loop openat N [PATH]   N × (openat(PATH, O_RDONLY) + close), PATH default /etc/passwd;
//	                             prints "<float> ns/op"
//
// The calls run in a tight loop on one locked OS thread; the mean cost per
// call is printed. A failing call prints "ERR <errno name>" and exits 1.
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
	default:
		loopUsage()
	}
	nsPerOp, err := loop(n, op)
	if err != nil {
		name := err.Error()
		var errno unix.Errno
		if errors.As(err, &errno) {
			name = unix.ErrnoName(errno)
		}
		fmt.Println("ERR " + name)
		os.Exit(1)
	}
	fmt.Printf("%.2f ns/op\n", nsPerOp)
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
	fmt.Fprintln(os.Stderr, "usage: probe loop getpid N | probe loop openat N [PATH]")
	os.Exit(2)
}
