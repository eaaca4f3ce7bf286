package install

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/config"
)

func TestDefaultConfigFileParses(t *testing.T) {
	data := defaultConfigFile(DefaultOptions())
	cfg, err := config.Parse("config.toml", data)
	require.NoError(t, err)
	assert.Equal(t, config.Default(), cfg)
}

// Uncommenting every documented key must still give the defaults: the keys
// are spelled right and the values shown are the real defaults.
func TestDefaultConfigFileDocumentsEveryKey(t *testing.T) {
	data := defaultConfigFile(DefaultOptions())
	setting := regexp.MustCompile(`(?m)^# ([a-z_]+ = .*)$`)
	uncommented := setting.ReplaceAll(data, []byte("$1"))
	keys := setting.FindAllSubmatch(data, -1)
	assert.Len(t, keys, 8, "engine, state_dir, shared_dirs.identity and the five idpool keys")

	cfg, err := config.Parse("config.toml", uncommented)
	require.NoError(t, err)
	assert.Equal(t, config.Default(), cfg)
}

func TestDefaultConfigFileNamesOtherSubIDFiles(t *testing.T) {
	o := DefaultOptions()
	o.SubUIDFile, o.SubGIDFile = `/srv/"sub"uid`, "/srv/subgid"
	cfg, err := config.Parse("config.toml", defaultConfigFile(o))
	require.NoError(t, err)
	assert.Equal(t, o.SubUIDFile, cfg.IDPool.SubUIDFile)
	assert.Equal(t, o.SubGIDFile, cfg.IDPool.SubGIDFile)
}

func TestInstallConfigOnlyIfAbsent(t *testing.T) {
	o, out, _ := testOptions(t)
	require.NoError(t, installConfig(o))
	assert.Contains(t, out.String(), "config: wrote the default")
	_, err := config.Load(o.ConfigPath(), true)
	require.NoError(t, err)

	const mine = "engine = \"crun\"\n"
	require.NoError(t, os.WriteFile(o.ConfigPath(), []byte(mine), 0o600))
	out.Reset()
	require.NoError(t, installConfig(o))
	assert.Contains(t, out.String(), "config: kept the existing")
	assert.Equal(t, mine, readFile(t, o.ConfigPath()))

	require.NoError(t, os.WriteFile(o.ConfigPath(), []byte("bogus = 1\n"), 0o600))
	out.Reset()
	require.NoError(t, installConfig(o))
	assert.Contains(t, out.String(), "warning: kept")
	assert.Equal(t, "bogus = 1\n", readFile(t, o.ConfigPath()))
}
