package fsemu

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testModifier() Modifier {
	return Modifier{FuseDir: "/run/s/KEY/fuse", Rootfs: "/run/s/KEY/rootfs", Self: "/usr/bin/sysbox-lite", Files: Files()}
}

func TestModifier(t *testing.T) {
	spec := &specs.Spec{
		Mounts: []specs.Mount{{Destination: "/proc", Type: "proc", Source: "proc"}, {Destination: "/proc/swaps", Type: "bind", Source: "/var/lib/lxcfs/proc/swaps"}},
		Linux:  &specs.Linux{ReadonlyPaths: []string{"/proc/bus"}, MaskedPaths: []string{"/proc/kcore"}},
		Hooks:  &specs.Hooks{CreateContainer: []specs.Hook{{Path: "/other"}}},
	}
	m := testModifier()
	require.NoError(t, m.Modify(spec))
	dests := map[string]specs.Mount{}
	for _, mt := range spec.Mounts {
		dests[mt.Destination] = mt
	}
	assert.Equal(t, specs.Mount{Destination: "/proc/meminfo", Type: "bind", Source: "/run/s/KEY/fuse/proc/meminfo",
		Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"}}, dests["/proc/meminfo"])
	assert.Equal(t, "/var/lib/lxcfs/proc/swaps", dests["/proc/swaps"].Source, "the spec's own mount there wins")
	assert.Contains(t, dests, "/sys/devices/system/cpu/online")
	assert.NotContains(t, dests, "/proc/sys/kernel/panic", "runc refuses it: the hook binds it")

	require.Len(t, spec.Hooks.CreateContainer, 2)
	assert.Equal(t, "/other", spec.Hooks.CreateContainer[0].Path, "the spec's hooks stay first")
	h := spec.Hooks.CreateContainer[1]
	assert.Equal(t, "/usr/bin/sysbox-lite", h.Path)
	assert.Equal(t, []string{"sysbox-lite", HookCommand, "/run/s/KEY/fuse", "/run/s/KEY/rootfs"}, h.Args[:4])
	assert.Contains(t, h.Args, "rw:/proc/sys/kernel/panic")
	assert.Contains(t, h.Args, "rw:/proc/sys/fs/file-max")
	require.NotNil(t, h.Timeout)

	// Idempotent.
	before := len(spec.Mounts)
	require.NoError(t, m.Modify(spec))
	assert.Len(t, spec.Mounts, before)
	assert.Len(t, spec.Hooks.CreateContainer, 2)
}

func TestModifierReadOnlyProcSys(t *testing.T) {
	spec := &specs.Spec{Linux: &specs.Linux{ReadonlyPaths: []string{"/proc/sys"}}}
	require.NoError(t, testModifier().Modify(spec))
	require.NotNil(t, spec.Hooks)
	assert.Contains(t, spec.Hooks.CreateContainer[0].Args, "ro:/proc/sys/kernel/panic", "read-only as the /proc/sys it covers")
}

func TestModifierMaskedAndDisabled(t *testing.T) {
	spec := &specs.Spec{Linux: &specs.Linux{MaskedPaths: []string{"/proc/sys"}}}
	require.NoError(t, testModifier().Modify(spec))
	assert.Nil(t, spec.Hooks, "nothing to bind under a masked /proc/sys")

	spec = &specs.Spec{}
	require.NoError(t, Modifier{}.Modify(spec))
	assert.Empty(t, spec.Mounts)
	assert.Nil(t, spec.Hooks)
}
