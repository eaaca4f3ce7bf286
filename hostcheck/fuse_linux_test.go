package hostcheck

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

const filesystemsWithFuse = "nodev\tsysfs\nnodev\ttmpfs\n\text4\n\tfuseblk\nnodev\tfuse\nnodev\tfusectl\n"

func TestFuse(t *testing.T) {
	dir := t.TempDir()
	// A regular file stands in for the device: what matters is the open.
	dev := writeFile(t, dir, "fuse", "", 0o666)
	with := writeFile(t, dir, "filesystems", filesystemsWithFuse, 0o644)
	without := writeFile(t, dir, "filesystems-nofuse", "nodev\tsysfs\n\tfuseblk\nnodev\tfusectl\n", 0o644)

	r := Fuse(ProbeFuse(dev, with))
	assert.Equal(t, OK, r.Status, r.Found)
	assert.Contains(t, r.Found, dev+" opens read-write")

	r = Fuse(ProbeFuse(dev, without))
	assert.Equal(t, Missing, r.Status, "fuseblk and fusectl are not fuse")
	assert.Contains(t, r.Fix, "modprobe fuse")

	r = Fuse(ProbeFuse(filepath.Join(dir, "absent"), with))
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "mknod -m 0666 /dev/fuse c 10 229")

	r = Fuse(FuseFacts{Device: "/dev/fuse", OpenErr: errPermission, Filesystems: filesystemsWithFuse})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "device cgroup")
}

func TestProbeFuseHost(t *testing.T) {
	needRoot(t)
	r := Fuse(ProbeFuse("/dev/fuse", "/proc/filesystems"))
	if r.Status != OK {
		t.Skipf("this host has no usable FUSE: %s", r.Found)
	}
}
