package cgroups

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModifierAddsHookOnce(t *testing.T) {
	other := specs.Hook{Path: "/usr/bin/other", Args: []string{"other"}}
	spec := &specs.Spec{Hooks: &specs.Hooks{CreateRuntime: []specs.Hook{other}}}
	m := NewModifier("/usr/local/bin/sysbox-lite", 1048576, 1048577)
	require.NoError(t, m.Modify(spec))
	require.NoError(t, m.Modify(spec)) // idempotent
	require.Len(t, spec.Hooks.CreateRuntime, 2)
	assert.Equal(t, other, spec.Hooks.CreateRuntime[0])
	h := spec.Hooks.CreateRuntime[1]
	assert.Equal(t, "/usr/local/bin/sysbox-lite", h.Path)
	assert.Equal(t, []string{"sysbox-lite", HookCommand, "1048576", "1048577"}, h.Args)
	require.NotNil(t, h.Timeout)
}

func TestModifierNoSpecHooks(t *testing.T) {
	spec := &specs.Spec{}
	require.NoError(t, NewModifier("/x/sysbox-lite", 1, 2).Modify(spec))
	require.Len(t, spec.Hooks.CreateRuntime, 1)
}

func TestModifierDisabled(t *testing.T) {
	spec := &specs.Spec{}
	require.NoError(t, Modifier{}.Modify(spec))
	assert.Nil(t, spec.Hooks)
}
