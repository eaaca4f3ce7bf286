package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Lock is a held flock on a container's state directory: create, delete
// and garbage collection of one container never overlap, and a crashed
// holder releases it with its death.
type Lock struct{ f *os.File }

// Lock creates key's state directory if needed and locks it (blocking).
func (s Store) Lock(key string) (*Lock, error) {
	return s.lock(key, true, false)
}

// TryLock locks key's existing state directory if nobody holds it.
// ok is false when someone does (or the directory is gone).
func (s Store) TryLock(key string) (l *Lock, ok bool, err error) {
	l, err = s.lock(key, false, true)
	if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	return l, err == nil, err
}

func (s Store) lock(key string, create, nonblock bool) (*Lock, error) {
	dir := s.Path(key)
	if create {
		if err := os.Mkdir(dir, 0o711); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create container state directory: %w", err)
		}
	}
	flags := os.O_RDWR | unix.O_CLOEXEC | unix.O_NOFOLLOW
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), flags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open container lock: %w", err)
	}
	how := unix.LOCK_EX
	if nonblock {
		how |= unix.LOCK_NB
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container state: %w", err)
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}
