//go:build linux

package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTrapsRefusalCache attacks the refusal cache (seccomp/refusals_linux.go:
// a repeated refusal is answered by unique mount ID, without the mount
// table). Once /etc/hostname's refusal is cached: the container's own binds
// of it at the same and at other paths still unmount (the cache never
// refuses another mount), /etc/hostname stays refused every time, a copy
// of it in a new mount namespace (a new mount, not cached yet) is refused
// too, and after the container's own bind is gone, /etc/hostname is still
// refused (never allowed by a stale entry).
func TestTrapsRefusalCache(t *testing.T) {
	s := setup(t)
	name, _ := s.trapsStart(t, "")
	out := s.trapsSh(t, name, `
refused=0; own=0; touch /mnt/hf
for i in $(seq 50); do
  umount /etc/hostname 2>/dev/null || refused=$((refused+1))
  mount --bind /etc/hostname /mnt/hf && umount /mnt/hf && own=$((own+1))
done
echo refused=$refused own=$own
# the same path: the container's own bind over /etc/hostname, then gone
mount --bind /etc/hostname /etc/hostname && umount /etc/hostname && echo stacked-own-unmounted
umount /etc/hostname 2>/dev/null || echo original-still-refused
unshare -m sh -c 'umount /etc/hostname 2>/dev/null || echo copy-refused'
`)
	assert.Contains(t, out, "refused=50 own=50", "every umount of the original refused, every own bind unmounted: %s", out)
	for _, want := range []string{"stacked-own-unmounted", "original-still-refused", "copy-refused"} {
		assert.True(t, strings.Contains(out, want), "%s: %s", want, out)
	}
	r := s.docker(t, "exec", name, "cat", "/etc/hostname")
	assert.Zero(t, r.Code, "/etc/hostname is still mounted: %s", r)
}
