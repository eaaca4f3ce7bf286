package osthread

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Run runs fn on a new locked OS thread that has its own filesystem context
// (unshare CLONE_FS) with its cwd at dir (when dir is not empty). fn may
// change the thread's credentials too: the thread exits with fn, since the
// goroutine never unlocks it.
func Run(dir string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		errc <- run(dir, fn)
	}()
	return <-errc
}

func run(dir string, fn func() error) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare fs: %w", err)
	}
	if dir != "" {
		if err := unix.Chdir(dir); err != nil {
			return fmt.Errorf("chdir %s: %w", dir, err)
		}
	}
	return fn()
}
