package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataDirsDefaultAndOff(t *testing.T) {
	assert.Equal(t, []string{"/var/lib/docker", "/var/lib/containerd"}, Default().DataDirs.Paths)
	cfg, err := Parse("c.toml", []byte("[data_dirs]\npaths = []\n"))
	require.NoError(t, err)
	assert.Empty(t, cfg.DataDirs.Paths, "paths = [] turns it off")
	cfg, err = Parse("c.toml", []byte("[data_dirs]\npaths = [\"/var/lib/docker\", \"/var/lib/kubelet\"]\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"/var/lib/docker", "/var/lib/kubelet"}, cfg.DataDirs.Paths)
	cfg, err = Parse("c.toml", []byte("engine = \"runc\"\n"))
	require.NoError(t, err)
	assert.Equal(t, DefaultDataDirs(), cfg.DataDirs.Paths, "absent: the defaults")
}

func TestDataDirsRejects(t *testing.T) {
	for paths, want := range map[string]string{
		`["var/lib/docker"]`:                     "clean absolute path",
		`["/var/lib/../lib/docker"]`:             "clean absolute path",
		`["/"]`:                                  "the root itself",
		`["/proc/x"]`:                            "under /proc",
		`["/dev"]`:                               "under /dev",
		`["/var/lib", "/var/lib/docker"]`:        "overlap",
		`["/var/lib/docker", "/var/lib/docker"]`: "overlap",
	} {
		_, err := Parse("c.toml", []byte("[data_dirs]\npaths = "+paths+"\n"))
		assert.ErrorContains(t, err, want, paths)
	}
}
