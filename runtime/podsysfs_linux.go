package runtime

import (
	"fmt"
	"os"
	"path"
	"strconv"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/internal/osthread"
)

// sysfs for a container in a pod's network namespace.
//
// The kernel lets a task mount sysfs only when it has CAP_SYS_ADMIN in the
// user namespace that owns its network namespace (sysfs shows that
// namespace's devices under /sys/class/net). A pod's network namespace is
// the host's user namespace's (confine.OwnedByHostPod), so the engine,
// which mounts sysfs from inside the container's user namespace, fails
// (runc 1.1: "error mounting sysfs to rootfs at /sys: operation not
// permitted"). sysbox-lite mounts it instead, from the host side, before
// the engine runs: a new sysfs instance made on a thread that has joined
// the pod's network namespace (so /sys/class/net lists the pod's
// interfaces, not the host's), with the spec mount's flags, at /sys of the
// assembled root; the spec loses that mount. Like every mount assembled on
// the host, the kernel then locks it in the container's mount namespace:
// the container can neither unmount it nor remount it read-write. Its
// files belong to the host's root, which the container's range does not
// map: the container reads /sys and writes nothing there. The spec's masks
// over /sys (maskedPaths, sysbox-lite's own) still apply on top of it, and
// delete unmounts it with the rest of the assembled root.

// podNetwork returns the pod network namespace the container joins (as
// checked and pinned), or nil.
func (j *joins) podNetwork() *os.File {
	for ref, jn := range j.found {
		if ref.typ == specs.NetworkNamespace && jn.err == nil && jn.Owner == confine.OwnedByHostPod {
			return jn.file
		}
	}
	return nil
}

// sysfsFlags are the mount flags of a spec's sysfs options.
func sysfsFlags(options []string) uintptr {
	var flags uintptr
	for _, o := range options {
		switch o {
		case "ro":
			flags |= unix.MS_RDONLY
		case "rw":
			flags &^= unix.MS_RDONLY
		case "nosuid":
			flags |= unix.MS_NOSUID
		case "nodev":
			flags |= unix.MS_NODEV
		case "noexec":
			flags |= unix.MS_NOEXEC
		}
	}
	return flags
}

// mountPodSysfs mounts the sysfs that spec asks for at /sys in root from
// inside netns and removes it from the spec (see above). Nothing to do
// when netns is nil or the spec mounts no sysfs at /sys.
func mountPodSysfs(spec *specs.Spec, root string, netns *os.File) error {
	if netns == nil {
		return nil
	}
	idx := -1
	for i, m := range spec.Mounts {
		if m.Type == "sysfs" && path.Clean(m.Destination) == "/sys" {
			idx = i
		}
	}
	if idx < 0 {
		return nil
	}
	// The directory as resolved inside root (the image's /sys may be a
	// symlink planted anywhere): mount onto the handle, never a path.
	dir, err := pathrs.OpenInRoot(root, "sys")
	if err != nil {
		return fmt.Errorf("open /sys in the container root: %w", err)
	}
	defer dir.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(dir.Fd()), &st); err != nil {
		return fmt.Errorf("stat /sys in the container root: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("/sys in the container root is not a directory")
	}
	flags := sysfsFlags(spec.Mounts[idx].Options)
	target := "/proc/self/fd/" + strconv.Itoa(int(dir.Fd()))
	err = osthread.Run("", func() error {
		// This thread is never given back to the Go scheduler: leaving
		// it in the pod's network namespace is harmless.
		if err := unix.Setns(int(netns.Fd()), unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("join the pod's network namespace: %w", err)
		}
		if err := unix.Mount("sysfs", target, "sysfs", flags, ""); err != nil {
			return fmt.Errorf("mount sysfs for the pod's network namespace: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	spec.Mounts = append(spec.Mounts[:idx], spec.Mounts[idx+1:]...)
	return nil
}
