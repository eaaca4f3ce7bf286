package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteReplacesContentAndMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte("old content"), 0o600))
	require.NoError(t, Write(p, []byte("new"), 0o644))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(p))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temp file left behind")
}

func TestWriteDoesNotFollowSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	require.NoError(t, os.WriteFile(target, []byte("precious"), 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, Write(link, []byte("x"), 0o600))
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "precious", string(got))
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular())
}

func TestWriteMissingDirFails(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "f"), []byte("x"), 0o600)
	require.Error(t, err)
}

func TestWriteLikeKeepsModeAndRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(p, []byte("a"), 0o640))
	require.NoError(t, os.Chmod(p, 0o640))
	require.NoError(t, WriteLike(p, []byte("b"), 0o600))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "the replaced file's mode is kept")
	fresh := filepath.Join(dir, "new")
	require.NoError(t, WriteLike(fresh, []byte("c"), 0o600))
	st, err = os.Stat(fresh)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(p, link))
	assert.Error(t, WriteLike(link, []byte("x"), 0o600))
	got, _ := os.ReadFile(p)
	assert.Equal(t, "b", string(got))
}
