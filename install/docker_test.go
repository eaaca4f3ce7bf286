package install

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func itoa(i int) string { return strconv.Itoa(i) }

const daemonJSON = `{
  "log-driver": "json-file",
  "log-opts": {"max-size": "10m", "max-file": "3"},
  "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}},
  "big": 123456789012345678901234567890,
  "float": 1.50e3,
  "html": "<a & b>",
  "runtimes": {
    "nvidia": {"path": "nvidia-container-runtime", "runtimeArgs": ["--debug"]},
    "crun": {"path": "/usr/bin/crun"}
  },
  "features": {"buildkit": true}
}`

// semantic decodes JSON for comparison, keeping numbers verbatim.
func semantic(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

func TestAddDockerRuntimeKeepsEverythingElse(t *testing.T) {
	out, change, err := addDockerRuntime([]byte(daemonJSON), "sysbox-lite", "/usr/local/bin/sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, dockerAdded, change)

	want := semantic(t, []byte(daemonJSON)).(map[string]any)
	want["runtimes"].(map[string]any)["sysbox-lite"] = map[string]any{"path": "/usr/local/bin/sysbox-lite"}
	assert.Equal(t, want, semantic(t, out))

	s := string(out)
	assert.Contains(t, s, `"big": 123456789012345678901234567890`, "numbers are kept verbatim")
	assert.Contains(t, s, `"float": 1.50e3`)
	assert.Contains(t, s, `"html": "<a & b>"`, "no HTML escaping")
	assert.Less(t, strings.Index(s, `"log-driver"`), strings.Index(s, `"runtimes"`), "key order is kept")
	assert.Less(t, strings.Index(s, `"runtimes"`), strings.Index(s, `"features"`))
	assert.Less(t, strings.Index(s, `"crun"`), strings.Index(s, `"sysbox-lite"`), "new runtime goes last")
	assert.Equal(t, byte('\n'), out[len(out)-1])
}

func TestAddDockerRuntimeIdempotent(t *testing.T) {
	once, _, err := addDockerRuntime([]byte(daemonJSON), "sysbox-lite", "/usr/local/bin/sysbox-lite")
	require.NoError(t, err)
	twice, change, err := addDockerRuntime(once, "sysbox-lite", "/usr/local/bin/sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, dockerUnchanged, change)
	assert.Equal(t, string(once), string(twice))
}

func TestAddDockerRuntimeUpdatesPathKeepsArgs(t *testing.T) {
	in := `{"runtimes": {"sysbox-lite": {"path": "/old/sysbox-lite", "runtimeArgs": ["--debug"]}}}`
	out, change, err := addDockerRuntime([]byte(in), "sysbox-lite", "/usr/local/bin/sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, dockerUpdated, change)
	assert.Equal(t, map[string]any{"runtimes": map[string]any{"sysbox-lite": map[string]any{
		"path": "/usr/local/bin/sysbox-lite", "runtimeArgs": []any{"--debug"},
	}}}, semantic(t, out))
}

func TestAddDockerRuntimeEmptyInputs(t *testing.T) {
	for name, in := range map[string]string{
		"nil": "", "blank": " \n\t", "empty object": "{}", "null runtimes": `{"runtimes": null}`,
		"byte order mark": "\xEF\xBB\xBF{}",
	} {
		t.Run(name, func(t *testing.T) {
			out, change, err := addDockerRuntime([]byte(in), "sysbox-lite", "/b/sysbox-lite")
			require.NoError(t, err)
			assert.Equal(t, dockerAdded, change)
			assert.Equal(t, "{\n  \"runtimes\": {\n    \"sysbox-lite\": {\n      \"path\": \"/b/sysbox-lite\"\n    }\n  }\n}\n", string(out))
		})
	}
}

func TestDockerRuntimeMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"syntax":             `{"log-driver": "json-file",}`,
		"truncated":          `{"runtimes": {`,
		"not an object":      `["runtimes"]`,
		"trailing data":      `{} {}`,
		"runtimes is string": `{"runtimes": "runc"}`,
		"runtime is string":  `{"runtimes": {"sysbox-lite": "/usr/bin/x"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := addDockerRuntime([]byte(in), "sysbox-lite", "/b/sysbox-lite")
			assert.Error(t, err)
			if name != "runtime is string" {
				_, _, err = removeDockerRuntime([]byte(in), "sysbox-lite")
				assert.Error(t, err)
			}
		})
	}
}

func TestRemoveDockerRuntimeRestoresOriginal(t *testing.T) {
	for name, in := range map[string]string{
		"other runtimes": daemonJSON,
		"no runtimes":    `{"debug": true, "storage-driver": "overlay2"}`,
		"empty":          `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			added, _, err := addDockerRuntime([]byte(in), "sysbox-lite", "/usr/local/bin/sysbox-lite")
			require.NoError(t, err)
			removed, change, err := removeDockerRuntime(added, "sysbox-lite")
			require.NoError(t, err)
			assert.Equal(t, dockerRemoved, change)
			assert.Equal(t, semantic(t, []byte(in)), semantic(t, removed))

			again, change, err := removeDockerRuntime(removed, "sysbox-lite")
			require.NoError(t, err)
			assert.Equal(t, dockerUnchanged, change)
			assert.Equal(t, string(removed), string(again))
		})
	}
}

func TestRemoveDockerRuntimeDropsDuplicates(t *testing.T) {
	in := `{"runtimes": {"sysbox-lite": {"path": "/a"}, "crun": {"path": "/c"}, "sysbox-lite": {"path": "/b"}}}`
	out, change, err := removeDockerRuntime([]byte(in), "sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, dockerRemoved, change)
	assert.Equal(t, map[string]any{"runtimes": map[string]any{"crun": map[string]any{"path": "/c"}}}, semantic(t, out))
}
