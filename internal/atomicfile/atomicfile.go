package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data: a temp file in the same directory, fsync,
// rename over path, fsync of the directory. A symlink at path is replaced,
// not followed.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, nil)
}

// WriteLike replaces path with data like Write, keeping the mode and owner
// of the regular file it replaces (a new file gets perm). Anything but a
// regular file at path is refused: replacing it would silently turn, say, a
// symlink into a copy.
func WriteLike(path string, data []byte, perm os.FileMode) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return write(path, data, perm, nil)
	case err != nil:
		return fmt.Errorf("stat %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("refuse to replace %s: not a regular file", path)
	}
	return write(path, data, fi.Mode().Perm(), func(f *os.File) error { return copyOwner(f, fi) })
}

func write(path string, data []byte, perm os.FileMode, prepare func(*os.File) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temp file for %s: %w", path, err)
	}
	tmpName := tmp.Name()
	cleanup := func() { _ = os.Remove(tmpName) }
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		cleanup()
		return fmt.Errorf("write %s: %w", tmpName, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		cleanup()
		return fmt.Errorf("chmod %s: %w", tmpName, err)
	}
	if prepare != nil {
		if err := prepare(tmp); err != nil {
			tmp.Close()
			cleanup()
			return err
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		cleanup()
		return fmt.Errorf("sync %s: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return fmt.Errorf("close %s: %w", tmpName, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		cleanup()
		return fmt.Errorf("rename %s to %s: %w", tmpName, path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
