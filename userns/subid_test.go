package userns

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestParseSubID(t *testing.T) {
	entries, err := parseSubID([]byte("# comment\n\nalice:100000:65536\n  1001:200000:65536  \r\n#bob:1:2\n"))
	require.NoError(t, err)
	assert.Equal(t, []subIDEntry{
		{Name: "alice", Start: 100000, Count: 65536},
		{Name: "1001", Start: 200000, Count: 65536},
	}, entries)
}

func TestParseSubIDErrors(t *testing.T) {
	for name, content := range map[string]string{
		"two fields":      "alice:1\n",
		"four fields":     "alice:1:2:3\n",
		"empty name":      ":1:2\n",
		"negative start":  "alice:-1:2\n",
		"bad count":       "alice:1:x\n",
		"start too large": "alice:4294967296:1\n",
		"overflow":        "alice:4294967290:10\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseSubID([]byte("ok:1:1\n" + content))
			assert.ErrorContains(t, err, "line 2")
		})
	}
}

func TestPoolFromSubID(t *testing.T) {
	uids := writeTemp(t, "subuid", "root:100000:65536\nsysbox-lite:1048576:655360\nsysbox-lite:1:1\n")
	gids := writeTemp(t, "subgid", "sysbox-lite:2097152:300000\n")
	p, err := PoolFromSubID(uids, gids, "sysbox-lite", 65536)
	require.NoError(t, err)
	assert.Equal(t, Pool{UIDStart: 1048576, GIDStart: 2097152, Slots: 4, SlotSize: 65536}, p)
}

func TestPoolFromSubIDNumericName(t *testing.T) {
	uids := writeTemp(t, "subuid", "4242000:1048576:65536\n")
	gids := writeTemp(t, "subgid", "4242000:1048576:65536\n")
	p, err := PoolFromSubID(uids, gids, "4242000", 65536)
	require.NoError(t, err)
	assert.Equal(t, uint32(1), p.Slots)
}

func TestPoolFromSubIDMissingEntry(t *testing.T) {
	uids := writeTemp(t, "subuid", "root:100000:65536\n")
	gids := writeTemp(t, "subgid", "sysbox-lite:100000:65536\n")
	_, err := PoolFromSubID(uids, gids, "sysbox-lite", 65536)
	assert.EqualError(t, err, `no entry for "sysbox-lite" in `+uids+": run `sudo make install` or add one")

	_, err = PoolFromSubID(gids, uids, "sysbox-lite", 65536)
	assert.ErrorContains(t, err, "in "+uids)
}

func TestPoolFromSubIDMissingFile(t *testing.T) {
	gids := writeTemp(t, "subgid", "sysbox-lite:100000:65536\n")
	_, err := PoolFromSubID(filepath.Join(t.TempDir(), "nope"), gids, "sysbox-lite", 65536)
	assert.ErrorContains(t, err, "nope")
}

func TestPoolFromSubIDTooSmall(t *testing.T) {
	uids := writeTemp(t, "subuid", "sysbox-lite:100000:655360\n")
	gids := writeTemp(t, "subgid", "sysbox-lite:100000:65535\n")
	_, err := PoolFromSubID(uids, gids, "sysbox-lite", 65536)
	assert.ErrorContains(t, err, "too small for one range of 65536 ids")
	assert.ErrorContains(t, err, "65535 gids in "+gids)
}

func TestPoolFromSubIDRejectsRoot(t *testing.T) {
	uids := writeTemp(t, "subuid", "sysbox-lite:0:65536\n")
	gids := writeTemp(t, "subgid", "sysbox-lite:100000:65536\n")
	_, err := PoolFromSubID(uids, gids, "sysbox-lite", 65536)
	assert.ErrorContains(t, err, "host uid 0")
}

func TestPoolFromSubIDZeroSlotSize(t *testing.T) {
	_, err := PoolFromSubID("a", "b", "sysbox-lite", 0)
	assert.ErrorContains(t, err, "slot size is 0")
}
