package userns

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func entryKeys(t *testing.T, a *FileAllocator) []string {
	t.Helper()
	entries, err := a.List()
	require.NoError(t, err)
	var keys []string
	for _, e := range entries {
		keys = append(keys, e.Key)
	}
	return keys
}

func TestShare(t *testing.T) {
	a, path := newTestAllocator(t, testPool, nil)
	_, err := a.Allocate("x", owner("x"))
	require.NoError(t, err)
	rx, err := a.Allocate("other", owner("other"))
	require.NoError(t, err)
	require.Equal(t, testPool.Range(1), rx)

	r, err := a.Share("y", "x", owner("y"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r, "y gets x's range")
	again, err := a.Share("y", "x", owner("y"))
	require.NoError(t, err)
	assert.Equal(t, r, again, "idempotent")
	got, err := a.Allocate("y", owner("y"))
	require.NoError(t, err)
	assert.Equal(t, r, got, "Allocate of a sharing key returns the shared range")

	entries, err := a.List()
	require.NoError(t, err)
	require.Len(t, entries, 3)
	assert.Equal(t, []string{"x", "y", "other"}, entryKeys(t, a), "ordered by slot, a shared slot in the order its entries were made")
	assert.Equal(t, Entry{Key: "y", Slot: 0, Range: r, Owner: owner("y"), Created: entries[1].Created, SharesWith: "x"}, entries[1])
	assert.Empty(t, entries[0].SharesWith)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(data), `"sharesWith"`), "only the shared entry carries the field: %s", data)

	// a third container joins through y: still the same slot
	r, err = a.Share("z", "y", owner("z"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r)

	_, err = a.Share("other", "x", owner("other"))
	assert.ErrorContains(t, err, `"other" already holds another range`)
	_, err = a.Share("n", "nobody", owner("n"))
	require.ErrorIs(t, err, ErrNotHeld)
	_, err = a.Share("x", "x", owner("x"))
	assert.ErrorContains(t, err, "itself")
	_, err = a.Share("", "x", owner(""))
	assert.ErrorContains(t, err, "empty key")
	assert.Equal(t, []string{"x", "y", "z", "other"}, entryKeys(t, a), "failed shares change nothing")
}

// The slot stays reserved until the last of its entries goes, whichever
// goes first.
func TestShareReleaseOrder(t *testing.T) {
	for name, order := range map[string][]string{
		"owner first":  {"x", "y"},
		"sharer first": {"y", "x"},
	} {
		t.Run(name, func(t *testing.T) {
			a, _ := newTestAllocator(t, testPool, nil)
			_, err := a.Allocate("x", owner("x"))
			require.NoError(t, err)
			_, err = a.Share("y", "x", owner("y"))
			require.NoError(t, err)

			require.NoError(t, a.Release(order[0]))
			assert.Equal(t, []string{order[1]}, entryKeys(t, a))
			r, err := a.Allocate("new", owner("new"))
			require.NoError(t, err)
			assert.Equal(t, testPool.Range(1), r, "slot 0 is still held by %s", order[1])

			require.NoError(t, a.Release(order[1]))
			r, err = a.Allocate("newer", owner("newer"))
			require.NoError(t, err)
			assert.Equal(t, testPool.Range(0), r, "slot 0 is free once both are gone")
		})
	}
}

// After the owner went, a sharer can be shared with in turn; sharing with
// the gone owner fails.
func TestShareAfterOwnerReleased(t *testing.T) {
	a, _ := newTestAllocator(t, testPool, nil)
	_, err := a.Allocate("x", owner("x"))
	require.NoError(t, err)
	_, err = a.Share("y", "x", owner("y"))
	require.NoError(t, err)
	require.NoError(t, a.Release("x"))
	_, err = a.Share("z", "x", owner("z"))
	require.ErrorIs(t, err, ErrNotHeld)
	r, err := a.Share("z", "y", owner("z"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r)
}

func TestShareReclaim(t *testing.T) {
	var mu sync.Mutex
	gone := map[string]bool{}
	live := func(e Entry) bool {
		mu.Lock()
		defer mu.Unlock()
		return !gone[e.Owner.ID]
	}
	a, _ := newTestAllocator(t, testPool, live)
	_, err := a.Allocate("x", owner("x"))
	require.NoError(t, err)
	_, err = a.Share("y", "x", owner("y"))
	require.NoError(t, err)

	gone["x"] = true // x crashed; y still runs
	r, err := a.Allocate("new", owner("new"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(1), r, "x's entry is reclaimed but y keeps slot 0")
	assert.Equal(t, []string{"y", "new"}, entryKeys(t, a))

	gone["y"] = true
	r, err = a.Allocate("newer", owner("newer"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r, "slot 0 is reclaimed with its last entry")
	assert.Equal(t, []string{"newer", "new"}, entryKeys(t, a))
}

// Sharing takes no slot: a full pool can still be shared, and exhaustion
// counts slots, not entries.
func TestShareExhaustion(t *testing.T) {
	a, _ := newTestAllocator(t, testPool, nil)
	for _, k := range []string{"a", "b", "c", "d"} {
		_, err := a.Allocate(k, owner(k))
		require.NoError(t, err)
	}
	for _, k := range []string{"a2", "a3", "b2"} {
		_, err := a.Share(k, k[:1], owner(k))
		require.NoError(t, err, "sharing a slot of a full pool")
	}
	_, err := a.Allocate("e", owner("e"))
	require.ErrorIs(t, err, ErrExhausted)
	assert.EqualError(t, err, "id pool exhausted: all 4 ranges of 65536 IDs are in use")

	require.NoError(t, a.Release("a"))
	_, err = a.Allocate("e", owner("e"))
	require.ErrorIs(t, err, ErrExhausted, "a's slot is still held by a2 and a3")
	require.NoError(t, a.Release("a2"))
	require.NoError(t, a.Release("a3"))
	r, err := a.Allocate("e", owner("e"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r)
}

// A file written before shared entries existed reads the same, and one
// with shared entries survives a round trip.
func TestShareStateCompatibility(t *testing.T) {
	old := `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536},"owner":{"engineRoot":"","id":""},"created":"2025-01-01T00:00:00Z"}]}`
	st, err := decodeState([]byte(old), testPool)
	require.NoError(t, err)
	require.Len(t, st.Entries, 1)
	assert.Empty(t, st.Entries[0].SharesWith)
	out, err := encodeState(st)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "sharesWith")

	st.Entries = append(st.Entries, Entry{Key: "b", Slot: 0, Range: testPool.Range(0), SharesWith: "a"})
	out, err = encodeState(st)
	require.NoError(t, err)
	again, err := decodeState(out, testPool)
	require.NoError(t, err)
	assert.Equal(t, st.Entries, again.Entries)
}
