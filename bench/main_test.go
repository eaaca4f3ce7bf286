package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOptions(t *testing.T) {
	o, err := parseOptions(nil)
	require.NoError(t, err)
	assert.Equal(t, 30, o.Runs)
	assert.Equal(t, "bench/results", o.Out)
	assert.Equal(t, "README.md", o.Readme)
	assert.True(t, o.write)

	o, err = parseOptions([]string{"-only", "docker-run"})
	require.NoError(t, err)
	assert.False(t, o.write, "a partial run writes nothing by default")

	o, err = parseOptions([]string{"-only", "docker-run", "-out", "/tmp/x"})
	require.NoError(t, err)
	assert.True(t, o.write)
	assert.Empty(t, o.Readme, "a partial run never rewrites the README")

	_, err = parseOptions([]string{"-runs", "0"})
	assert.Error(t, err)
	_, err = parseOptions([]string{"extra"})
	assert.Error(t, err)
}

func TestMeasuresHaveUniqueIDsInTableOrder(t *testing.T) {
	o, err := parseOptions(nil)
	require.NoError(t, err)
	seen := map[string]bool{}
	var ids []string
	for _, m := range measures(o) {
		assert.False(t, seen[m.ID()], m.ID())
		seen[m.ID()] = true
		ids = append(ids, m.ID())
		assert.NotEmpty(t, m.Title())
		assert.NotEmpty(t, m.Goal())
	}
	assert.Equal(t, []string{"docker-run", "oci-lifecycle", "big-image", "syscall-loop", "trap", "proc-emulation", "shared-dir-io", "supervisor-rss", "concurrent"}, ids)

	sel, err := selectMeasures(measures(o), []string{"trap", "docker-run"})
	require.NoError(t, err)
	assert.Equal(t, "trap", sel[0].ID())
	_, err = selectMeasures(measures(o), []string{"nope"})
	assert.Error(t, err)
}
