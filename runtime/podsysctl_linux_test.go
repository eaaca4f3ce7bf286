package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

func TestPodSysctlPath(t *testing.T) {
	p, err := podSysctlPath("net.ipv4.ip_unprivileged_port_start")
	require.NoError(t, err)
	assert.Equal(t, "/proc/sys/net/ipv4/ip_unprivileged_port_start", p)
	for _, bad := range []string{"kernel.core_pattern", "net", "net..ipv4", "net.ipv4/../../kernel/core_pattern", "net.ipv4.conf.eth0/x", "net.\x00"} {
		_, err := podSysctlPath(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestPodSysctlValue(t *testing.T) {
	r := userns.Range{UID: 1048576, GID: 1114112, Size: 65536}
	for _, tc := range []struct{ key, in, want string }{
		{"net.ipv4.ip_unprivileged_port_start", "0", "0"},
		{pingGroupRange, "0 65535", "1114112 1179647"},
		{pingGroupRange, "0 2147483647", "1114112 1179647"},
		{pingGroupRange, "10 20", "1114122 1114132"},
		{pingGroupRange, "1 0", "1 0"},
		{pingGroupRange, "70000 80000", "1 0"},
	} {
		got, err := podSysctlValue(tc.key, tc.in, r)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s=%s", tc.key, tc.in)
	}
	_, err := podSysctlValue(pingGroupRange, "x", r)
	assert.Error(t, err)
}
