package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// root is a container root on the host, opened once, in which mountpoints
// are resolved the way the engine resolves them: symlinks are followed but
// never out of the root.
type root struct {
	path string
	dir  *os.File
}

func openRoot(path string) (*root, error) {
	f, err := os.OpenFile(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", path, err)
	}
	return &root{path: path, dir: f}, nil
}

func (r *root) Close() error { return r.dir.Close() }

// resolve maps a container path to its path relative to the root, following
// symlinks inside the root (an image's /etc/hosts -> /host/x stays inside).
func (r *root) resolve(dest string) (string, error) {
	full, err := securejoin.SecureJoin(r.path, dest)
	if err != nil {
		return "", fmt.Errorf("resolve %s in the root: %w", dest, err)
	}
	rel, err := filepath.Rel(r.path, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("resolve %s in the root: escapes the root", dest)
	}
	return rel, nil
}

// mkdirAll creates a directory (and parents) and returns an O_PATH handle.
func (r *root) mkdirAll(dest string) (*os.File, error) {
	rel, err := r.resolve(dest)
	if err != nil {
		return nil, err
	}
	return pathrs.MkdirAllHandle(r.dir, rel, 0o755)
}

// mountpoint returns an O_PATH handle of the mountpoint for dest, creating
// a directory (dir) or an empty file when it is missing. The handle was
// resolved inside the root, so a symlink swapped in meanwhile cannot
// redirect the mount to the host.
func (r *root) mountpoint(dest string, dir bool) (*os.File, error) {
	if dir {
		return r.mkdirAll(dest)
	}
	rel, err := r.resolve(dest)
	if err != nil {
		return nil, err
	}
	parent, err := pathrs.MkdirAllHandle(r.dir, filepath.Dir(rel), 0o755)
	if err != nil {
		return nil, fmt.Errorf("create parent of %s: %w", dest, err)
	}
	defer parent.Close()
	base := filepath.Base(rel)
	fd, err := unix.Openat(int(parent.Fd()), base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	switch {
	case err == nil:
		unix.Close(fd)
	case !errors.Is(err, unix.EEXIST):
		return nil, fmt.Errorf("create mountpoint %s: %w", dest, err)
	}
	fd, err = unix.Openat(int(parent.Fd()), base, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open mountpoint %s: %w", dest, err)
	}
	return os.NewFile(uintptr(fd), filepath.Join(r.path, rel)), nil
}
