//go:build linux

package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trapsViewAttacks are made from another view of the container's mounts
// (a mount namespace of its own, a chroot, a pivot_root): each must fail
// as it does from the container's own view. /proc is, in each view, a copy
// of the container's /proc with its masks.
var trapsViewAttacks = []struct {
	args []string
	want string
}{
	{[]string{"umount", "/proc/keys"}, "ERR EPERM"},
	{[]string{"umount-detach", "/proc/timer_list"}, "ERR EPERM"},
	{[]string{"umount", "/proc/bus"}, "ERR EPERM"},
	{[]string{"remount-rw", "/proc/bus"}, "ERR EPERM"},
	{[]string{"remount-sb-rw", "/proc/irq"}, "ERR EPERM"},
	{[]string{"mount", "/proc/keys", "/proc/timer_list", "-", "move"}, "ERR EPERM"},
	{[]string{"clone-move", "/proc/keys", "/proc/timer_list"}, "ERR ENOSYS"},
	{[]string{"setattr-rw", "/proc/bus"}, "ERR ENOSYS"},
	{[]string{"fspick-rw", "/proc/bus"}, "ERR ENOSYS"},
}

// trapsViewChecks are what must still hold in the view after the attacks.
func (s *suite) trapsViewChecks(t *testing.T, name string, prefix []string) {
	t.Helper()
	for _, p := range []string{"/proc/keys", "/proc/timer_list"} {
		got, data := s.probeLines(t, name, append(append([]string{}, prefix...), "read", p)...)
		require.Equal(t, "OK", got, "read %s", p)
		assert.Equal(t, "0 bytes", data[0], "%s reads as empty in the view: %v", p, data)
	}
}

// TestTrapsOtherViews: unshare(CLONE_NEWNS), chroot into a directory with
// an rbind of /proc, and pivot_root into a new root with a bind of /proc:
// the same attacks fail, with the same errno (the container's own copies of
// its initial mounts, in any namespace, are protected by what they are).
func TestTrapsOtherViews(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "")
	s.trapsSh(t, name, "mkdir -p /c/proc /c/bin /c/mnt && mount --rbind /proc /c/proc && cp /bin/busybox /c/bin/")
	views := []struct {
		name   string
		prefix []string
	}{
		{"unshare", []string{"in-newns"}},
		{"chroot-rbind", []string{"in-chroot", "/c"}},
		{"pivot-root-bind", []string{"in-pivot", "/newroot"}},
	}
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			for _, a := range trapsViewAttacks {
				args := append(append([]string{}, v.prefix...), a.args...)
				assert.Equal(t, a.want, s.probe(t, name, args...), "probe %s", strings.Join(args, " "))
			}
			s.trapsViewChecks(t, name, v.prefix)
		})
	}
	s.trapsRequireDenied(t, id, `umount2("/proc/keys", 0x0)`)

	t.Run("busybox", func(t *testing.T) {
		for _, script := range []string{
			"unshare -m umount /proc/keys",
			"unshare -m umount -l /proc",
			"unshare -m mount -o remount,rw /proc/bus",
			"chroot /c /bin/busybox umount /proc/keys",
			"chroot /c /bin/busybox mount -o remount,bind,rw /proc/bus",
		} {
			r := s.docker(t, "exec", name, "sh", "-c", script)
			assert.NotZero(t, r.Code, "%s must fail: %s", script, r)
			assert.Regexp(t, `Operation not permitted|permission denied`, r.Stderr, "%s: %s", script, r)
		}
		assert.Equal(t, "0", s.trapsSh(t, name, "chroot /c /bin/busybox wc -c < /c/proc/keys"), "/proc/keys in the chroot is masked")
	})

	// the container's own views stay its own: the rbind it made can go
	// (with the masks in it: nothing below becomes visible)
	s.trapsSh(t, name, "umount /c/proc")
	s.trapsRequireMasked(t, name, "/proc/keys")
}

// TestTrapsNewProcInChrootMasked: a procfs mounted from a root without
// /dev/null (a chroot, a pivot_root into a bare tmpfs) must still get the
// container's masks — or not be mounted at all. Found: the mount stays,
// unmasked, while the caller is told ENOENT (sysbox-lite bug, see the
// report of issue #4).
func TestTrapsNewProcInChrootMasked(t *testing.T) {
	s := setup(t)
	name, _ := s.trapsStart(t, "")
	s.trapsSh(t, name, "mkdir -p /bare/proc")
	got := s.probe(t, name, "in-chroot", "/bare", "mount", "proc", "/proc", "proc", "0")
	t.Logf("mount(proc) in a chroot without /dev/null: %s", got)
	mounts := trapsMountsUnder(s.containerMounts(t, name), "/bare/proc")
	if got != "OK" {
		assert.Empty(t, mounts, "the call failed (%s), so nothing may be left mounted; left: %+v", got, mounts)
	}
	if len(mounts) > 0 {
		for _, p := range []string{"/bare/proc/keys", "/bare/proc/timer_list"} {
			m, ok := findMount(mounts, p)
			assert.True(t, ok, "%s is masked (a mount over it); mounts there: %+v", p, mounts)
			if ok {
				assert.Equal(t, "/null", m.Root, "%s is masked by /dev/null: %+v", p, m)
			}
			got, data := s.probeLines(t, name, "read", p)
			if got == "OK" {
				assert.Equal(t, "0 bytes", data[0], "%s must read as empty: %v", p, data)
			}
		}
		bus, ok := findMount(mounts, "/bare/proc/bus")
		if assert.True(t, ok, "/bare/proc/bus is a read-only mount of its own") {
			assert.True(t, hasOption(bus.Options, "ro"), "%+v", bus)
		}
		s.docker(t, "exec", name, "umount", "-l", "/bare/proc")
	}
}
