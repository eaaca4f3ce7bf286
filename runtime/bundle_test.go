package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSpecRejects(t *testing.T) {
	for name, tc := range map[string]struct{ json, want string }{
		"malformed":      {`{"ociVersion": `, "invalid config"},
		"unknown field":  {`{"ociVersion":"1.0.2","root":{"path":"r"},"process":{"cwd":"/"},"linux":{},"bogus":1}`, `unknown field "bogus"`},
		"nested unknown": {`{"ociVersion":"1.0.2","root":{"path":"r","x":1},"process":{"cwd":"/"},"linux":{}}`, `unknown field "x"`},
		"trailing":       {`{"ociVersion":"1.0.2","root":{"path":"r"},"process":{"cwd":"/"},"linux":{}} {}`, "trailing data"},
		"no root":        {`{"ociVersion":"1.0.2","process":{"cwd":"/"},"linux":{}}`, "root.path is missing"},
		"no process":     {`{"ociVersion":"1.0.2","root":{"path":"r"},"linux":{}}`, "process is missing"},
		"no linux":       {`{"ociVersion":"1.0.2","root":{"path":"r"},"process":{"cwd":"/"}}`, "linux section is missing"},
		"wrong type":     {`{"ociVersion":"1.0.2","root":{"path":7},"process":{"cwd":"/"},"linux":{}}`, "invalid config"},
		"huge":           {`{"ociVersion":"` + strings.Repeat("x", MaxConfigSize) + `"}`, "larger than"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeSpec([]byte(tc.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadAndFlushRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/docker-default.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600))
	spec, orig, err := LoadSpec(dir)
	require.NoError(t, err)
	assert.Equal(t, data, orig)
	spec.Hostname = "changed"
	require.NoError(t, FlushSpec(dir, spec))
	again, _, err := LoadSpec(dir)
	require.NoError(t, err)
	assert.Equal(t, "changed", again.Hostname)
}

func TestLoadSpecMissingBundle(t *testing.T) {
	_, _, err := LoadSpec(filepath.Join(t.TempDir(), "nope"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "open bundle config")
}
