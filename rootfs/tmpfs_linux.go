package rootfs

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// tmpfs mounts a new tmpfs at the item's destination. It is made on the host
// (so the kernel locks it in the container) and owned by the container's
// root, or by the uid=/gid= the spec gives, shifted into the range.
func (a Assembler) tmpfs(r *root, it Item) error {
	target, err := r.mountpoint(it.Destination, true)
	if err != nil {
		return err
	}
	defer target.Close()
	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen tmpfs: %w", err)
	}
	defer unix.Close(fsfd)
	// The spec's source names the mount in the mount table ("tmpfs",
	// "shm", ...), as runc's mount(2) gives it.
	source := it.Mount.Source
	if source == "" {
		source = "tmpfs"
	}
	if err := unix.FsconfigSetString(fsfd, "source", source); err != nil {
		return fmt.Errorf("tmpfs source %q: %w", source, err)
	}
	opts := map[string]string{"uid": "0", "gid": "0"}
	var order []string
	for _, d := range it.Options.Data {
		k, v, _ := strings.Cut(d, "=")
		if _, seen := opts[k]; !seen {
			order = append(order, k)
		}
		opts[k] = v
	}
	for _, k := range []string{"uid", "gid"} {
		id, err := strconv.ParseUint(opts[k], 10, 32)
		if err != nil || id >= uint64(a.Range.Size) {
			return fmt.Errorf("tmpfs %s=%s is not an ID inside the container", k, opts[k])
		}
		base := a.Range.UID
		if k == "gid" {
			base = a.Range.GID
		}
		opts[k] = strconv.FormatUint(uint64(base)+id, 10)
	}
	order = append(order, "uid", "gid")
	for _, k := range order {
		var err error
		if v := opts[k]; v != "" {
			err = unix.FsconfigSetString(fsfd, k, v)
		} else {
			err = unix.FsconfigSetFlag(fsfd, k)
		}
		if err != nil {
			return fmt.Errorf("tmpfs option %s: %w", k, err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return fmt.Errorf("create tmpfs: %w", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, int(it.Options.Attrs|it.Options.RecursiveAttrs))
	if err != nil {
		return fmt.Errorf("fsmount tmpfs: %w", err)
	}
	tree := os.NewFile(uintptr(mfd), "tmpfs")
	defer tree.Close()
	return userns.MoveMount(tree, target)
}
