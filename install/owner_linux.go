package install

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives path the owner and group of the file described by was, so
// that rewriting e.g. a root:docker daemon.json keeps its group. It does
// nothing when they already match.
func keepOwner(path string, was fs.FileInfo) error {
	want, ok := was.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	have, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || (have.Uid == want.Uid && have.Gid == want.Gid) {
		return nil
	}
	if err := os.Lchown(path, int(want.Uid), int(want.Gid)); err != nil {
		return fmt.Errorf("set owner of %s: %w", path, err)
	}
	return nil
}
