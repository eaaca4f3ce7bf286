package install

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// signal is one Kill call recorded by testOptions.
type signal struct {
	pid int
	sig syscall.Signal
}

// testOptions points every path into a temporary directory, uses an empty
// fake /proc, and records signals instead of sending them.
func testOptions(t *testing.T) (Options, *bytes.Buffer, *[]signal) {
	t.Helper()
	dir := t.TempDir()
	out := &bytes.Buffer{}
	sent := &[]signal{}
	o := DefaultOptions()
	o.BinDir = filepath.Join(dir, "bin")
	o.SubUIDFile = filepath.Join(dir, "etc", "subuid")
	o.SubGIDFile = filepath.Join(dir, "etc", "subgid")
	o.DockerConfig = filepath.Join(dir, "etc", "docker", "daemon.json")
	o.ContainerdConfig = filepath.Join(dir, "etc", "containerd", "config.toml")
	o.ConfigDir = filepath.Join(dir, "etc", "sysbox-lite")
	o.DockerdPidfile = filepath.Join(dir, "run", "docker.pid")
	o.ProcDir = filepath.Join(dir, "proc")
	o.Out = out
	o.Kill = func(pid int, sig syscall.Signal) error {
		*sent = append(*sent, signal{pid, sig})
		return nil
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "etc"), 0o755))
	require.NoError(t, os.MkdirAll(o.ProcDir, 0o755))
	return o, out, sent
}

// writeFile creates path (and its directory) with content.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

// fakeProcess adds pid to the fake /proc with the given command name and
// NUL-separated command line; its root is the real /.
func fakeProcess(t *testing.T, procDir string, pid int, comm string, args ...string) {
	t.Helper()
	dir := filepath.Join(procDir, itoa(pid))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "comm"), []byte(comm+"\n"), 0o644))
	var cmdline []byte
	for _, a := range append([]string{comm}, args...) {
		cmdline = append(append(cmdline, a...), 0)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cmdline"), cmdline, 0o644))
	require.NoError(t, os.Symlink("/", filepath.Join(dir, "root")))
	require.NoError(t, os.Symlink("/", filepath.Join(dir, "cwd")))
}
