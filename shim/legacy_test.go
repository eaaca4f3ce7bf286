package shim

import (
	"testing"

	bootapi "github.com/containerd/containerd/api/runtime/bootstrap/v1"
	"github.com/containerd/containerd/api/types/runc/options"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// What containerd 1.6 runs: the flags before the action.
var oldStart = []string{"-namespace", "k8s.io", "-address", "/run/containerd/containerd.sock", "-publish-binary", "/usr/bin/containerd", "-id", "abc", "-debug", "start"}

func TestParseStartFlags(t *testing.T) {
	f, err := parseStartFlags(oldStart)
	require.NoError(t, err)
	assert.Equal(t, startFlags{namespace: "k8s.io", id: "abc", address: "/run/containerd/containerd.sock",
		publishBinary: "/usr/bin/containerd", debug: true, action: "start"}, f)

	// the server (no action) and delete parse too
	f, err = parseStartFlags([]string{"-namespace", "n", "-id", "x", "-address", "a", "-bundle", "/b", "delete"})
	require.NoError(t, err)
	assert.Equal(t, "delete", f.action)
	f, err = parseStartFlags([]string{"-namespace", "n", "-id", "x", "-address", "a"})
	require.NoError(t, err)
	assert.Empty(t, f.action)

	_, err = parseStartFlags([]string{"-no-such-flag", "start"})
	assert.Error(t, err, "left to the shim package to report")
}

func TestIsBootstrap(t *testing.T) {
	f, err := parseStartFlags(oldStart)
	require.NoError(t, err)
	params, err := proto.Marshal(&bootapi.BootstrapParams{InstanceID: "abc", Namespace: "k8s.io", ContainerdGrpcAddress: "/s"})
	require.NoError(t, err)
	assert.True(t, isBootstrap(params, f), "containerd >= 2.3")

	other, err := proto.Marshal(&bootapi.BootstrapParams{InstanceID: "other", Namespace: "k8s.io"})
	require.NoError(t, err)
	assert.False(t, isBootstrap(other, f), "another shim's parameters")
	assert.False(t, isBootstrap(nil, f), "containerd < 2.3 without options")
	runcOpts, err := proto.Marshal(marshal(t, &options.Options{BinaryName: "/x"}))
	require.NoError(t, err)
	assert.False(t, isBootstrap(runcOpts, f), "containerd < 2.3 with runtime options")
}

func TestLegacyParams(t *testing.T) {
	f, err := parseStartFlags(oldStart)
	require.NoError(t, err)
	stdin, err := proto.Marshal(marshal(t, &options.Options{ShimCgroup: "/shims"}))
	require.NoError(t, err)
	p, err := legacyParams(f, "/run/containerd/containerd.sock.ttrpc", stdin)
	require.NoError(t, err)
	assert.Equal(t, "abc", p.GetInstanceID())
	assert.Equal(t, "k8s.io", p.GetNamespace())
	assert.Equal(t, "/run/containerd/containerd.sock", p.GetContainerdGrpcAddress())
	assert.Equal(t, "/run/containerd/containerd.sock.ttrpc", p.GetContainerdTtrpcAddress())
	assert.Equal(t, bootapi.LogLevel_LOG_LEVEL_DEBUG, p.GetLogLevel())
	var o options.Options
	found, err := p.FindExtension(&o)
	require.NoError(t, err)
	require.True(t, found, "the runtime options reach the runc manager (ShimCgroup)")
	assert.Equal(t, "/shims", o.GetShimCgroup())

	p, err = legacyParams(startFlags{namespace: "n", id: "i", address: "a"}, "", nil)
	require.NoError(t, err)
	assert.Empty(t, p.GetExtensions())
	assert.Equal(t, bootapi.LogLevel_LOG_LEVEL_INFO, p.GetLogLevel())

	_, err = legacyParams(startFlags{namespace: "n", id: "i"}, "", nil)
	assert.ErrorContains(t, err, "needs -namespace, -id and -address")
	_, err = legacyParams(startFlags{namespace: "n", id: "i", address: "a"}, "", []byte{0xff})
	assert.ErrorContains(t, err, "decode the runtime options on stdin")
}
