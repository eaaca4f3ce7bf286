//go:build linux

package integration

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfineWorksUnderPrivileged: what --privileged is for keeps working
// inside sysbox-lite's confinement, on the container's own resources: a
// tmpfs mount, a sysctl of its own network namespace (the host's value stays
// as it was), a veth pair, a nested user namespace, /dev/fuse and
// /dev/net/tun.
func TestConfineWorksUnderPrivileged(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startDetached(t, name, []string{"--privileged"}, "sleep", "1000")
	sh := func(t *testing.T, script string) string {
		t.Helper()
		return s.mustDocker(t, "exec", name, "sh", "-c", script)
	}

	t.Run("tmpfs-mount", func(t *testing.T) {
		out := sh(t, "mkdir -p /mnt/t && mount -t tmpfs -o size=1m none /mnt/t && echo ok > /mnt/t/f && cat /mnt/t/f && grep -c ' /mnt/t tmpfs ' /proc/mounts && umount /mnt/t && echo unmounted")
		assert.Equal(t, "ok\n1\nunmounted", out)
	})

	t.Run("sysctl-own-netns", func(t *testing.T) {
		const path = "/proc/sys/net/ipv4/ip_forward"
		hostBefore, err := os.ReadFile(path)
		require.NoError(t, err)
		want := "1" // the opposite of the host's, so that a leak would show
		if strings.TrimSpace(string(hostBefore)) == "1" {
			want = "0"
		}
		out := sh(t, "sysctl -w net.ipv4.ip_forward="+want+" && cat "+path)
		assert.Equal(t, "net.ipv4.ip_forward = "+want+"\n"+want, out, "the container sets its own net.ipv4.ip_forward")
		hostAfter, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, string(hostBefore), string(hostAfter), "the host's net.ipv4.ip_forward is unchanged")
	})

	t.Run("veth-pair", func(t *testing.T) {
		assert.Equal(t, "OK", s.probe(t, name, "veth", "sblveth0", "sblveth1"), "create a veth pair")
		out := sh(t, "ip -o link show sblveth0 && ip -o link show sblveth1")
		assert.Contains(t, out, "sblveth0@sblveth1")
		assert.Contains(t, out, "sblveth1@sblveth0")
		_, err := os.Stat("/sys/class/net/sblveth0")
		assert.True(t, os.IsNotExist(err), "the pair is not in the host's network namespace (%v)", err)
	})

	t.Run("nested-user-namespace", func(t *testing.T) {
		own := sh(t, "readlink /proc/self/ns/user")
		out := sh(t, "unshare -U -r sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user'")
		lines := strings.Split(out, "\n")
		require.Len(t, lines, 3, "output %q", out)
		assert.Equal(t, "0", lines[0], "root in the nested user namespace")
		assert.Equal(t, "0 0 1", strings.Join(strings.Fields(lines[1]), " "), "the nested namespace maps the container's root")
		assert.NotEqual(t, own, lines[2], "a new user namespace, below the container's")
	})

	t.Run("dev-fuse", func(t *testing.T) {
		if !hostHas("/dev/fuse", 10, 229) {
			t.Skip("the host has no /dev/fuse")
		}
		assert.Equal(t, "OK", s.probe(t, name, "open", "/dev/fuse"), "/dev/fuse opens")
		got, _ := s.probeLines(t, name, "read", "/dev/fuse")
		assert.Equal(t, "ERR EPERM", got, "the FUSE device answers (EPERM: no mount attached)")
	})

	t.Run("dev-net-tun", func(t *testing.T) {
		if !hostHas("/dev/net/tun", 10, 200) {
			t.Skip("the host has no /dev/net/tun")
		}
		out := sh(t, "tunctl -t sbltap0 >/dev/null && ip -o link show sbltap0 && tunctl -d sbltap0 >/dev/null && echo deleted")
		assert.Contains(t, out, "sbltap0:", "a TAP device is created through /dev/net/tun")
		assert.True(t, strings.HasSuffix(out, "deleted"), "and deleted: %q", out)
	})
}
