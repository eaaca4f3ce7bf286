package userns

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile opens (creating it 0600 if needed) the lock file at path and
// takes an flock on it, exclusive or shared. The returned function releases
// the lock. The lock file is never removed: removing it would let two
// processes hold locks on different inodes.
func lockFile(path string, exclusive bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Closing the file releases the flock.
	return func() { _ = f.Close() }, nil
}
