package rootfs

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// engineBoundDevices are the nodes runc always provides itself (it adds
// them to every container and, in a user namespace, bind-mounts the host's);
// the host's are world-usable, so that is fine.
var engineBoundDevices = map[string]bool{
	"/dev/null": true, "/dev/zero": true, "/dev/full": true,
	"/dev/random": true, "/dev/urandom": true, "/dev/tty": true,
}

// makeDevices creates the spec's device nodes (already vetted by the
// confinement rules) in the host-side /dev tmpfs, with the spec's mode and
// owners shifted into the container's range. In a user namespace the engine
// can only bind-mount the host's node, which keeps the host's owner and mode:
// /dev/fuse and /dev/net/tun are 0600 root on many hosts and could not be
// opened by the container's root. A node made here is owned by it. It runs as
// host root with CAP_MKNOD (the container itself can never mknod), on a
// tmpfs mounted from the host, so the node is usable inside.
func (a Assembler) makeDevices(r *root, devices []specs.LinuxDevice) ([]string, error) {
	var made []string
	for _, d := range devices {
		p := path.Clean("/" + d.Path)
		if engineBoundDevices[p] || !strings.HasPrefix(p, "/dev/") {
			continue
		}
		if err := a.makeDevice(r, p, d); err != nil {
			return made, fmt.Errorf("device %s: %w", p, err)
		}
		made = append(made, d.Path)
	}
	return made, nil
}

func (a Assembler) makeDevice(r *root, p string, d specs.LinuxDevice) error {
	var kind uint32
	switch d.Type {
	case "c", "u":
		kind = unix.S_IFCHR
	case "b":
		kind = unix.S_IFBLK
	case "p":
		kind = unix.S_IFIFO
	default:
		return fmt.Errorf("unknown device type %q", d.Type)
	}
	mode := uint32(0o666)
	if d.FileMode != nil {
		mode = uint32(d.FileMode.Perm())
	}
	uid, gid := uint32(0), uint32(0)
	if d.UID != nil {
		uid = *d.UID
	}
	if d.GID != nil {
		gid = *d.GID
	}
	if uid >= a.Range.Size || gid >= a.Range.Size {
		return fmt.Errorf("owner %d:%d is outside the container's IDs", uid, gid)
	}
	rel, err := r.resolve(filepath.Dir(p))
	if err != nil {
		return err
	}
	parent, err := r.mkdirAll("/" + rel)
	if err != nil {
		return fmt.Errorf("create parent: %w", err)
	}
	defer parent.Close()
	dirfd, name := int(parent.Fd()), filepath.Base(p)
	if err := unix.Unlinkat(dirfd, name, 0); err != nil && err != unix.ENOENT {
		return fmt.Errorf("remove what is at the node's path: %w", err)
	}
	dev := unix.Mkdev(uint32(d.Major), uint32(d.Minor))
	if err := unix.Mknodat(dirfd, name, kind|mode, int(dev)); err != nil {
		return fmt.Errorf("mknod: %w", err)
	}
	if err := unix.Fchmodat(dirfd, name, mode, 0); err != nil { // undo the umask
		return fmt.Errorf("chmod: %w", err)
	}
	if err := unix.Fchownat(dirfd, name, int(a.Range.UID+uid), int(a.Range.GID+gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	return nil
}
