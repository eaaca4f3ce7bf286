package install

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDockerdConfigFlag(t *testing.T) {
	for cmdline, want := range map[string]string{
		"dockerd\x00":                                       "/etc/docker/daemon.json",
		"dockerd\x00-H\x00fd://\x00":                        "/etc/docker/daemon.json",
		"dockerd\x00--config-file\x00/x/d.json\x00":         "/x/d.json",
		"dockerd\x00--config-file=/y/d.json\x00--debug\x00": "/y/d.json",
		"dockerd\x00--config-file\x00rel.json\x00":          "rel.json",
	} {
		assert.Equal(t, want, dockerdConfigFlag([]byte(cmdline)), "%q", cmdline)
	}
}

func TestFindDockerds(t *testing.T) {
	o, _, _ := testOptions(t)
	writeFile(t, o.DockerConfig, "{}")
	other := filepath.Join(t.TempDir(), "daemon.json")
	writeFile(t, other, "{}")

	fakeProcess(t, o.ProcDir, 10, "dockerd", "--config-file", o.DockerConfig)        // ours
	fakeProcess(t, o.ProcDir, 11, "dockerd", "--config-file="+other)                 // a private daemon
	fakeProcess(t, o.ProcDir, 12, "containerd", "--config-file", o.DockerConfig)     // not dockerd
	fakeProcess(t, o.ProcDir, 13, "dockerd", "--config-file", "/nonexistent/d.json") // config elsewhere
	assert.Equal(t, []int{10}, findDockerds(o.ProcDir, o.DockerdPidfile, o.DockerConfig))

	// The pidfile's dockerd is signalled when its config cannot be read.
	fakeProcess(t, o.ProcDir, 14, "dockerd")
	require.NoError(t, os.Remove(filepath.Join(o.ProcDir, "14", "cmdline")))
	writeFile(t, o.DockerdPidfile, "14\n")
	assert.Equal(t, []int{10, 14}, findDockerds(o.ProcDir, o.DockerdPidfile, o.DockerConfig))

	// A pidfile naming a process that is not dockerd (a reused pid) is ignored.
	writeFile(t, o.DockerdPidfile, "12\n")
	assert.Equal(t, []int{10}, findDockerds(o.ProcDir, o.DockerdPidfile, o.DockerConfig))
}

func TestInstallDockerSignalsOnlyOnChange(t *testing.T) {
	o, out, sent := testOptions(t)
	writeFile(t, o.DockerConfig, `{"debug": true}`)
	fakeProcess(t, o.ProcDir, 42, "dockerd", "--config-file", o.DockerConfig)

	require.NoError(t, installDocker(o))
	assert.Equal(t, []signal{{42, syscall.SIGHUP}}, *sent)
	assert.Contains(t, out.String(), "sent SIGHUP to dockerd (pid 42)")

	require.NoError(t, installDocker(o))
	assert.Len(t, *sent, 1, "no reload when nothing changed")

	require.NoError(t, uninstallDocker(o))
	assert.Equal(t, []signal{{42, syscall.SIGHUP}, {42, syscall.SIGHUP}}, *sent)
	assert.JSONEq(t, `{"debug": true}`, readFile(t, o.DockerConfig))
}

func TestInstallDockerAbsentFile(t *testing.T) {
	o, out, sent := testOptions(t)
	require.NoError(t, installDocker(o))
	assert.JSONEq(t, `{"runtimes": {"sysbox-lite": {"path": "`+o.BinaryPath()+`"}}}`, readFile(t, o.DockerConfig))
	assert.Contains(t, out.String(), "docker: created "+o.DockerConfig)
	assert.Contains(t, out.String(), "no running dockerd")
	assert.Empty(t, *sent)
	fi, err := os.Stat(o.DockerConfig)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	o.DockerConfig = filepath.Join(t.TempDir(), "absent", "daemon.json")
	require.NoError(t, uninstallDocker(o))
	assert.NoFileExists(t, o.DockerConfig)
}

func TestInstallDockerMalformedLeavesFileAlone(t *testing.T) {
	o, _, sent := testOptions(t)
	const bad = "{\n  \"debug\": true,\n}\n"
	writeFile(t, o.DockerConfig, bad)
	require.NoError(t, os.Chmod(o.DockerConfig, 0o600))
	before, err := os.Stat(o.DockerConfig)
	require.NoError(t, err)

	err = installDocker(o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), o.DockerConfig)
	assert.Contains(t, err.Error(), "left unchanged")
	assert.Contains(t, err.Error(), "invalid character '}'")
	err = uninstallDocker(o)
	require.Error(t, err)

	assert.Equal(t, bad, readFile(t, o.DockerConfig))
	after, err := os.Stat(o.DockerConfig)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "not replaced")
	assert.Empty(t, *sent)
	entries, err := os.ReadDir(filepath.Dir(o.DockerConfig))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temp file left")
}

func TestInstallDockerKeepsMode(t *testing.T) {
	o, _, _ := testOptions(t)
	writeFile(t, o.DockerConfig, `{}`)
	require.NoError(t, os.Chmod(o.DockerConfig, 0o600))
	require.NoError(t, installDocker(o))
	fi, err := os.Stat(o.DockerConfig)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestInstallDockerRefusesSymlink(t *testing.T) {
	o, _, _ := testOptions(t)
	target := filepath.Join(t.TempDir(), "real.json")
	writeFile(t, target, `{}`)
	require.NoError(t, os.MkdirAll(filepath.Dir(o.DockerConfig), 0o755))
	require.NoError(t, os.Symlink(target, o.DockerConfig))
	err := installDocker(o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
	assert.Equal(t, `{}`, readFile(t, target))
}
