package runtime

import (
	"fmt"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// makePrivateMount makes dir a mount of its own with private propagation,
// so that what sysbox-lite mounts below it never propagates to a peer (a
// host path shared into some container, the engine's tree) and nothing
// mounted elsewhere propagates in. It is a no-op once done.
func makePrivateMount(dir string) error {
	infos, err := mountinfo.GetMounts(mountinfo.SingleEntryFilter(dir))
	if err != nil {
		return fmt.Errorf("read mountinfo: %w", err)
	}
	if len(infos) > 0 && !hasSharedOrSlave(infos[len(infos)-1].Optional) {
		return nil
	}
	if len(infos) == 0 {
		if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind state directory %s onto itself: %w", dir, err)
		}
	}
	if err := unix.Mount("", dir, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make state directory %s private: %w", dir, err)
	}
	return nil
}

func hasSharedOrSlave(optional string) bool {
	return optional != ""
}
