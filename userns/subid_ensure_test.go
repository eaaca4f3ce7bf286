package userns

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const installCount = 4096 * 65536

func TestEnsureSubIDEntryAppends(t *testing.T) {
	const before = "# managed by hand\nalice:100000:65536\n\nbob:165536:65536\n"
	path := writeTemp(t, "subuid", before)

	start, created, err := EnsureSubIDEntry(path, "sysbox-lite", installCount)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, uint32(1<<20), start)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before+"sysbox-lite:1048576:268435456\n", string(data))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}

func TestEnsureSubIDEntryIdempotent(t *testing.T) {
	path := writeTemp(t, "subuid", "alice:100000:65536\n")
	first, created, err := EnsureSubIDEntry(path, "sysbox-lite", installCount)
	require.NoError(t, err)
	require.True(t, created)
	want, err := os.ReadFile(path)
	require.NoError(t, err)

	again, created, err := EnsureSubIDEntry(path, "sysbox-lite", installCount)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, first, again)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestEnsureSubIDEntryExisting(t *testing.T) {
	path := writeTemp(t, "subuid", "sysbox-lite:5000000:65536\n")
	start, created, err := EnsureSubIDEntry(path, "sysbox-lite", installCount)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, uint32(5000000), start)
}

func TestEnsureSubIDEntryStart(t *testing.T) {
	tests := []struct {
		name     string
		existing string
		want     uint32
	}{
		{"empty file", "", 1 << 20},
		{"small entries", "a:100000:65536\n", 1 << 20},
		{"entry ending on a boundary", "a:1048576:131072\n", 1048576 + 131072},
		{"entry ending off a boundary", "a:2000000:1\n", 2031616},
		{"highest entry not last", "a:3000000:100\nb:100000:65536\n", 3014656},
		{"no trailing newline", "a:1048576:65536", 1048576 + 65536},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "subuid", tt.existing)
			start, created, err := EnsureSubIDEntry(path, "sysbox-lite", 65536)
			require.NoError(t, err)
			assert.True(t, created)
			assert.Equal(t, tt.want, start)
			assert.Zero(t, start%65536)

			entries, err := readSubID(path)
			require.NoError(t, err)
			last := entries[len(entries)-1]
			assert.Equal(t, subIDEntry{Name: "sysbox-lite", Start: tt.want, Count: 65536}, last)
			for _, e := range entries[:len(entries)-1] {
				assert.LessOrEqual(t, e.end(), uint64(start), "new entry overlaps %+v", e)
			}
		})
	}
}

func TestEnsureSubIDEntryMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subgid")
	start, created, err := EnsureSubIDEntry(path, "sysbox-lite", installCount)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, uint32(1<<20), start)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}

func TestEnsureSubIDEntryKeepsMode(t *testing.T) {
	path := writeTemp(t, "subuid", "a:100000:1\n")
	require.NoError(t, os.Chmod(path, 0o640))
	_, _, err := EnsureSubIDEntry(path, "sysbox-lite", 65536)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm())
	leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers)
}

func TestEnsureSubIDEntryErrors(t *testing.T) {
	t.Run("no room", func(t *testing.T) {
		path := writeTemp(t, "subuid", "a:4200000000:1\n")
		_, _, err := EnsureSubIDEntry(path, "sysbox-lite", installCount)
		assert.ErrorContains(t, err, "no room")
	})
	t.Run("malformed file is left alone", func(t *testing.T) {
		path := writeTemp(t, "subuid", "garbage\n")
		_, _, err := EnsureSubIDEntry(path, "sysbox-lite", 65536)
		assert.ErrorContains(t, err, "line 1")
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "garbage\n", string(data))
	})
	t.Run("bad user name", func(t *testing.T) {
		path := writeTemp(t, "subuid", "")
		_, _, err := EnsureSubIDEntry(path, "a:b", 65536)
		assert.ErrorContains(t, err, "invalid user name")
	})
	t.Run("zero count", func(t *testing.T) {
		path := writeTemp(t, "subuid", "")
		_, _, err := EnsureSubIDEntry(path, "sysbox-lite", 0)
		assert.ErrorContains(t, err, "count is 0")
	})
	t.Run("symlink is refused", func(t *testing.T) {
		target := writeTemp(t, "real", "")
		link := filepath.Join(t.TempDir(), "subuid")
		require.NoError(t, os.Symlink(target, link))
		_, _, err := EnsureSubIDEntry(link, "sysbox-lite", 65536)
		assert.ErrorContains(t, err, "not a regular file")
	})
}
