package shim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeExe(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"), mode))
}

func TestFindBinaryNextToTheShimFirst(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, "shimdir", "containerd-shim-sysbox-lite-v2")
	writeExe(t, self, 0o755)
	next := filepath.Join(dir, "shimdir", BinaryName)
	writeExe(t, next, 0o755)
	inPath := filepath.Join(dir, "pathdir", BinaryName)
	writeExe(t, inPath, 0o755)
	t.Setenv("PATH", filepath.Dir(inPath))

	got, err := FindBinary(self)
	require.NoError(t, err)
	assert.Equal(t, next, got)

	// not executable next to the shim: PATH's
	require.NoError(t, os.Chmod(next, 0o644))
	got, err = FindBinary(self)
	require.NoError(t, err)
	assert.Equal(t, inPath, got)

	// a directory of that name next to the shim does not count either
	require.NoError(t, os.Remove(next))
	require.NoError(t, os.Mkdir(next, 0o755))
	got, err = FindBinary(self)
	require.NoError(t, err)
	assert.Equal(t, inPath, got)
}

func TestFindBinaryNowhere(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	_, err := FindBinary(filepath.Join(dir, "containerd-shim-sysbox-lite-v2"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "find sysbox-lite next to "+dir)
}
