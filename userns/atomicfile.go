package userns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFileAtomic replaces path with data: it writes a temporary file in the
// same directory, applies perm and then prepare (if not nil) to it, fsyncs
// it, renames it over path and fsyncs the directory. Readers see the old or
// the new content, never a mix, and a symlink at path is replaced rather
// than followed.
func writeFileAtomic(path string, data []byte, perm fs.FileMode, prepare func(*os.File) error) (err error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("set mode of %s: %w", tmp.Name(), err)
	}
	if prepare != nil {
		if err := prepare(tmp); err != nil {
			return err
		}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp.Name(), path, err)
	}
	return syncDir(dir)
}

// writeFileLike atomically replaces path with data, keeping the mode and
// owner of the file it replaces; a new file gets perm.
func writeFileLike(path string, data []byte, perm fs.FileMode) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode().IsRegular():
		return writeFileAtomic(path, data, fi.Mode().Perm(), func(f *os.File) error { return copyOwner(f, fi) })
	case err == nil:
		return fmt.Errorf("replace %s: not a regular file", path)
	case errors.Is(err, fs.ErrNotExist):
		return writeFileAtomic(path, data, perm, nil)
	default:
		return fmt.Errorf("stat %s: %w", path, err)
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
