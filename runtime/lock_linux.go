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
	// A concurrent cleanup may remove the directory between our open and
	// our flock: then the file we locked is no longer the one at the path,
	// and we start over.
	for attempt := 0; ; attempt++ {
		l, stale, err := s.lockOnce(key, create, nonblock)
		if !stale || attempt >= 10 {
			return l, err
		}
	}
}

func (s Store) lockOnce(key string, create, nonblock bool) (l *Lock, stale bool, err error) {
	dir := s.Path(key)
	if create {
		if err := os.Mkdir(dir, 0o711); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, false, fmt.Errorf("create container state directory: %w", err)
		}
	}
	path := filepath.Join(dir, "lock")
	flags := os.O_RDWR | unix.O_CLOEXEC | unix.O_NOFOLLOW
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		if create && errors.Is(err, os.ErrNotExist) {
			return nil, true, err // the directory went away under us
		}
		return nil, false, fmt.Errorf("open container lock: %w", err)
	}
	how := unix.LOCK_EX
	if nonblock {
		how |= unix.LOCK_NB
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock container state: %w", err)
	}
	var held, now unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &held); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("stat container lock: %w", err)
	}
	if err := unix.Stat(path, &now); err != nil || now.Ino != held.Ino || now.Dev != held.Dev {
		f.Close()
		if !create {
			return nil, false, fmt.Errorf("lock container state: %w", os.ErrNotExist)
		}
		return nil, true, fmt.Errorf("lock container state: the lock file was replaced")
	}
	return &Lock{f: f}, false, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}
