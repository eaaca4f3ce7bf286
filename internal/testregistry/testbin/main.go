// Command testbin is the one static program in the CRI test images, called
// by the name it is linked as:
//
//	pause       a pod sandbox's init: reaps children, exits 0 on SIGINT or
//	            SIGTERM (what registry.k8s.io/pause does)
//	nonewprivs  prints "Effective uid: N" (installed setuid root, as
//	            registry.k8s.io/e2e-test-images/nonewprivs is)
//	ipcs -m     lists the IPC namespace's shared memory segments the way
//	            util-linux does (Debian's busybox has no ipcs)
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	switch name := filepath.Base(os.Args[0]); name {
	case "pause":
		pause()
	case "nonewprivs":
		fmt.Printf("Effective uid: %d\n", os.Geteuid())
	case "ipcs":
		if err := ipcsM(); err != nil {
			fmt.Fprintf(os.Stderr, "ipcs: %v\n", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "testbin: unknown name %q (pause, nonewprivs)\n", name)
		os.Exit(2)
	}
}

func pause() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

// ipcsM prints /proc/sysvipc/shm as `ipcs -m` does.
func ipcsM() error {
	f, err := os.Open("/proc/sysvipc/shm")
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Println("\n------ Shared Memory Segments --------")
	fmt.Printf("%-10s %-10s %-10s %-10s %-10s %-10s\n", "key", "shmid", "owner", "perms", "bytes", "nattch")
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		// key shmid perms size cpid lpid nattch uid ...
		v := strings.Fields(sc.Text())
		if len(v) < 8 {
			continue
		}
		key, _ := strconv.ParseInt(v[0], 10, 64) // perms are octal already
		fmt.Printf("0x%08x %-10s %-10s %-10s %-10s %-10s\n", uint32(key), v[1], v[7], v[2], v[3], v[6])
	}
	return sc.Err()
}
