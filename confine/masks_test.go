package confine

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMasksWhenTheSpecHasNone(t *testing.T) {
	for _, s := range []*specs.Spec{{}, {Linux: &specs.Linux{}}, loadSpec(t, "docker-privileged"), loadSpec(t, "ctr-privileged")} {
		require.NoError(t, NewMasks().Modify(s))
		assert.Equal(t, maskedPaths, s.Linux.MaskedPaths)
		assert.Equal(t, []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"}, s.Linux.ReadonlyPaths)
		assert.NotContains(t, s.Linux.ReadonlyPaths, "/proc/sys", "namespaced sysctls stay writable; the kernel refuses the others")
	}
}

func TestMasksKeepTheSpecsOwnFirst(t *testing.T) {
	s := loadSpec(t, "ctr-default")
	require.NoError(t, NewMasks().Modify(s))
	assert.Equal(t, []string{
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
		"/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
		"/sys/kernel/security", "/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/config",
	}, s.Linux.MaskedPaths)
	assert.Equal(t, []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}, s.Linux.ReadonlyPaths,
		"the spec's read-only /proc/sys stays")
}

func TestMasksExtraEntriesNoDuplicates(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{
		MaskedPaths:   []string{"/proc/mine", "/proc/kcore", "/proc/mine", "/proc/kcore/"},
		ReadonlyPaths: []string{"/proc/bus", "/proc/other"},
	}}
	require.NoError(t, NewMasks().Modify(s))
	assert.Equal(t, append([]string{"/proc/mine", "/proc/kcore"}, without(maskedPaths, "/proc/kcore")...), s.Linux.MaskedPaths)
	assert.Equal(t, []string{"/proc/bus", "/proc/other", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"}, s.Linux.ReadonlyPaths)

	again := *s.Linux
	require.NoError(t, NewMasks().Modify(s))
	assert.Equal(t, again, *s.Linux, "idempotent")
}

func without(list []string, drop string) []string {
	var out []string
	for _, x := range list {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

func TestMasksRealSpecs(t *testing.T) {
	for _, name := range realSpecs {
		s := loadSpec(t, name)
		require.NoError(t, NewMasks().Modify(s))
		for _, p := range maskedPaths {
			assert.Contains(t, s.Linux.MaskedPaths, p, name)
		}
		for _, p := range readonlyPaths {
			assert.Contains(t, s.Linux.ReadonlyPaths, p, name)
		}
	}
}
