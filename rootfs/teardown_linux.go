package rootfs

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Teardown unmounts what Assemble mounted under the state directory: the
// root handed to the engine with everything pre-mounted in it, and any
// layer mount left by a crash. The overlay at the engine's root stays: the
// engine unmounts it as its own. It is idempotent.
func Teardown(asm Assembly) error {
	if asm.Root == "" {
		return nil
	}
	return UnmountAllUnder(filepath.Dir(asm.Root))
}

// UnmountAllUnder lazily unmounts every mount at or below dir, deepest first.
func UnmountAllUnder(dir string) error {
	infos, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return fmt.Errorf("read mountinfo: %w", err)
	}
	var errs []error
	for i := len(infos) - 1; i >= 0; i-- {
		if err := unix.Unmount(infos[i].Mountpoint, unix.MNT_DETACH); err != nil &&
			!errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("unmount %s: %w", infos[i].Mountpoint, err))
		}
	}
	return errors.Join(errs...)
}

// IsMounted reports whether anything is mounted at or below dir.
func IsMounted(dir string) (bool, error) {
	infos, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return false, fmt.Errorf("read mountinfo: %w", err)
	}
	return len(infos) > 0, nil
}
