package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
)

// readOptional returns the content of path and whether it exists. Anything
// but a regular file (a symlink, a directory) is an error: these files are
// replaced by rename, which would silently turn a link into a copy.
func readOptional(path string) (data []byte, exists bool, err error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("stat %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return nil, false, fmt.Errorf("refuse to edit %s: not a regular file (%s); edit it by hand", path, fi.Mode().Type())
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	return data, true, nil
}

// writeLike atomically replaces path with data, keeping the mode and owner
// of the file it replaces; a new file gets perm.
func writeLike(path string, data []byte, perm fs.FileMode) error {
	return atomicfile.WriteLike(path, data, perm)
}
