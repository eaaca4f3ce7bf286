package runtime

import (
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdjustFeatures(t *testing.T) {
	f := features.Features{Linux: &features.Linux{Namespaces: []string{"pid", "user"}}}
	AdjustFeatures(&f, "1.2.3")
	assert.Equal(t, []string{"pid", "user", "cgroup"}, f.Linux.Namespaces)
	require.NotNil(t, f.Linux.MountExtensions)
	require.NotNil(t, f.Linux.MountExtensions.IDMap)
	assert.True(t, *f.Linux.MountExtensions.IDMap.Enabled)
	assert.Equal(t, "1.2.3", f.Annotations["io.sysbox-lite.version"])
	var empty features.Features
	AdjustFeatures(&empty, "v")
	assert.Equal(t, []string{"user", "cgroup"}, empty.Linux.Namespaces)
}
