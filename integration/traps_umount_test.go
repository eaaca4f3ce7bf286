//go:build linux

package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trapsProtected are mounts every --privileged container starts with that
// the engine makes inside its namespaces (so the kernel does not lock
// them): only the supervisor keeps them. Masks, read-only paths, /proc
// itself, the /sys/firmware tmpfs mask, mqueue, devpts, the cgroup tree.
var trapsProtected = []string{
	"/proc/keys", "/proc/timer_list", "/proc/bus", "/proc/irq", "/proc",
	"/sys/firmware", "/dev/mqueue", "/dev/pts", "/sys/fs/cgroup",
}

// trapsHostMade are mounts sysbox-lite assembles on the host before the
// engine runs: the kernel locks them in the container (EINVAL for umount),
// unless the supervisor refuses first (EPERM).
var trapsHostMade = []string{"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/ro", "/"}

// TestTrapsUmountInitialMounts: the container's root cannot unmount any
// mount it started with, lazily or not: EPERM from the supervisor (with an
// audit line) for the mounts the engine made inside, EPERM or the kernel's
// EINVAL for the host-made ones; every mount is still there afterwards.
func TestTrapsUmountInitialMounts(t *testing.T) {
	s := setup(t)
	vol := s.mkTempDir(t, "ro-")
	name, id := s.trapsStart(t, "", "-v", vol+":/ro:ro")
	mounts := s.containerMounts(t, name)
	// one cgroup mount below /sys/fs/cgroup too (v1 controllers), if any
	targets := append([]string{}, trapsProtected...)
	for _, m := range trapsMountsUnder(mounts, "/sys/fs/cgroup") {
		if m.MountPoint != "/sys/fs/cgroup" {
			targets = append(targets, m.MountPoint)
			break
		}
	}

	for _, p := range targets {
		before, ok := findMount(mounts, p)
		require.True(t, ok, "%s is a mount in the container", p)
		for _, op := range []string{"umount", "umount-detach"} {
			assert.Equal(t, "ERR EPERM", s.probe(t, name, op, p), "probe %s %s", op, p)
		}
		s.trapsRequireDenied(t, id, fmt.Sprintf("umount2(%q, 0x0)", p))
		s.trapsRequireDenied(t, id, fmt.Sprintf("umount2(%q, 0x2)", p))
		s.trapsRequireUnchanged(t, name, p, before)
	}
	// busybox's umount, as a user would type it
	r := s.docker(t, "exec", name, "umount", "-l", "/proc/keys")
	assert.NotZero(t, r.Code, "busybox umount -l /proc/keys: %s", r)
	assert.Contains(t, r.Stderr, "Operation not permitted", "busybox umount -l /proc/keys: %s", r)

	for _, p := range trapsHostMade {
		before, ok := findMount(mounts, p)
		require.True(t, ok, "%s is a mount in the container", p)
		for _, op := range []string{"umount", "umount-detach"} {
			got := s.probe(t, name, op, p)
			assert.Contains(t, []string{"ERR EPERM", "ERR EINVAL"}, got, "probe %s %s", op, p)
			t.Logf("host-made %-17s probe %-13s %s", p, op, got)
		}
		s.trapsRequireUnchanged(t, name, p, before)
	}

	for _, p := range []string{"/proc/keys", "/proc/timer_list"} {
		s.trapsRequireMasked(t, name, p)
	}
	assert.Empty(t, s.trapsSh(t, name, "ls -A /sys/firmware"), "/sys/firmware is still masked")
}

// TestTrapsRemountInitialMounts: a mount the container started with may
// gain restrictions but never lose ro, nosuid, nodev or noexec, whether
// per mount (MS_REMOUNT|MS_BIND) or with the superblock (MS_REMOUNT); a
// tmpfs the container made is its own to remount either way.
func TestTrapsRemountInitialMounts(t *testing.T) {
	s := setup(t)
	vol := s.mkTempDir(t, "ro-")
	name, id := s.trapsStart(t, "", "-v", vol+":/ro:ro")

	for _, p := range []string{"/proc/bus", "/proc/irq", "/ro", "/sys/firmware"} {
		before, ok := s.trapsMountAt(t, name, p)
		require.True(t, ok, "%s is a mount", p)
		require.True(t, hasOption(before.Options, "ro"), "%s starts read-only: %+v", p, before)
		assert.Equal(t, "ERR EPERM", s.probe(t, name, "remount-rw", p), "MS_REMOUNT|MS_BIND (rw) of %s", p)
		assert.Equal(t, "ERR EPERM", s.probe(t, name, "remount-sb-rw", p), "MS_REMOUNT (rw) of %s", p)
		s.trapsRequireDenied(t, id, fmt.Sprintf(`mount("", %q, "", 0x1020, "")`, p))
		s.trapsRequireDenied(t, id, fmt.Sprintf(`mount("", %q, "", 0x20, "")`, p))
		s.trapsRequireUnchanged(t, name, p, before)
	}
	assert.Equal(t, "ERR EROFS", s.probe(t, name, "write", "/ro/x"), "the volume is still read-only")
	assert.NoFileExists(t, filepath.Join(vol, "x"))

	// /proc: nosuid,nodev,noexec stay
	proc, ok := s.trapsMountAt(t, name, "/proc")
	require.True(t, ok)
	for _, o := range []string{"nosuid", "nodev", "noexec"} {
		require.True(t, hasOption(proc.Options, o), "/proc starts %s: %+v", o, proc)
	}
	r := s.docker(t, "exec", name, "mount", "-o", "remount,suid", "/proc")
	assert.NotZero(t, r.Code, "mount -o remount,suid /proc: %s", r)
	s.trapsRequireDenied(t, id, `, "/proc", "proc", `)
	assert.Equal(t, "ERR EPERM", s.probe(t, name, "mount", "-", "/proc", "-", "remount,bind,nosuid,nodev"), "remount /proc without noexec")
	s.trapsRequireDenied(t, id, `mount("", "/proc", "", 0x1026, "")`)
	s.trapsRequireUnchanged(t, name, "/proc", proc)

	// adding restrictions (or keeping them) is allowed
	s.trapsSh(t, name, "mount -o remount,nosuid /proc")
	assert.Equal(t, "OK", s.probe(t, name, "mount", "-", "/proc/bus", "-", "remount,bind,ro,nosuid,nodev,noexec"), "remount /proc/bus as it is")
	assert.Equal(t, "OK", s.probe(t, name, "mount", "-", "/proc", "-", "remount,bind,nosuid,nodev,noexec,ro"), "remount /proc read-only (per mount)")
	after, ok := s.trapsMountAt(t, name, "/proc")
	require.True(t, ok)
	assert.True(t, hasOption(after.Options, "ro"), "/proc is read-only now: %+v", after)
	for _, o := range []string{"nosuid", "nodev", "noexec"} {
		assert.True(t, hasOption(after.Options, o), "/proc is still %s: %+v", o, after)
	}
	assert.Equal(t, "ERR EPERM", s.probe(t, name, "mount", "-", "/proc", "-", "remount,bind,nosuid,nodev,noexec"), "a restriction added to an initial mount stays")

	// a tmpfs of the container's own: remount ro and back, per mount and superblock
	s.trapsSh(t, name, "mkdir -p /mnt/own && mount -t tmpfs own /mnt/own && echo x > /mnt/own/f")
	for _, flags := range [][2]string{{"remount,ro", "remount"}, {"remount,bind,ro", "remount,bind"}} {
		assert.Equal(t, "OK", s.probe(t, name, "mount", "-", "/mnt/own", "-", flags[0]), "%s of the container's tmpfs", flags[0])
		assert.Equal(t, "ERR EROFS", s.probe(t, name, "write", "/mnt/own/g"), "after %s", flags[0])
		assert.Equal(t, "OK", s.probe(t, name, "mount", "-", "/mnt/own", "-", flags[1]), "%s (rw again) of the container's tmpfs", flags[1])
		assert.Equal(t, "OK", s.probe(t, name, "write", "/mnt/own/g"), "after %s", flags[1])
	}
	assert.Equal(t, "x", s.trapsSh(t, name, "cat /mnt/own/f"))
	s.trapsSh(t, name, "umount /mnt/own")
}

// TestTrapsMoveMasks: MS_MOVE of a mask or of /proc is refused; the
// container's own tmpfs moves.
func TestTrapsMoveMasks(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "")
	s.trapsSh(t, name, "mkdir -p /mnt/d /mnt/own /mnt/moved && touch /mnt/f")
	cases := []struct{ src, dst string }{
		{"/proc/keys", "/mnt/f"},
		{"/proc/timer_list", "/mnt/f"},
		{"/proc/bus", "/mnt/d"},
		{"/sys/firmware", "/mnt/d"},
		{"/proc", "/mnt/d"},
	}
	for _, c := range cases {
		before, ok := s.trapsMountAt(t, name, c.src)
		require.True(t, ok, "%s is a mount", c.src)
		assert.Equal(t, "ERR EPERM", s.probe(t, name, "mount", c.src, c.dst, "-", "move"), "MS_MOVE %s %s", c.src, c.dst)
		s.trapsRequireDenied(t, id, fmt.Sprintf(`mount(%q, %q, "", 0x2000`, c.src, c.dst))
		s.trapsRequireUnchanged(t, name, c.src, before)
	}
	// With the old magic number in the high bits (which overlap MS_PRIVATE
	// and MS_SLAVE), a move must still be judged as a move, and a new mount
	// as a new mount: neither may pass as a propagation change.
	assert.Equal(t, "ERR EPERM", s.probe(t, name, "mount", "/proc/keys", "/mnt/f", "-", "magic,move"), "MS_MGC_VAL|MS_MOVE of a mask")
	s.trapsRequireMasked(t, name, "/proc/keys")
	s.trapsSh(t, name, "mkdir -p /mnt/mp")
	assert.Equal(t, "OK", s.probe(t, name, "mount", "proc", "/mnt/mp", "proc", "magic"), "MS_MGC_VAL new procfs")
	s.trapsRequireMasked(t, name, "/mnt/mp/keys")
	s.trapsSh(t, name, "umount -l /mnt/mp")
	r := s.docker(t, "exec", name, "mount", "--move", "/proc/keys", "/mnt/f")
	assert.NotZero(t, r.Code, "busybox mount --move /proc/keys: %s", r)
	for _, mp := range []string{"/mnt/f", "/mnt/d"} {
		_, ok := s.trapsMountAt(t, name, mp)
		assert.False(t, ok, "nothing arrived at %s", mp)
	}
	s.trapsRequireMasked(t, name, "/proc/keys")

	s.trapsSh(t, name, "mount -t tmpfs own /mnt/own && echo x > /mnt/own/f && mount --move /mnt/own /mnt/moved")
	assert.Equal(t, "x", s.trapsSh(t, name, "cat /mnt/moved/f"), "the container's own tmpfs moved")
	s.trapsSh(t, name, "umount /mnt/moved")
}

// TestTrapsNewMountAPI: open_tree, move_mount, mount_setattr, fsopen,
// fsmount, fspick and fsconfig fail with ENOSYS from the filter (no
// supervisor involved, so no audit line), and the targets are unchanged.
func TestTrapsNewMountAPI(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "")
	s.trapsSh(t, name, "mkdir -p /mnt/d /mnt/np /mnt/nt && touch /mnt/f")
	watched := []string{"/proc/keys", "/proc/timer_list", "/proc/bus", "/sys/firmware"}
	before := map[string]mountEntry{}
	for _, p := range watched {
		m, ok := s.trapsMountAt(t, name, p)
		require.True(t, ok, "%s is a mount", p)
		before[p] = m
	}
	denials := s.trapsDenials(t, id)
	attempts := [][]string{
		{"clone-move", "/proc/keys", "/mnt/f"},             // open_tree(OPEN_TREE_CLONE) + move_mount
		{"move", "/proc/timer_list", "/mnt/f"},             // open_tree (the mount itself) + move_mount
		{"setattr-rw", "/proc/bus"},                        // mount_setattr clearing MOUNT_ATTR_RDONLY
		{"clone-rw", "/proc/bus", "/mnt/d"},                // open_tree(CLONE) + mount_setattr + move_mount
		{"fsmount", "proc", "/mnt/np"},                     // fsopen("proc") + fsconfig + fsmount
		{"fsmount", "tmpfs", "/mnt/nt"},                    // even a harmless new filesystem
		{"fspick-rw", "/proc/bus"},                         // fspick + fsconfig(rw) + reconfigure
		{"fspick-rw", "/sys/firmware"},                     // the same on a tmpfs mask
		{"in-newns", "clone-move", "/proc/keys", "/mnt/f"}, // from a mount namespace of its own
	}
	for _, a := range attempts {
		assert.Equal(t, "ERR ENOSYS", s.probe(t, name, a...), "probe %s", strings.Join(a, " "))
	}
	for _, p := range watched {
		s.trapsRequireUnchanged(t, name, p, before[p])
	}
	for _, mp := range []string{"/mnt/f", "/mnt/d", "/mnt/np", "/mnt/nt"} {
		_, ok := s.trapsMountAt(t, name, mp)
		assert.False(t, ok, "nothing was mounted at %s", mp)
	}
	s.trapsRequireMasked(t, name, "/proc/keys")
	s.trapsRequireMasked(t, name, "/proc/timer_list")
	assert.Equal(t, denials, s.trapsDenials(t, id), "the filter answers ENOSYS itself: no audit line")
}

// TestTrapsBindShowsNoMaskedPath: a non-recursive bind of /proc or /sys
// (which the kernel would make without the masks below) is made recursive
// by the supervisor: the bind hides what the originals hide.
func TestTrapsBindShowsNoMaskedPath(t *testing.T) {
	s := setup(t)
	name, _ := s.trapsStart(t, "")
	s.trapsSh(t, name, "mkdir -p /mnt/p2 /mnt/p3 /mnt/s2 && mount --bind /proc /mnt/p2 && mount --bind /sys /mnt/s2")
	assert.Equal(t, "OK", s.probe(t, name, "mount", "/proc", "/mnt/p3", "-", "bind"), "mount(/proc, /mnt/p3, MS_BIND)")
	for _, dir := range []string{"/mnt/p2", "/mnt/p3"} {
		s.trapsRequireMasked(t, name, dir+"/keys")
		s.trapsRequireMasked(t, name, dir+"/timer_list")
		bus, ok := s.trapsMountAt(t, name, dir+"/bus")
		if assert.True(t, ok, "%s/bus is a mount (the read-only path came along)", dir) {
			assert.True(t, hasOption(bus.Options, "ro"), "%s/bus is read-only: %+v", dir, bus)
		}
		assert.Equal(t, "ERR EPERM", s.probe(t, name, "umount", dir+"/keys"), "the mask in the bind cannot be unmounted")
	}
	fw, ok := s.trapsMountAt(t, name, "/mnt/s2/firmware")
	if assert.True(t, ok, "/mnt/s2/firmware is masked") {
		assert.Equal(t, "tmpfs", fw.FSType, "%+v", fw)
	}
	assert.Empty(t, s.trapsSh(t, name, "ls -A /mnt/s2/firmware"), "/mnt/s2/firmware is empty")

	// the container's own binds are its own to undo (with what came along)
	s.trapsSh(t, name, "umount /mnt/p2 && umount /mnt/p3 && umount /mnt/s2")
	assert.Empty(t, trapsMountsUnder(s.containerMounts(t, name), "/mnt"), "nothing left under /mnt")
	s.trapsRequireMasked(t, name, "/proc/keys")
}
