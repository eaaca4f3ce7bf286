package userns

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var r0 = Range{UID: 1048576, GID: 2097152, Size: 65536}

func TestModifierAddsNamespaceAndMappings(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}}}}
	require.NoError(t, NewModifier(r0).Modify(s))
	assert.Contains(t, s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	assert.Equal(t, []specs.LinuxIDMapping{{HostID: 1048576, Size: 65536}}, s.Linux.UIDMappings)
	assert.Equal(t, []specs.LinuxIDMapping{{HostID: 2097152, Size: 65536}}, s.Linux.GIDMappings)
	require.NoError(t, NewModifier(r0).Modify(s), "idempotent")
	assert.Len(t, s.Linux.Namespaces, 2)
}

func TestModifierRefusesJoinAndMismatch(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.UserNamespace, Path: "/proc/1/ns/user"}}}}
	assert.ErrorContains(t, NewModifier(r0).Modify(s), "/proc/1/ns/user")
	s = &specs.Spec{Linux: &specs.Linux{
		UIDMappings: []specs.LinuxIDMapping{{HostID: 300000, Size: 65536}},
		GIDMappings: []specs.LinuxIDMapping{{HostID: 300000, Size: 65536}},
	}}
	assert.ErrorContains(t, NewModifier(r0).Modify(s), "differ")
}

func TestRangeFromSpec(t *testing.T) {
	m := func(c, h, n uint32) []specs.LinuxIDMapping {
		return []specs.LinuxIDMapping{{ContainerID: c, HostID: h, Size: n}}
	}
	r, ok, err := RangeFromSpec(&specs.Spec{Linux: &specs.Linux{}})
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Zero(t, r)

	r, ok, err = RangeFromSpec(&specs.Spec{Linux: &specs.Linux{UIDMappings: m(0, 100000, 65536), GIDMappings: m(0, 200000, 65536)}})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, Range{UID: 100000, GID: 200000, Size: 65536}, r)

	for name, tc := range map[string]struct {
		uid, gid []specs.LinuxIDMapping
		want     string
	}{
		"host root":    {m(0, 0, 65536), m(0, 100000, 65536), "maps host ID 0"},
		"too small":    {m(0, 100000, 1000), m(0, 100000, 1000), "only 1000 IDs"},
		"offset":       {m(1, 100000, 65536), m(0, 100000, 65536), "starts at container ID 1"},
		"pieces":       {append(m(0, 100000, 65536), m(65536, 300000, 1)...), m(0, 100000, 65536), "2 pieces"},
		"gid missing":  {m(0, 100000, 65536), nil, "gid mapping is refused: it is missing"},
		"sizes differ": {m(0, 100000, 65536), m(0, 100000, 70000), "differ in size"},
		"past the end": {m(0, 4294967000, 65536), m(0, 100000, 65536), "past the last host ID"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := RangeFromSpec(&specs.Spec{Linux: &specs.Linux{UIDMappings: tc.uid, GIDMappings: tc.gid}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestModifierJoins(t *testing.T) {
	const pinned = "/run/sysbox-lite/c2.1234/ns/user"
	// docker: no user namespace in the spec
	s := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"}}}}
	require.NoError(t, NewModifier(r0, JoinNamespace(pinned)).Modify(s))
	assert.Equal(t, []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/proc/42/ns/net"}, {Type: specs.UserNamespace, Path: pinned}}, s.Linux.Namespaces)
	assert.Equal(t, []specs.LinuxIDMapping{{HostID: 1048576, Size: 65536}}, s.Linux.UIDMappings, "runc needs the mappings even when it joins")
	assert.Equal(t, []specs.LinuxIDMapping{{HostID: 2097152, Size: 65536}}, s.Linux.GIDMappings)
	require.NoError(t, NewModifier(r0, JoinNamespace(pinned)).Modify(s), "idempotent")
	assert.Len(t, s.Linux.Namespaces, 2)

	// a spec that joins by path itself (CRI with user namespaces), or asks
	// for a new one: the caller's path wins
	for _, path := range []string{"/proc/42/ns/user", ""} {
		s = &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.UserNamespace, Path: path}}}}
		require.NoError(t, NewModifier(r0, JoinNamespace(pinned)).Modify(s))
		assert.Equal(t, []specs.LinuxNamespace{{Type: specs.UserNamespace, Path: pinned}}, s.Linux.Namespaces)
	}

	// mappings that are not the joined range
	s = &specs.Spec{Linux: &specs.Linux{
		UIDMappings: []specs.LinuxIDMapping{{HostID: 300000, Size: 65536}},
		GIDMappings: []specs.LinuxIDMapping{{HostID: 300000, Size: 65536}},
	}}
	assert.ErrorContains(t, NewModifier(r0, JoinNamespace(pinned)).Modify(s), "differ")

	// an empty path is no option
	s = &specs.Spec{Linux: &specs.Linux{}}
	require.NoError(t, NewModifier(r0, JoinNamespace("")).Modify(s))
	assert.Equal(t, []specs.LinuxNamespace{{Type: specs.UserNamespace}}, s.Linux.Namespaces)
}
