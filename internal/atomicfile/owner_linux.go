package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// copyOwner gives f the owner and group of the file described by like, so
// that an atomic rewrite of e.g. /etc/subuid keeps root:root. It does nothing
// when they already match.
func copyOwner(f *os.File, like fs.FileInfo) error {
	want, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	have, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || (have.Uid == want.Uid && have.Gid == want.Gid) {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil {
		return fmt.Errorf("set owner of %s: %w", f.Name(), err)
	}
	return nil
}
