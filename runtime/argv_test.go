package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseArgvDockerCreate(t *testing.T) {
	// What containerd-shim-runc-v2 runs for `docker run`.
	args := []string{"--root", "/run/docker/runtime-runc/moby", "--log", "/run/x/log.json", "--log-format", "json",
		"--sysbox-config", "/etc/x.toml", "--systemd-cgroup", "create", "--bundle", "/b", "--pid-file", "/b/init.pid",
		"--console-socket", "/tmp/pty.sock", "abc"}
	a, err := ParseArgv(args)
	require.NoError(t, err)
	assert.Equal(t, "create", a.Command)
	assert.Equal(t, "/etc/x.toml", a.Own["sysbox-config"])
	assert.Equal(t, "/run/docker/runtime-runc/moby", a.GlobalValue("root"))
	assert.Equal(t, "json", a.GlobalValue("log-format"))
	assert.True(t, a.GlobalBool("systemd-cgroup"))
	assert.False(t, a.GlobalBool("debug"))
	assert.Equal(t, []string{"--root", "/run/docker/runtime-runc/moby", "--log", "/run/x/log.json", "--log-format", "json",
		"--systemd-cgroup", "create", "--bundle", "/b", "--pid-file", "/b/init.pid", "--console-socket", "/tmp/pty.sock", "abc"},
		a.EngineArgs(), "the engine gets the caller's argv minus sysbox-lite's own flags")
	c, err := a.ParseCommandArgs()
	require.NoError(t, err)
	assert.Equal(t, []string{"abc"}, c.Positional)
	assert.Equal(t, "/b", c.Value("bundle", "b"))
	assert.Equal(t, "/b/init.pid", c.Value("pid-file"))
}

func TestParseArgvEqualsForms(t *testing.T) {
	a, err := ParseArgv([]string{"--root=/r", "--sysbox-config=/c.toml", "--debug", "run", "-b=/bundle", "-d", "--preserve-fds=2", "x1"})
	require.NoError(t, err)
	assert.Equal(t, "/r", a.GlobalValue("root"))
	assert.Equal(t, "/c.toml", a.Own["sysbox-config"])
	assert.True(t, a.GlobalBool("debug"))
	assert.Equal(t, []string{"--root=/r", "--debug", "run", "-b=/bundle", "-d", "--preserve-fds=2", "x1"}, a.EngineArgs())
	c, err := a.ParseCommandArgs()
	require.NoError(t, err)
	assert.Equal(t, "/bundle", c.Value("bundle", "b"))
	assert.True(t, c.Bool("detach", "d"))
	assert.Equal(t, "2", c.Value("preserve-fds"))
	assert.Equal(t, []string{"x1"}, c.Positional)
}

func TestParseArgvPassThroughUntouched(t *testing.T) {
	args := []string{"--root", "/r", "exec", "--process", "/p.json", "--detach", "--pid-file", "/x.pid", "id1"}
	a, err := ParseArgv(args)
	require.NoError(t, err)
	assert.Equal(t, "exec", a.Command)
	assert.Equal(t, args, a.EngineArgs())
}

func TestParseArgvErrors(t *testing.T) {
	_, err := ParseArgv([]string{"--root"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--root")
	a, err := ParseArgv([]string{"create", "--bundle"})
	require.NoError(t, err)
	_, err = a.ParseCommandArgs()
	require.Error(t, err)
	a, err = ParseArgv([]string{"frobnicate"})
	require.NoError(t, err)
	_, err = a.ParseCommandArgs()
	require.Error(t, err, "commands outside the argv model are not parsed")
}

func TestParseArgvNoCommand(t *testing.T) {
	a, err := ParseArgv([]string{"--debug"})
	require.NoError(t, err)
	assert.Equal(t, "", a.Command)
	assert.Equal(t, []string{"--debug"}, a.EngineArgs())
}

func TestDeleteForce(t *testing.T) {
	a, err := ParseArgv([]string{"--root", "/r", "delete", "--force", "id"})
	require.NoError(t, err)
	c, err := a.ParseCommandArgs()
	require.NoError(t, err)
	assert.True(t, c.Bool("force", "f"))
	assert.Equal(t, []string{"id"}, c.Positional)
}

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"abc", "a-b_c.d+e", "0123456789abcdef"} {
		assert.NoError(t, ValidateID(ok), ok)
	}
	for _, bad := range []string{"", ".", "..", "a/b", "../x", "a b", "x\x00"} {
		assert.Error(t, ValidateID(bad), bad)
	}
}

func TestKeyDependsOnEngineRoot(t *testing.T) {
	assert.NotEqual(t, Key("/run/runc", "x"), Key("/run/docker/runtime-runc/moby", "x"))
	assert.Equal(t, Key("/run/runc", "x"), Key("/run/runc/", "x"))
}

func TestWithBundle(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--bundle", "/b", "id"}, []string{"--bundle", "/s", "id"}},
		{[]string{"-b", "/b", "--pid-file", "p", "id"}, []string{"--bundle", "/s", "--pid-file", "p", "id"}},
		{[]string{"--bundle=/b", "--detach", "id"}, []string{"--bundle", "/s", "--detach", "id"}},
		{[]string{"--console-socket", "sock", "id"}, []string{"--bundle", "/s", "--console-socket", "/cwd/sock", "id"}},
		{[]string{"--console-socket=/abs/sock", "id"}, []string{"--bundle", "/s", "--console-socket=/abs/sock", "id"}},
		{[]string{"id"}, []string{"--bundle", "/s", "id"}},
	} {
		a, err := ParseArgv(append([]string{"--root", "/r", "create"}, tc.args...))
		require.NoError(t, err)
		got := a.WithBundle("/s", "/cwd")
		assert.Equal(t, tc.want, got.Args, "%v", tc.args)
		assert.Equal(t, a.Global, got.Global)
		assert.Equal(t, tc.args, a.Args, "the original is unchanged")
	}
}
