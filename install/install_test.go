package install

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/config"
)

const subIDs = "root:100000:65536\nalice:165536:65536\n"

// snapshot reads every file install may touch.
func snapshot(t *testing.T, o Options) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, p := range []string{o.SubUIDFile, o.SubGIDFile, o.DockerConfig, o.ContainerdConfig, o.ConfigPath()} {
		if data, err := os.ReadFile(p); err == nil {
			files[p] = string(data)
		}
	}
	return files
}

// privateState points the installed config's allocator state at a
// temporary file, so that --purge does not look at the host's.
func privateState(t *testing.T, o Options) {
	t.Helper()
	f, err := os.OpenFile(o.ConfigPath(), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("file = " + tomlString(filepath.Join(t.TempDir(), "idranges.json")) + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = config.Load(o.ConfigPath(), true)
	require.NoError(t, err)
}

func TestInstallUninstall(t *testing.T) {
	o, out, sent := testOptions(t)
	writeFile(t, o.SubUIDFile, subIDs)
	writeFile(t, o.SubGIDFile, subIDs)
	writeFile(t, o.DockerConfig, daemonJSON)
	writeFile(t, o.ContainerdConfig, containerdV2)
	writeFile(t, o.BinaryPath(), "#!/bin/sh\n")
	fakeProcess(t, o.ProcDir, 7, "dockerd", "--config-file", o.DockerConfig)

	require.NoError(t, Install(o))
	t.Log("\n" + out.String())
	assert.NotContains(t, out.String(), "warning")
	assert.Equal(t, subIDs+"sysbox-lite:1048576:268435456\n", readFile(t, o.SubUIDFile))
	assert.Equal(t, subIDs+"sysbox-lite:1048576:268435456\n", readFile(t, o.SubGIDFile))
	cfg, err := config.Load(o.ConfigPath(), true)
	require.NoError(t, err)
	assert.Equal(t, o.SubUIDFile, cfg.IDPool.SubUIDFile)
	assert.Contains(t, readFile(t, o.DockerConfig), `"path": "`+o.BinaryPath()+`"`)
	runtimeTable(t, []byte(readFile(t, o.ContainerdConfig)), "io.containerd.grpc.v1.cri")
	assert.Equal(t, []signal{{7, syscall.SIGHUP}}, *sent)

	installed := snapshot(t, o)
	out.Reset()
	require.NoError(t, Install(o))
	assert.Equal(t, installed, snapshot(t, o), "a second install changes nothing")
	assert.Len(t, *sent, 1)
	assert.Contains(t, out.String(), "already")

	out.Reset()
	require.NoError(t, Uninstall(o))
	t.Log("\n" + out.String())
	assert.Equal(t, containerdV2, readFile(t, o.ContainerdConfig))
	assert.Equal(t, semantic(t, []byte(daemonJSON)), semantic(t, []byte(readFile(t, o.DockerConfig))))
	assert.Equal(t, installed[o.SubUIDFile], readFile(t, o.SubUIDFile), "kept without --purge")
	assert.FileExists(t, o.ConfigPath())
	assert.Contains(t, out.String(), "--purge removes them")
	assert.Equal(t, []signal{{7, syscall.SIGHUP}, {7, syscall.SIGHUP}}, *sent)

	privateState(t, o)
	o.Purge = true
	out.Reset()
	require.NoError(t, Uninstall(o))
	assert.Equal(t, subIDs, readFile(t, o.SubUIDFile))
	assert.Equal(t, subIDs, readFile(t, o.SubGIDFile))
	assert.NoDirExists(t, o.ConfigDir)
	assert.Len(t, *sent, 2, "nothing changed in daemon.json")
}

func TestInstallFromNothing(t *testing.T) {
	o, out, sent := testOptions(t)
	require.NoError(t, Install(o))
	assert.Contains(t, out.String(), "warning: "+o.BinaryPath()+" does not exist")
	assert.Equal(t, "sysbox-lite:1048576:268435456\n", readFile(t, o.SubUIDFile))
	assert.Equal(t, "sysbox-lite:1048576:268435456\n", readFile(t, o.SubGIDFile))
	assert.FileExists(t, o.DockerConfig)
	assert.FileExists(t, o.ContainerdConfig)
	assert.FileExists(t, o.ConfigPath())
	assert.Empty(t, *sent)

	privateState(t, o)
	o.Purge = true
	require.NoError(t, Uninstall(o))
	assert.JSONEq(t, `{}`, readFile(t, o.DockerConfig))
	assert.Equal(t, containerdNewFile, readFile(t, o.ContainerdConfig))
	assert.Empty(t, readFile(t, o.SubUIDFile))
}

func TestInstallSubIDStartsMayDiffer(t *testing.T) {
	o, out, _ := testOptions(t)
	writeFile(t, o.SubUIDFile, "alice:2000000:65536\n")
	writeFile(t, o.SubGIDFile, "")
	require.NoError(t, installSubIDs(o))
	assert.Contains(t, out.String(), "the uid pool starts at 2097152 and the gid pool at 1048576")
}

func TestUninstallPurgeRefusedWhileRangesAreHeld(t *testing.T) {
	o, _, _ := testOptions(t)
	require.NoError(t, Install(o))
	state := filepath.Join(t.TempDir(), "idranges.json")
	writeFile(t, o.ConfigPath(), "[idpool]\nfile = \""+state+"\"\n")
	writeFile(t, state, `{"version": 1, "entries": [{"key": "abc"}]}`)
	before := snapshot(t, o)

	o.Purge = true
	err := Uninstall(o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 container(s) still hold id ranges in "+state)
	assert.Equal(t, before, snapshot(t, o), "nothing touched")

	writeFile(t, state, `{"version": 1, "entries": []}`)
	require.NoError(t, Uninstall(o))
	assert.NoFileExists(t, o.ConfigPath())
	assert.Empty(t, readFile(t, o.SubUIDFile))
}

func TestPurgeKeepsNonEmptyConfigDir(t *testing.T) {
	o, out, _ := testOptions(t)
	require.NoError(t, installConfig(o))
	writeFile(t, filepath.Join(o.ConfigDir, "mine.toml"), "")
	require.NoError(t, purgeConfig(o))
	assert.NoFileExists(t, o.ConfigPath())
	assert.FileExists(t, filepath.Join(o.ConfigDir, "mine.toml"))
	assert.Contains(t, out.String(), "kept "+o.ConfigDir)
}

func TestOptionsValidate(t *testing.T) {
	o, _, _ := testOptions(t)
	require.NoError(t, o.Validate())
	for name, mutate := range map[string]func(*Options){
		"relative bin dir":      func(o *Options) { o.BinDir = "bin" },
		"relative docker":       func(o *Options) { o.DockerConfig = "daemon.json" },
		"control char":          func(o *Options) { o.ContainerdConfig = "/etc/a\nb" },
		"runtime name with dot": func(o *Options) { o.RuntimeName = "sysbox.lite" },
		"runtime name empty":    func(o *Options) { o.RuntimeName = "" },
		"runtime name dash":     func(o *Options) { o.RuntimeName = "-x" },
		"no kill":               func(o *Options) { o.Kill = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c := o
			mutate(&c)
			assert.Error(t, c.Validate())
			assert.Error(t, Install(c))
			assert.Error(t, Uninstall(c))
		})
	}
}
