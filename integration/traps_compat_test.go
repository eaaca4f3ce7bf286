//go:build linux

package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrapsCompatABI: the same rules hold for a 32-bit x86 process (the
// compat syscall table, whose numbers differ from x86_64's, and which has
// the old umount(2) as well): umount and umount2 of a mask are EPERM, a
// tmpfs mounts and unmounts, open_tree is ENOSYS.
func TestTrapsCompatABI(t *testing.T) {
	s := setup(t)
	dir := s.trapsProbe386Dir(t)
	name, id := s.trapsStart(t, "", "-v", dir+":/p386:ro")
	r := s.docker(t, "exec", name, "/p386/probe386", "read", "/proc/keys")
	if r.Code != 0 && strings.Contains(r.Stderr+r.Stdout, "exec format error") {
		t.Skipf("this kernel runs no 32-bit x86 programs (no IA32 emulation): %s", r)
	}
	require.Equal(t, "OK\n0 bytes", strings.TrimSpace(r.Stdout), "the 32-bit probe runs and /proc/keys is masked: %s", r)
	p386 := func(args ...string) string {
		t.Helper()
		r := s.docker(t, append([]string{"exec", name, "/p386/probe386"}, args...)...)
		out := strings.TrimSpace(r.Stdout)
		require.Regexp(t, probeOutput, out, "probe386 %v: %s", args, r)
		return out
	}

	for _, p := range []string{"/proc/keys", "/proc/bus", "/proc"} {
		assert.Equal(t, "ERR EPERM", p386("umount2", p), "i386 umount2 %s", p)
		assert.Equal(t, "ERR EPERM", p386("umount", p), "i386 umount %s", p)
	}
	s.trapsRequireDenied(t, id, `umount2("/proc/keys", 0x0)`)
	assert.Equal(t, "ERR ENOSYS", p386("open-tree", "/proc/keys"), "i386 open_tree")

	s.trapsSh(t, name, "mkdir -p /mnt/t32")
	for _, um := range []string{"umount", "umount2"} {
		assert.Equal(t, "OK", p386("mount-tmpfs", "/mnt/t32"), "i386 mount of a tmpfs")
		m, ok := s.trapsMountAt(t, name, "/mnt/t32")
		if assert.True(t, ok, "the tmpfs is mounted") {
			assert.Equal(t, "tmpfs", m.FSType)
		}
		assert.Equal(t, "OK", p386(um, "/mnt/t32"), "i386 %s of the container's tmpfs", um)
		_, ok = s.trapsMountAt(t, name, "/mnt/t32")
		assert.False(t, ok, "the tmpfs is gone after %s", um)
	}
	s.trapsRequireMasked(t, name, "/proc/keys")
}
