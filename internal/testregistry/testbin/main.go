// Command testbin is the one static program in the CRI test images, called
// by the name it is linked as:
//
//	pause       a pod sandbox's init: reaps children, exits 0 on SIGINT or
//	            SIGTERM (what registry.k8s.io/pause does)
//	nonewprivs  prints "Effective uid: N" (installed setuid root, as
//	            registry.k8s.io/e2e-test-images/nonewprivs is)
package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	switch name := filepath.Base(os.Args[0]); name {
	case "pause":
		pause()
	case "nonewprivs":
		fmt.Printf("Effective uid: %d\n", os.Geteuid())
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
