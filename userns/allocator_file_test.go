package userns

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testPool = Pool{UIDStart: 1 << 20, GIDStart: 1 << 21, Slots: 4, SlotSize: 65536}

func newTestAllocator(t *testing.T, pool Pool, live LiveFunc) (*FileAllocator, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "ranges.json")
	return NewFileAllocator(path, pool, live), path
}

func owner(id string) Owner { return Owner{EngineRoot: "/run/docker/runtime-runc/moby", ID: id} }

func TestAllocateIdempotent(t *testing.T) {
	a, _ := newTestAllocator(t, testPool, nil)
	r1, err := a.Allocate("c1", owner("c1"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r1)

	again, err := a.Allocate("c1", owner("other"))
	require.NoError(t, err)
	assert.Equal(t, r1, again)

	entries, err := a.List()
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "c1", entries[0].Key)
	assert.Equal(t, owner("c1"), entries[0].Owner)
	assert.False(t, entries[0].Created.IsZero())
}

func TestAllocateCreatesPrivateFiles(t *testing.T) {
	a, path := newTestAllocator(t, testPool, nil)
	_, err := a.Allocate("c1", owner("c1"))
	require.NoError(t, err)
	for p, mode := range map[string]os.FileMode{filepath.Dir(path): 0o700, path + ".lock": 0o600, path: 0o600} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, mode, fi.Mode().Perm(), p)
	}
}

func TestReleaseAndLowestFreeReuse(t *testing.T) {
	a, _ := newTestAllocator(t, testPool, nil)
	for _, k := range []string{"a", "b", "c"} {
		_, err := a.Allocate(k, owner(k))
		require.NoError(t, err)
	}
	require.NoError(t, a.Release("b"))
	require.NoError(t, a.Release("b"), "second release")
	require.NoError(t, a.Release("never-allocated"))

	r, err := a.Allocate("d", owner("d"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(1), r, "d takes b's slot, the lowest free one")
	r, err = a.Allocate("e", owner("e"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(3), r)

	entries, err := a.List()
	require.NoError(t, err)
	var keys []string
	for _, e := range entries {
		keys = append(keys, e.Key)
	}
	assert.Equal(t, []string{"a", "d", "c", "e"}, keys, "entries are ordered by slot")
}

func TestReleaseOnMissingFile(t *testing.T) {
	a, path := newTestAllocator(t, testPool, nil)
	require.NoError(t, a.Release("x"))
	_, err := os.Stat(path)
	assert.True(t, os.IsNotExist(err), "release of nothing writes nothing")
	entries, err := a.List()
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestAllocateExhausted(t *testing.T) {
	a, _ := newTestAllocator(t, testPool, nil)
	for i := range testPool.Slots {
		_, err := a.Allocate(fmt.Sprint(i), owner("x"))
		require.NoError(t, err)
	}
	_, err := a.Allocate("one-too-many", owner("x"))
	require.ErrorIs(t, err, ErrExhausted)
	assert.EqualError(t, err, "id pool exhausted: all 4 ranges of 65536 IDs are in use")

	r, err := a.Allocate("2", owner("x"))
	require.NoError(t, err, "an existing key still gets its range from a full pool")
	assert.Equal(t, testPool.Range(2), r)
}

func TestAllocateReclaimsStaleEntries(t *testing.T) {
	var mu sync.Mutex
	gone := map[string]bool{}
	var asked []string
	live := func(e Entry) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, e.Key)
		return !gone[e.Owner.ID]
	}
	a, _ := newTestAllocator(t, testPool, live)
	for _, k := range []string{"a", "b", "c", "d"} {
		_, err := a.Allocate(k, owner(k))
		require.NoError(t, err)
	}
	_, err := a.Allocate("e", owner("e"))
	require.ErrorIs(t, err, ErrExhausted)

	gone["b"], gone["d"] = true, true
	asked = nil
	r, err := a.Allocate("a", owner("a"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(0), r)
	assert.Empty(t, asked, "an existing key is returned without reclaiming")

	r, err = a.Allocate("e", owner("e"))
	require.NoError(t, err)
	assert.Equal(t, testPool.Range(1), r, "e takes the lowest reclaimed slot")
	entries, err := a.List()
	require.NoError(t, err)
	require.Len(t, entries, 3)
	assert.Equal(t, []string{"a", "e", "c"}, []string{entries[0].Key, entries[1].Key, entries[2].Key})
}

func TestLoadCorruptFile(t *testing.T) {
	valid := `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536},"owner":{"engineRoot":"","id":""},"created":"2025-01-01T00:00:00Z"}]}`
	tests := map[string]string{
		"empty":                                 "",
		"truncated":                             valid[:len(valid)/2],
		"not json":                              "\x00\x01garbage",
		"trailing data":                         valid + "{}",
		"wrong version":                         `{"version":2,"entries":[]}`,
		"unknown field":                         `{"version":1,"entries":[],"extra":1}`,
		"slot outside":                          `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":4,"range":{"uid":1310720,"gid":2359296,"size":65536}}]}`,
		"wrong range":                           `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1,"gid":2097152,"size":65536}}]}`,
		"duplicate slot":                        `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}},{"key":"b","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}}]}`,
		"duplicate slot, shared and other slot": `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}},{"key":"b","slot":0,"range":{"uid":1114112,"gid":2162688,"size":65536},"sharesWith":"a"}]}`,
		"two unshared on a shared slot":         `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}},{"key":"c","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536},"sharesWith":"a"},{"key":"b","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}}]}`,
		"shares with itself":                    `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536},"sharesWith":"a"}]}`,
		"duplicate key":                         `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}},{"key":"a","slot":1,"range":{"uid":1114112,"gid":2162688,"size":65536}}]}`,
		"empty key":                             `{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}}]}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			a, path := newTestAllocator(t, testPool, nil)
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))

			_, err := a.Allocate("new", owner("new"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "load id allocation state "+path+": ")
			_, err = a.List()
			assert.Error(t, err)
			assert.Error(t, a.Release("a"))

			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, content, string(data), "a corrupt file is never reset")
		})
	}
	t.Run("valid control", func(t *testing.T) {
		_, err := decodeState([]byte(valid), testPool)
		assert.NoError(t, err)
	})
}

func TestPoolMismatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ranges.json")
	old := NewFileAllocator(path, testPool, nil)
	_, err := old.Allocate("a", owner("a"))
	require.NoError(t, err)

	moved := testPool
	moved.UIDStart += 65536
	_, err = NewFileAllocator(path, moved, nil).Allocate("b", owner("b"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "holds 1 ranges")

	resized := testPool
	resized.SlotSize = 1 << 10
	_, err = NewFileAllocator(path, resized, nil).List()
	assert.ErrorContains(t, err, "configured pool")

	shrunk := testPool
	shrunk.Slots = 1
	_, err = NewFileAllocator(path, shrunk, nil).Allocate("b", owner("b"))
	require.ErrorIs(t, err, ErrExhausted, "a smaller pool that still holds every entry is fine")

	require.NoError(t, old.Release("a"))
	r, err := NewFileAllocator(path, moved, nil).Allocate("b", owner("b"))
	require.NoError(t, err, "a file without entries is taken over by the new pool")
	assert.Equal(t, moved.Range(0), r)
	_, err = old.List()
	assert.ErrorContains(t, err, "configured pool", "and now the old pool is the mismatch")
}

func TestInvalidPoolIsRefused(t *testing.T) {
	a, path := newTestAllocator(t, Pool{UIDStart: 0, GIDStart: 1, Slots: 1, SlotSize: 1}, nil)
	_, err := a.Allocate("a", owner("a"))
	assert.ErrorContains(t, err, "host uid 0")
	_, err = os.Stat(filepath.Dir(path))
	assert.True(t, os.IsNotExist(err))
}

func TestAllocateEmptyKey(t *testing.T) {
	a, _ := newTestAllocator(t, testPool, nil)
	_, err := a.Allocate("", owner("a"))
	assert.ErrorContains(t, err, "empty key")
}

func TestAllocatorGoroutines(t *testing.T) {
	pool := Pool{UIDStart: 100000, GIDStart: 100000, Slots: 64, SlotSize: 65536}
	path := filepath.Join(t.TempDir(), "ranges.json")
	shared := NewFileAllocator(path, pool, nil)

	var wg sync.WaitGroup
	results := make([]Range, pool.Slots)
	errs := make([]error, pool.Slots)
	for i := range pool.Slots {
		wg.Go(func() {
			a := shared
			if i%2 == 1 {
				a = NewFileAllocator(path, pool, nil) // a separate allocator on the same file
			}
			results[i], errs[i] = a.Allocate(fmt.Sprintf("k%d", i), owner("x"))
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assertDisjoint(t, results)
	entries, err := shared.List()
	require.NoError(t, err)
	assert.Len(t, entries, int(pool.Slots))

	for i := range pool.Slots {
		wg.Go(func() { errs[i] = shared.Release(fmt.Sprintf("k%d", i)) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	entries, err = shared.List()
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func assertDisjoint(t *testing.T, ranges []Range) {
	t.Helper()
	for i := range ranges {
		for j := i + 1; j < len(ranges); j++ {
			assert.False(t, ranges[i].Overlaps(ranges[j]), "ranges %d %+v and %d %+v overlap", i, ranges[i], j, ranges[j])
		}
	}
}
