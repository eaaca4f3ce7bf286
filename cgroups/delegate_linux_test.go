package cgroups

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDelegate gives a directory laid out like a cgroup v1 one to the
// caller's own IDs (what an unprivileged test may chown to): the directory
// and the delegation files change hands, a missing one is skipped, and a
// limit file is left alone.
func TestDelegate(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"cgroup.procs", "tasks", "memory.limit_in_bytes"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
	}
	uid, gid := os.Getuid(), os.Getgid()
	require.NoError(t, Delegate(Dir{Path: dir}, uid, gid))
	for _, f := range []string{"", "cgroup.procs", "tasks"} {
		st, err := os.Lstat(filepath.Join(dir, f))
		require.NoError(t, err)
		sys := st.Sys().(*syscall.Stat_t)
		assert.EqualValues(t, uid, sys.Uid, "%q", f)
		assert.EqualValues(t, gid, sys.Gid, "%q", f)
	}
	assert.NotContains(t, Files(false), "memory.limit_in_bytes")
}

func TestDelegateMissingDir(t *testing.T) {
	err := Delegate(Dir{Path: filepath.Join(t.TempDir(), "gone")}, os.Getuid(), os.Getgid())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "delegate cgroup")
}
