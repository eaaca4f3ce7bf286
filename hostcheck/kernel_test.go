package hostcheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKernelRelease(t *testing.T) {
	for release, want := range map[string]KernelVersion{
		"6.18.44-fc-v1272":  {6, 18, 44},
		"6.1.0-28-amd64":    {6, 1, 0},
		"5.19":              {5, 19, 0},
		"6.12.12+bpo-amd64": {6, 12, 12},
		"4.19.0.":           {4, 19, 0},
	} {
		got, err := ParseKernelRelease(release)
		require.NoError(t, err, release)
		assert.Equal(t, want, got, release)
	}
	for _, bad := range []string{"", "6", "x.y", "6.1.2.3", "-6.1"} {
		_, err := ParseKernelRelease(bad)
		assert.Error(t, err, bad)
	}
}

func TestKernel(t *testing.T) {
	for release, want := range map[string]Status{
		"6.18.44-fc-v1272":  OK,
		"6.1.0-28-amd64":    OK, // Debian 12: no 6.18-only feature is required
		"5.19.0":            OK,
		"5.18.19":           Missing,
		"5.15.0-91-generic": Missing,
		"garbage":           Warn,
	} {
		r := Kernel(release)
		assert.Equal(t, want, r.Status, release)
		assert.Contains(t, r.Found, release)
		if want == Missing {
			assert.Contains(t, r.Fix, "5.19 or later")
		}
	}
}
