package rootfs

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Teardown undoes Assemble: it unmounts everything under the state
// directory (the root handed to the engine with what was pre-mounted in it,
// layer mounts left by a crash) and puts the engine's own overlay back in
// place of the idmapped one. It is idempotent.
func Teardown(asm Assembly) error {
	if asm.Root == "" {
		return nil
	}
	err := UnmountAllUnder(filepath.Dir(asm.Root))
	if asm.EngineOverlay != nil {
		err = errors.Join(err, restoreEngineOverlay(asm.EngineRoot, asm.EngineOverlay))
	}
	return err
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
