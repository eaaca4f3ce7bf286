package install

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInspectDockerConfig(t *testing.T) {
	c, err := InspectDockerConfig(nil, "sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, DockerConfig{}, c, "an empty file")

	out, _, err := addDockerRuntime([]byte(utf8BOM+`{"graph": "/old", "data-root": "/srv/docker", "runtimes": {"other": {"path": "/x"}}}`), "sysbox-lite", bin)
	require.NoError(t, err)
	c, err = InspectDockerConfig(out, "sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, "/srv/docker", c.DataRoot, "data-root wins over graph")
	require.NotNil(t, c.Runtime)
	assert.Equal(t, bin, c.Runtime.Path)

	c, err = InspectDockerConfig([]byte(`{"graph": "/old", "runtimes": {"sysbox-lite": {"path": "/b", "runtimeArgs": ["--sysbox-config", "/c.toml"]}}}`), "sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, "/old", c.DataRoot)
	assert.Equal(t, &DockerRuntime{Path: "/b", Args: []string{"--sysbox-config", "/c.toml"}}, c.Runtime)

	c, err = InspectDockerConfig([]byte(`{"runtimes": {"other": {"path": "/x"}}}`), "sysbox-lite")
	require.NoError(t, err)
	assert.Nil(t, c.Runtime)

	for _, bad := range []string{`{`, `[]`, `{"runtimes": []}`, `{"data-root": 1}`} {
		_, err := InspectDockerConfig([]byte(bad), "sysbox-lite")
		assert.Error(t, err, bad)
	}
}

func TestInspectContainerdConfig(t *testing.T) {
	c, err := InspectContainerdConfig([]byte(containerdV2), "sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, ContainerdConfig{Version: 2}, c, "Debian's file: no runtime")

	for name, tc := range map[string]struct {
		in      string
		entry   containerdEntry
		version int64
		table   string
	}{
		"v2 runc shim": {containerdV2, containerdEntry{binary: bin}, 2, `plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox-lite`},
		"v3 our shim":  {containerdV3, containerdEntry{shim: true}, 3, `plugins."io.containerd.cri.v1.runtime".containerd.runtimes.sysbox-lite`},
		"v1":           {containerdV1, containerdEntry{binary: bin}, 1, `plugins.cri.containerd.runtimes.sysbox-lite`},
	} {
		t.Run(name, func(t *testing.T) {
			out, _, err := addContainerdEntry([]byte(tc.in), true, "sysbox-lite", tc.entry)
			require.NoError(t, err)
			c, err := InspectContainerdConfig(out, "sysbox-lite")
			require.NoError(t, err)
			assert.Equal(t, tc.version, c.Version)
			require.NotNil(t, c.Runtime)
			assert.True(t, c.Runtime.Managed)
			assert.Equal(t, tc.table, c.Runtime.Table)
			assert.Equal(t, tc.entry.runtimeType(), c.Runtime.RuntimeType)
			assert.Equal(t, tc.entry.shim, c.Runtime.Shim)
			assert.Equal(t, tc.entry.binary, c.Runtime.BinaryName)
		})
	}

	c, err = InspectContainerdConfig([]byte(containerdV3), "sysbox-lite")
	require.NoError(t, err)
	assert.Equal(t, "/var/lib/containerd", c.Root)

	c, err = InspectContainerdConfig([]byte(containerdV1), "sysbox-lite")
	require.NoError(t, err)
	assert.True(t, c.CRIDisabled)

	byHand := containerdV2 + "\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.sysbox-lite]\n  runtime_type = \"io.containerd.runc.v2\"\n"
	c, err = InspectContainerdConfig([]byte(byHand), "sysbox-lite")
	require.NoError(t, err)
	require.NotNil(t, c.Runtime)
	assert.False(t, c.Runtime.Managed, "defined by hand")
	assert.Empty(t, c.Runtime.BinaryName)

	for _, bad := range []string{"version = 9\n", "version = \"2\"\n", "[x\n"} {
		_, err := InspectContainerdConfig([]byte(bad), "sysbox-lite")
		assert.Error(t, err, bad)
	}
}
