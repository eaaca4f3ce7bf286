package hostcheck

import (
	"errors"
	"fmt"
	"os"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// idmapFilesystems is what to suggest when a file system refuses idmapped
// mounts.
const idmapFilesystems = "ext4, xfs, btrfs, f2fs, tmpfs (6.3+), ..."

// ProbeIdmap makes an idmapped copy of the location's directory the way
// create makes its layers and binds (open_tree(OPEN_TREE_CLONE) +
// mount_setattr(MOUNT_ATTR_IDMAP) with ns) and drops it: the copy is never
// attached anywhere.
func ProbeIdmap(l Location, ns *os.File) error {
	tree, err := userns.CloneMount(l.Probed, false, 0, ns)
	if err != nil {
		return err
	}
	return tree.Close()
}

// Idmap decides on ProbeIdmap's error. A location that is not required
// (an engine's that is not installed) only warns.
func Idmap(l Location, probeErr error, required bool) Result {
	name := "idmap " + l.Label
	if probeErr == nil {
		return ok(name, l.Describe()+": idmapped mount ok")
	}
	found := l.Describe() + ": " + probeErr.Error()
	fix := fmt.Sprintf("see why the kernel refuses MOUNT_ATTR_IDMAP on %s", l.Probed)
	if errors.Is(probeErr, userns.ErrIdmapUnsupported) {
		fsType := l.FSType
		if fsType == "" {
			fsType = "its file system"
		}
		fix = fmt.Sprintf("%s does not support idmapped mounts on this kernel: put %s on a file system that does (%s)", fsType, l.Label, idmapFilesystems)
		if l.Setting != "" {
			fix += " with " + l.Setting
		}
	}
	if !required {
		return warn(name, found, fix)
	}
	return missing(name, found, fix)
}
