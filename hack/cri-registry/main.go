// Command cri-registry serves the CRI test images from an in-memory
// registry on 127.0.0.1 (package internal/testregistry) until SIGINT or
// SIGTERM. Used by hack/critest.sh.
//
//	cri-registry -testbin PATH [-busybox /bin/busybox] [-port 0] [-addr-file FILE]
//
// Once every image is pushed it prints "127.0.0.1:PORT" on stdout (and
// writes it to -addr-file).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"github.com/sysbox-lite/sysbox-lite/internal/testregistry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "cri-registry: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	busybox := flag.String("busybox", "/bin/busybox", "static busybox for the images")
	testbin := flag.String("testbin", "", "static internal/testregistry/testbin binary (pause, nonewprivs)")
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any free port)")
	addrFile := flag.String("addr-file", "", "write 127.0.0.1:PORT here once ready")
	flag.Parse()
	if *testbin == "" {
		return fmt.Errorf("-testbin is required")
	}
	images, err := testregistry.Build(*busybox, *testbin)
	if err != nil {
		return err
	}
	srv, err := testregistry.Start(*port)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Push(images); err != nil {
		return err
	}
	if *addrFile != "" {
		if err := atomicfile.Write(*addrFile, []byte(srv.Addr+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Println(srv.Addr)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	<-sigs
	return nil
}
