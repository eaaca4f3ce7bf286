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
