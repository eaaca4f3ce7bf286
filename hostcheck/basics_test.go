package hostcheck

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sysbox-lite/sysbox-lite/config"
)

func TestRoot(t *testing.T) {
	assert.Equal(t, OK, Root(0).Status)
	r := Root(1000)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "uid 1000")
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, r := LoadConfig(filepath.Join(dir, "absent.toml"), false)
	assert.Equal(t, OK, r.Status)
	assert.Contains(t, r.Found, "the defaults apply")
	assert.Equal(t, config.Default(), cfg)

	_, r = LoadConfig(filepath.Join(dir, "absent.toml"), true)
	assert.Equal(t, Missing, r.Status, "an explicit config must exist")

	good := writeFile(t, dir, "good.toml", "engine = \"crun\"\nstate_dir = \"/srv/sbl\"\n", 0o644)
	cfg, r = LoadConfig(good, true)
	assert.Equal(t, OK, r.Status)
	assert.Equal(t, "crun", cfg.Engine)
	assert.Contains(t, r.Found, "engine crun, state_dir /srv/sbl")

	bad := writeFile(t, dir, "bad.toml", "engin = \"crun\"\n", 0o644)
	cfg, r = LoadConfig(bad, false)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "unknown keys: engin")
	assert.Contains(t, r.Fix, "correct "+bad)
	assert.Equal(t, config.Default(), cfg, "the other checks go on with the defaults")
}
