package runtime

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/seccomp"
)

func TestResumeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	_, ok, err := loadResume(dir)
	require.NoError(t, err)
	assert.False(t, ok, "a first start has nothing saved")

	snap := seccomp.Snapshot{Protected: []seccomp.Identity{{Major: 0, Minor: 40, Root: "/", FSType: "tmpfs"}}, Owned: []int{9}}
	require.NoError(t, saveResume(dir, os.Getpid(), snap))
	r, ok, err := loadResume(dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, os.Getpid(), r.InitPid)
	assert.NotZero(t, r.InitStart, "the init's start time, against pid reuse")
	assert.Equal(t, snap, r.Protection)
}

func TestResumeRefusesWhatItCannotRead(t *testing.T) {
	for name, content := range map[string]string{
		"future":  `{"version":99,"initPid":1}`,
		"garbage": `{"version":`,
		"none":    `{"initPid":1}`,
	} {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, resumeName), []byte(content), 0o600))
		_, ok, err := loadResume(dir)
		assert.Error(t, err, name)
		assert.False(t, ok, "%s: nothing is trusted", name)
	}
}

func TestStoreReadsVersion1(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	require.NoError(t, os.MkdirAll(s.Path("c.1"), 0o700))
	// a state as the build before keepers wrote it: no version
	require.NoError(t, os.WriteFile(filepath.Join(s.Path("c.1"), "state.json"), []byte(`{"id":"c","engineRoot":"/run/runc","supervisor":{"pid":42,"start":7}}`), 0o600))
	c, ok, err := s.Load("c.1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 1, c.Version)
	assert.Equal(t, Process{Pid: 42, Start: 7}, c.Supervisor)
	require.NoError(t, s.Save("c.1", c))
	c, _, err = s.Load("c.1")
	require.NoError(t, err)
	assert.Equal(t, 1, c.Version, "saving keeps the version it was read as")

	require.NoError(t, os.MkdirAll(s.Path("c.2"), 0o700))
	require.NoError(t, s.Save("c.2", Container{ID: "d"}))
	c, _, err = s.Load("c.2")
	require.NoError(t, err)
	assert.Equal(t, StateVersion, c.Version)
}
