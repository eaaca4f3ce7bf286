//go:build linux

package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTrapsControlRunc is the control of the trap tests: under plain runc
// (no user namespace, every capability but CAP_SYS_RESOURCE, no seccomp
// filter, no AppArmor profile) the container's root CAN unmount a mask,
// remount a read-only path read-write, and clone a mask away with
// open_tree + move_mount — so the refusals under sysbox-lite are its own.
// docker's masks stay in place here (no systempaths=unconfined: that would
// leave nothing to attack). The binds TestTrapsBindsLikeTheKernel expects
// work here too, as does a tmpfs in a nested user namespace.
func TestTrapsControlRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startControl(t, name, runcAllCaps, "sleep", "100000")
	s.mustDocker(t, "exec", name, "sh", "-c", "mkdir -p /mnt/d /mnt/e /mnt/fd-src /mnt/n && touch /mnt/f /mnt/f2 /mnt/nul")
	m, ok := findMount(s.containerMounts(t, name), "/proc/keys")
	if !ok {
		t.Skip("docker put no mask over /proc/keys in the control container: nothing to compare with")
	}
	t.Logf("runc: /proc/keys is masked by %+v", m)

	assert.Equal(t, "OK", s.probe(t, name, "clone-move", "/proc/keys", "/mnt/f"), "runc: open_tree(CLONE) + move_mount of the /proc/keys mask")
	assert.Equal(t, "OK", s.probe(t, name, "move", "/proc/timer_list", "/mnt/f2"), "runc: open_tree + move_mount moves the /proc/timer_list mask away")
	assert.Equal(t, "OK", s.probe(t, name, "umount", "/proc/keys"), "runc: umount of the /proc/keys mask")
	got, data := s.probeLines(t, name, "read", "/proc/keys")
	if assert.Equal(t, "OK", got) {
		t.Logf("runc: /proc/keys after the umount: %v", data)
	}
	assert.Equal(t, "OK", s.probe(t, name, "remount-rw", "/proc/bus"), "runc: remount rw of /proc/bus")
	bus, ok := findMount(s.containerMounts(t, name), "/proc/bus")
	if assert.True(t, ok) {
		assert.False(t, hasOption(bus.Options, "ro"), "runc: /proc/bus is read-write now: %+v", bus)
	}
	assert.Equal(t, "OK", s.probe(t, name, "setattr-rw", "/proc/irq"), "runc: mount_setattr clears ro on /proc/irq")

	// what TestTrapsBindsLikeTheKernel and TestTrapsMountsInNestedUserns expect
	r := s.docker(t, "exec", name, "sh", "-c", "exec 7</usr; probe mount /proc/self/fd/7 /mnt/fd-src - bind")
	assert.Equal(t, "OK", strings.TrimSpace(r.Stdout), "runc: bind from /proc/self/fd/7: %s", r)
	assert.Equal(t, "OK", s.probe(t, name, "mount", "/etc", "/mnt/e", "-", "bind"), "runc: mount --bind /etc")
	s.mustDocker(t, "exec", name, "mount", "--bind", "/dev/null", "/mnt/nul")
	assert.Equal(t, "OK", s.probe(t, name, "umount", "/mnt/nul"), "runc: umount of a bind of /dev/null")
	r = s.docker(t, "exec", name, "sh", "-c", "unshare -U -r -m sh -c 'mount -t tmpfs n /mnt/n && echo mounted'")
	assert.Equal(t, "mounted", strings.TrimSpace(r.Stdout), "runc: tmpfs in a nested user namespace: %s", r)
	r = s.docker(t, "exec", name, "unshare", "-U", "-r", "-m", "-p", "-f", "--mount-proc", "sh", "-c", "wc -c < /proc/keys")
	t.Logf("runc: unshare -U -r -m -p -f --mount-proc: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
}
