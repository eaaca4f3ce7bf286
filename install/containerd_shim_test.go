package install

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var shimEntry = containerdEntry{shim: true, binary: bin}

func TestContainerdShimBlockText(t *testing.T) {
	out, _, err := addContainerdEntry([]byte(containerdV3), true, "sysbox-lite", shimEntry)
	require.NoError(t, err)
	assert.Equal(t, containerdV3+`
# BEGIN sysbox-lite (managed by sysbox-lite-install)
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.sysbox-lite]
  runtime_type = "io.containerd.sysbox-lite.v2"
# END sysbox-lite
`, string(out))
}

func TestContainerdShimRoundTrip(t *testing.T) {
	for name, tc := range map[string]struct{ in, plugin string }{
		"v2 (Debian 12)": {containerdV2, "io.containerd.grpc.v1.cri"},
		"v3":             {containerdV3, "io.containerd.cri.v1.runtime"},
	} {
		t.Run(name, func(t *testing.T) {
			out, _, err := addContainerdEntry([]byte(tc.in), true, "sysbox-lite", shimEntry)
			require.NoError(t, err)
			rt := runtimeTable(t, out, tc.plugin)
			assert.Equal(t, map[string]any{"runtime_type": ShimRuntimeType}, rt, "no options: the shim finds sysbox-lite itself")

			// switching the entry replaces the block in place, both ways
			runc, _, err := addContainerdRuntime(out, true, "sysbox-lite", bin)
			require.NoError(t, err)
			assert.Equal(t, "io.containerd.runc.v2", runtimeTable(t, runc, tc.plugin)["runtime_type"])
			again, _, err := addContainerdEntry(runc, true, "sysbox-lite", shimEntry)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again))

			back, removed, err := removeContainerdRuntime(out)
			require.NoError(t, err)
			assert.True(t, removed)
			assert.Equal(t, tc.in, string(back))
		})
	}
}

func TestContainerdShimCheck(t *testing.T) {
	withOpts := containerdV3 + `[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.sysbox-lite]
  runtime_type = "io.containerd.sysbox-lite.v2"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.sysbox-lite.options]
    BinaryName = "/x"
`
	err := checkContainerdRuntime([]byte(withOpts), "io.containerd.cri.v1.runtime", "sysbox-lite", shimEntry, false)
	assert.ErrorContains(t, err, "want none")
	err = checkContainerdRuntime([]byte(withOpts), "io.containerd.cri.v1.runtime", "sysbox-lite", containerdEntry{binary: "/x"}, false)
	assert.ErrorContains(t, err, "runtime_type is io.containerd.sysbox-lite.v2, want io.containerd.runc.v2")
}

func TestInstallContainerdShimStep(t *testing.T) {
	o, out, _ := testOptions(t)
	o.ContainerdShim = ShimSysboxLite
	writeFile(t, o.ContainerdConfig, containerdV3)
	require.NoError(t, installContainerd(o))
	assert.Contains(t, out.String(), "containerd: warning: "+o.ShimPath())
	assert.Contains(t, out.String(), "(config version 3, runtime_type io.containerd.sysbox-lite.v2)")
	assert.True(t, strings.HasSuffix(readFile(t, o.ContainerdConfig), "  runtime_type = \"io.containerd.sysbox-lite.v2\"\n# END sysbox-lite\n"))

	writeFile(t, o.ShimPath(), "#!/bin/sh\n")
	out.Reset()
	require.NoError(t, installContainerd(o))
	assert.NotContains(t, out.String(), "warning")
	assert.Contains(t, out.String(), "already has runtime")

	o.ContainerdShim = "crun"
	assert.ErrorContains(t, o.Validate(), `--containerd-shim "crun" must be runc or sysbox-lite`)
}
