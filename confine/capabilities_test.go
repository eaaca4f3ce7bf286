package confine

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
)

// Capabilities act only inside the container's user namespace: none of the
// confinement rules takes any away, not even from --privileged (all 38/40).
func TestCapabilitiesUntouched(t *testing.T) {
	for _, name := range realSpecs {
		t.Run(name, func(t *testing.T) {
			s := loadSpec(t, name)
			want := *loadSpec(t, name).Process.Capabilities
			for _, m := range []interface {
				Modify(*specs.Spec) error
			}{
				NewNamespaces(audit.Discard{}, fakeIsHost),
				NewHostPaths(config.Default(), audit.Discard{}, fakeResolve),
				NewDevices(nil, audit.Discard{}, fakeDevices),
				NewMasks(),
				NewSeccomp(),
			} {
				require.NoError(t, m.Modify(s))
			}
			assert.Equal(t, want, *s.Process.Capabilities)
			if name == "docker-privileged" {
				assert.Contains(t, s.Process.Capabilities.Bounding, "CAP_SYS_ADMIN")
				assert.Len(t, s.Process.Capabilities.Effective, 38)
			}
		})
	}
}
