package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckHelp(t *testing.T) {
	app := newApp()
	var out bytes.Buffer
	app.Writer = &out
	require.NoError(t, app.Run([]string{"sysbox-lite", "check", "--help"}))
	for _, want := range []string{"sysbox-lite [--sysbox-config FILE] check [--json]", "--docker-config", "--containerd-config", "The exit status is 1 when anything required is\n   missing", "subid pool", "seccomp notify"} {
		assert.Contains(t, out.String(), want)
	}

	out.Reset()
	require.NoError(t, app.Run([]string{"sysbox-lite", "--help"}))
	assert.Contains(t, out.String(), "check       tell whether this host can run sysbox-lite")
}
