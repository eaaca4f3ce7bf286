package install

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// containerdV2 is Debian 12's /etc/containerd/config.toml.
const containerdV2 = `version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
`

const containerdV3 = `version = 3
root = "/var/lib/containerd"

[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "runc"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
`

// containerdV1 is what Docker's containerd.io package ships (no version).
const containerdV1 = `#   Copyright 2018-2022 Docker Inc.

disabled_plugins = ["cri"]

#root = "/var/lib/containerd"
`

const bin = "/usr/local/bin/sysbox-lite"

func runtimeTable(t *testing.T, data []byte, plugin string) map[string]any {
	t.Helper()
	var doc map[string]any
	_, err := toml.Decode(string(data), &doc)
	require.NoError(t, err)
	rt, ok := lookupTable(doc, runtimeKeys(plugin, "sysbox-lite")...)
	require.True(t, ok, "runtime table under %s", plugin)
	return rt
}

func TestContainerdRoundTrip(t *testing.T) {
	for name, tc := range map[string]struct {
		in, plugin string
		version    int64
	}{
		"v2":                      {containerdV2, "io.containerd.grpc.v1.cri", 2},
		"v3":                      {containerdV3, "io.containerd.cri.v1.runtime", 3},
		"v4 (containerd 2.4)":     {strings.Replace(containerdV3, "version = 3", "version = 4", 1), "io.containerd.cri.v1.runtime", 4},
		"v1 (no version)":         {containerdV1, "cri", 1},
		"empty":                   {"", "cri", 1},
		"ends in a blank line":    {containerdV2 + "\n", "io.containerd.grpc.v1.cri", 2},
		"crlf":                    {strings.ReplaceAll(containerdV2, "\n", "\r\n"), "io.containerd.grpc.v1.cri", 2},
		"runtimes table declared": {containerdV3 + "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes]\n", "io.containerd.cri.v1.runtime", 3},
	} {
		t.Run(name, func(t *testing.T) {
			out, c, err := addContainerdRuntime([]byte(tc.in), true, "sysbox-lite", bin)
			require.NoError(t, err)
			assert.Equal(t, tc.version, c.version)
			assert.True(t, strings.HasPrefix(string(out), tc.in), "the user's bytes are kept")
			rt := runtimeTable(t, out, tc.plugin)
			assert.Equal(t, "io.containerd.runc.v2", rt["runtime_type"])
			assert.Equal(t, map[string]any{"BinaryName": bin}, rt["options"])

			again, _, err := addContainerdRuntime(out, true, "sysbox-lite", bin)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again), "idempotent")

			back, removed, err := removeContainerdRuntime(out)
			require.NoError(t, err)
			assert.True(t, removed)
			assert.Equal(t, tc.in, string(back), "byte for byte")

			again, removed, err = removeContainerdRuntime(back)
			require.NoError(t, err)
			assert.False(t, removed)
			assert.Equal(t, tc.in, string(again))
		})
	}
}

func TestContainerdBlockText(t *testing.T) {
	out, _, err := addContainerdRuntime([]byte(containerdV2), true, "sysbox-lite", bin)
	require.NoError(t, err)
	assert.Equal(t, containerdV2+`
# BEGIN sysbox-lite (managed by sysbox-lite-install)
# containerd 1.x drops its built-in runc when a file names runtimes: keep it
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox-lite]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox-lite.options]
    BinaryName = "/usr/local/bin/sysbox-lite"
# END sysbox-lite
`, string(out))
}

func TestContainerdAbsentFile(t *testing.T) {
	out, c, err := addContainerdRuntime(nil, false, "sysbox-lite", bin)
	require.NoError(t, err)
	assert.Equal(t, int64(2), c.version)
	assert.True(t, strings.HasPrefix(string(out), containerdNewFile))
	runtimeTable(t, out, "io.containerd.grpc.v1.cri")

	back, _, err := removeContainerdRuntime(out)
	require.NoError(t, err)
	assert.Equal(t, containerdNewFile, string(back))
}

func TestContainerdMissingFinalNewline(t *testing.T) {
	in := strings.TrimSuffix(containerdV2, "\n")
	out, _, err := addContainerdRuntime([]byte(in), true, "sysbox-lite", bin)
	require.NoError(t, err)
	runtimeTable(t, out, "io.containerd.grpc.v1.cri")
	back, _, err := removeContainerdRuntime(out)
	require.NoError(t, err)
	assert.Equal(t, in+"\n", string(back), "only the final newline is added")
}

func TestContainerdBlockReplacedInPlace(t *testing.T) {
	out, _, err := addContainerdRuntime([]byte(containerdV2), true, "sysbox-lite", "/old/sysbox-lite")
	require.NoError(t, err)
	withTail := string(out) + "\n[plugins.\"io.containerd.internal.v1.tracing\"]\n  sampling_ratio = 1.0\n"

	updated, c, err := addContainerdRuntime([]byte(withTail), true, "sysbox-lite", bin)
	require.NoError(t, err)
	assert.True(t, c.blockPresent)
	assert.Equal(t, strings.Replace(withTail, "/old/sysbox-lite", bin, 1), string(updated))
}

func TestContainerdUserDefinedRuntimeLeftAlone(t *testing.T) {
	in := containerdV2 + `
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox-lite]
  runtime_type = "io.containerd.runc.v2"
`
	_, _, err := addContainerdRuntime([]byte(in), true, "sysbox-lite", bin)
	assert.ErrorIs(t, err, errUserDefined)

	// Another runtime name is fine.
	_, _, err = addContainerdRuntime([]byte(in), true, "sysbox-lite-2", bin)
	assert.NoError(t, err)
}

func TestContainerdErrors(t *testing.T) {
	block := containerdBlock("io.containerd.grpc.v1.cri", "sysbox-lite", containerdEntry{binary: bin}, true)
	for name, tc := range map[string]struct{ in, want string }{
		"invalid toml":        {"version = 2\n[plugins\n", "parse toml"},
		"unsupported version": {"version = 5\n", "unsupported containerd config version 5"},
		"version not integer": {"version = \"2\"\n", "not an integer"},
		"inline table":        {"version = 2\nplugins = { \"io.containerd.grpc.v1.cri\" = { containerd = { snapshotter = \"overlayfs\" } } }\n", "add this by hand"},
		"inline sub-table":    {containerdV2 + "  [plugins.\"io.containerd.grpc.v1.cri\".x]\n    containerd = { snapshotter = \"overlayfs\" }\n", "\"containerd\" is an inline table"},
		"begin without end":   {containerdV2 + containerdBegin + "\n", "without an end marker"},
		"end without begin":   {containerdV2 + containerdEnd + "\n", "without a begin marker"},
		"two blocks":          {containerdV2 + block + block, "more than one"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := addContainerdRuntime([]byte(tc.in), true, "sysbox-lite", bin)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, _, err := removeContainerdRuntime([]byte(containerdV2 + containerdBegin + "\n"))
	assert.Error(t, err)
}

func TestContainerdDottedKeysExtended(t *testing.T) {
	in := "version = 2\nplugins.\"io.containerd.grpc.v1.cri\".containerd.snapshotter = \"overlayfs\"\n"
	out, _, err := addContainerdRuntime([]byte(in), true, "sysbox-lite", bin)
	require.NoError(t, err)
	runtimeTable(t, out, "io.containerd.grpc.v1.cri")
}

func TestContainerdCRIDisabledNoted(t *testing.T) {
	_, c, err := addContainerdRuntime([]byte(containerdV1), true, "sysbox-lite", bin)
	require.NoError(t, err)
	assert.True(t, c.criDisabled)
}

func TestContainerdQuotesBinaryPath(t *testing.T) {
	odd := `/opt/my "bin"\dir/sysbox-lite`
	out, _, err := addContainerdRuntime([]byte(containerdV2), true, "sysbox-lite", odd)
	require.NoError(t, err)
	opts := runtimeTable(t, out, "io.containerd.grpc.v1.cri")["options"].(map[string]any)
	assert.Equal(t, odd, opts["BinaryName"])
}

func TestInstallContainerdSteps(t *testing.T) {
	o, out, _ := testOptions(t)

	// Absent file and directory.
	require.NoError(t, installContainerd(o))
	assert.Contains(t, out.String(), "containerd: created "+o.ContainerdConfig)
	assert.Contains(t, out.String(), "restart containerd")
	require.NoError(t, uninstallContainerd(o))
	assert.Equal(t, containerdNewFile, readFile(t, o.ContainerdConfig))

	// A user-defined runtime stays as it is, on install and uninstall.
	in := containerdV3 + "\n[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.sysbox-lite]\n  runtime_type = \"io.containerd.runc.v2\"\n"
	writeFile(t, o.ContainerdConfig, in)
	out.Reset()
	require.NoError(t, installContainerd(o))
	assert.Contains(t, out.String(), "already defines runtime \"sysbox-lite\" itself; left unchanged")
	require.NoError(t, uninstallContainerd(o))
	assert.Equal(t, in, readFile(t, o.ContainerdConfig))

	// An invalid file is an error and stays as it is.
	writeFile(t, o.ContainerdConfig, "version = 2\n[plugins\n")
	err := installContainerd(o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "left unchanged")
	assert.Equal(t, "version = 2\n[plugins\n", readFile(t, o.ContainerdConfig))

	// Absent file on uninstall: nothing to do, nothing created.
	require.NoError(t, os.Remove(o.ContainerdConfig))
	require.NoError(t, uninstallContainerd(o))
	assert.NoFileExists(t, o.ContainerdConfig)
}

// containerd 1.x replaces its built-in runtimes with the ones the file
// names: the block keeps runc defined where the file does not, so the CRI
// plugin still finds its default runtime (containerd 1.6 refuses to load it
// otherwise; the integration test TestContainerdInstallerConfig shows it).
func TestContainerdKeepsDefaultRunc(t *testing.T) {
	runcOf := func(t *testing.T, data []byte, plugin string) (map[string]any, bool) {
		t.Helper()
		var doc map[string]any
		_, err := toml.Decode(string(data), &doc)
		require.NoError(t, err)
		return lookupTable(doc, runtimeKeys(plugin, "runc")...)
	}
	for name, tc := range map[string]struct {
		in, plugin string
		added      bool
	}{
		"v2 without runc (Debian 12)":  {containerdV2, "io.containerd.grpc.v1.cri", true},
		"new file":                     {"", "io.containerd.grpc.v1.cri", true},
		"v1 without runc":              {containerdV1, "cri", true},
		"v2 default_runtime_name runc": {containerdV2 + "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  default_runtime_name = \"runc\"\n", "io.containerd.grpc.v1.cri", true},
		"v2 with its own runc":         {containerdV2 + "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n    SystemdCgroup = true\n", "io.containerd.grpc.v1.cri", false},
		"v2 with another default":      {containerdV2 + "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  default_runtime_name = \"crun\"\n", "io.containerd.grpc.v1.cri", false},
		"v3 (2.x keeps its runc)":      {"version = 3\n", "io.containerd.cri.v1.runtime", false},
	} {
		t.Run(name, func(t *testing.T) {
			out, c, err := addContainerdRuntime([]byte(tc.in), tc.in != "", "sysbox-lite", bin)
			require.NoError(t, err)
			assert.Equal(t, tc.added, c.needsRunc)
			_, hadRunc := runcOf(t, []byte(tc.in), tc.plugin)
			rt, hasRunc := runcOf(t, out, tc.plugin)
			assert.Equal(t, tc.added || hadRunc, hasRunc)
			if tc.added {
				assert.Equal(t, map[string]any{"runtime_type": "io.containerd.runc.v2"}, rt)
			}
			again, _, err := addContainerdRuntime(out, true, "sysbox-lite", bin)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again), "idempotent")
			if tc.in != "" {
				back, _, err := removeContainerdRuntime(out)
				require.NoError(t, err)
				assert.Equal(t, tc.in, string(back), "uninstall gives back the file")
			}
		})
	}
}
