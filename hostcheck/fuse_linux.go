package hostcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"
)

// FuseFacts is what the FUSE probe saw.
type FuseFacts struct {
	Device  string
	OpenErr error // opening Device read-write
	// Filesystems is /proc/filesystems, read after the open (which loads
	// the module when it is not loaded).
	Filesystems string
	// Fusermount is fusermount3's path ("" when not found): not needed,
	// sysbox-lite mounts as root with mount(2).
	Fusermount string
}

// ProbeFuse opens the FUSE device as the supervisor does and reads which
// file systems the kernel has.
func ProbeFuse(device, filesystems string) FuseFacts {
	f := FuseFacts{Device: device}
	fd, err := unix.Open(device, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		f.OpenErr = err
	} else {
		unix.Close(fd)
	}
	if data, err := os.ReadFile(filesystems); err == nil {
		f.Filesystems = string(data)
	}
	if p, err := exec.LookPath("fusermount3"); err == nil {
		f.Fusermount = p
	}
	return f
}

// Fuse decides: the emulated /proc and /sys files are a FUSE file system
// each container's supervisor serves, so FUSE is required.
func Fuse(f FuseFacts) Result {
	const name = "fuse"
	registered := false
	for _, line := range strings.Split(f.Filesystems, "\n") {
		if fields := strings.Fields(line); len(fields) > 0 && fields[len(fields)-1] == "fuse" {
			registered = true
		}
	}
	extra := "; fusermount3 not needed (mounted as root)"
	if f.Fusermount != "" {
		extra = "; " + f.Fusermount + " present (not needed: mounted as root)"
	}
	switch {
	case f.OpenErr == nil && registered:
		return ok(name, f.Device+" opens read-write, fuse is in /proc/filesystems"+extra)
	case errors.Is(f.OpenErr, fs.ErrNotExist):
		return missing(name, fmt.Sprintf("%s: %v", f.Device, f.OpenErr),
			"modprobe fuse (and add fuse to /etc/modules-load.d/), or mknod -m 0666 /dev/fuse c 10 229 where devtmpfs is not mounted")
	case f.OpenErr != nil:
		return missing(name, fmt.Sprintf("cannot open %s: %v", f.Device, f.OpenErr),
			"allow "+f.Device+" to root (a device cgroup or security module refuses it)")
	}
	return missing(name, f.Device+" opens, but fuse is not in /proc/filesystems",
		"modprobe fuse (and add fuse to /etc/modules-load.d/)")
}
