package runtime

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCgroupNamespaceAddedOnce(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}}}}
	require.NoError(t, CgroupNamespace{}.Modify(s))
	require.NoError(t, CgroupNamespace{}.Modify(s))
	assert.Equal(t, []specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.CgroupNamespace}}, s.Linux.Namespaces)
}

func TestCgroupNamespaceKeepsJoinedPath(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.CgroupNamespace, Path: "/proc/9/ns/cgroup"}}}}
	require.NoError(t, CgroupNamespace{}.Modify(s))
	assert.Equal(t, "/proc/9/ns/cgroup", s.Linux.Namespaces[0].Path)
	assert.Len(t, s.Linux.Namespaces, 1)
}

func TestPingGroupRange(t *testing.T) {
	for in, want := range map[string]string{
		"0 2147483647": "0 65535", // docker's default
		"0 0":          "0 0",
		"100 200":      "100 200",
		"1 0":          "1 0",
		"70000 80000":  "1 0",
		"5 70000":      "5 65535",
	} {
		s := &specs.Spec{Linux: &specs.Linux{Sysctl: map[string]string{"net.ipv4.ping_group_range": in, "net.ipv4.ip_forward": "1"}}}
		require.NoError(t, NewPingGroupRange(65536).Modify(s), in)
		assert.Equal(t, want, s.Linux.Sysctl["net.ipv4.ping_group_range"], in)
		assert.Equal(t, "1", s.Linux.Sysctl["net.ipv4.ip_forward"], "other sysctls untouched")
	}
}

func TestPingGroupRangeAbsentOrBad(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{}}
	require.NoError(t, NewPingGroupRange(65536).Modify(s))
	assert.Nil(t, s.Linux.Sysctl)
	for _, bad := range []string{"", "1", "a b", "1 2 3", "-1 5"} {
		s := &specs.Spec{Linux: &specs.Linux{Sysctl: map[string]string{"net.ipv4.ping_group_range": bad}}}
		assert.Error(t, NewPingGroupRange(65536).Modify(s), bad)
	}
}

type failing struct{}

func (failing) Name() string             { return "failing" }
func (failing) Modify(*specs.Spec) error { return assert.AnError }

func TestChainStopsAtFirstErrorAndNamesIt(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{}}
	err := Chain{failing{}, CgroupNamespace{}}.Modify(s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failing: ")
	assert.Empty(t, s.Linux.Namespaces, "later modifiers did not run")
}
