package userns

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/internal/osthread"
)

// AsContainerRoot runs fn on a dedicated OS thread whose filesystem
// identity is the container's root (fsuid/fsgid = the range's first host
// IDs) while keeping every effective capability, and whose cwd is private to
// the thread (unshare CLONE_FS, starting at dir). This is how files are
// created through an idmapped mount (host root has no ID there: EOVERFLOW)
// and how an overlay over idmapped layers is mounted: overlayfs does its own
// work with the mounter's credentials. The thread is discarded afterwards,
// so the changed identity never leaks into other goroutines.
func AsContainerRoot(r Range, dir string, fn func() error) error {
	return osthread.Run(dir, func() error { return becomeContainerRoot(r, fn) })
}

func becomeContainerRoot(r Range, fn func() error) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var caps [2]unix.CapUserData
	if err := unix.Capget(&hdr, &caps[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	// setfsuid/setfsgid report the previous value and no error; check by
	// reading back (setfsuid(-1) changes nothing and returns the current one).
	unix.Setfsgid(int(r.GID))
	unix.Setfsuid(int(r.UID))
	if cur, _ := unix.SetfsuidRetUid(-1); cur != int(r.UID) {
		return fmt.Errorf("setfsuid %d did not take effect", r.UID)
	}
	if cur, _ := unix.SetfsgidRetGid(-1); cur != int(r.GID) {
		return fmt.Errorf("setfsgid %d did not take effect", r.GID)
	}
	// Changing fsuid away from 0 drops the file capabilities from the
	// effective set; put back what was effective before.
	hdr = unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capset(&hdr, &caps[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return fn()
}
