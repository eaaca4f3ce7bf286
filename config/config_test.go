package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadMissingDefaultPathGivesDefaults(t *testing.T) {
	cfg, err := Load(filepath.Join(t.TempDir(), "absent.toml"), false)
	require.NoError(t, err)
	assert.Equal(t, Default(), cfg)
}

func TestLoadMissingExplicitPathFails(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.toml"), true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "absent.toml")
}

func TestParseOverridesDefaults(t *testing.T) {
	cfg, err := Parse("x.toml", []byte(`
engine = "/usr/bin/crun"
state_dir = "/tmp/s"
[idpool]
file = "/tmp/ranges.json"
subid_user = "other"
`))
	require.NoError(t, err)
	assert.Equal(t, "/usr/bin/crun", cfg.Engine)
	assert.Equal(t, "/tmp/s", cfg.StateDir)
	assert.Equal(t, "/tmp/ranges.json", cfg.IDPool.File)
	assert.Equal(t, "other", cfg.IDPool.SubIDUser)
	assert.Equal(t, "/etc/subuid", cfg.IDPool.SubUIDFile, "unset keys keep defaults")
	assert.EqualValues(t, 65536, cfg.IDPool.RangeSize)
}

func TestParseRejects(t *testing.T) {
	for name, text := range map[string]string{
		"malformed":        `engine = `,
		"unknown key":      `engin = "runc"`,
		"unknown table":    "[pool]\nfile = \"/x\"",
		"relative state":   `state_dir = "run/x"`,
		"small range":      "[idpool]\nrange_size = 1000",
		"empty engine":     `engine = ""`,
		"wrong type":       `state_dir = 3`,
		"relative idfile":  "[idpool]\nfile = \"ranges.json\"",
		"empty subid user": "[idpool]\nsubid_user = \"\"",
		"relative subuid":  "[idpool]\nsubuid_file = \"subuid\"",
		"empty subgid":     "[idpool]\nsubgid_file = \"\"",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bad.toml")
		})
	}
}

func TestLoadReadsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	require.NoError(t, os.WriteFile(p, []byte(`engine = "crun"`), 0o644))
	cfg, err := Load(p, true)
	require.NoError(t, err)
	assert.Equal(t, "crun", cfg.Engine)
}
