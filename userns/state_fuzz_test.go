package userns

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzLoadState feeds arbitrary bytes to the state decoder: it must not
// panic, and what it accepts must be a usable state of the pool.
func FuzzLoadState(f *testing.F) {
	pool := Pool{UIDStart: 1 << 20, GIDStart: 1 << 21, Slots: 8, SlotSize: 65536}
	f.Add([]byte(`{"version":1,"entries":null}`))
	f.Add([]byte(`{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"a","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536}},{"key":"b","slot":0,"range":{"uid":1048576,"gid":2097152,"size":65536},"sharesWith":"a"}]}`))
	f.Add([]byte(`{"version":1,"poolUID":1048576,"poolGID":2097152,"slotSize":65536,"entries":[{"key":"b","slot":1,"range":{"uid":1114112,"gid":2162688,"size":65536},"sharesWith":"gone"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeState(data, pool)
		if err != nil {
			assert.NotEmpty(t, err.Error())
			return
		}
		assert.Equal(t, stateVersion, st.Version)
		assert.Equal(t, pool.UIDStart, st.PoolUID)
		assert.Equal(t, pool.GIDStart, st.PoolGID)
		assert.Equal(t, pool.SlotSize, st.SlotSize)
		keys := map[string]bool{}
		for i, e := range st.Entries {
			assert.NotEmpty(t, e.Key)
			assert.False(t, keys[e.Key], "duplicate key %q", e.Key)
			keys[e.Key] = true
			assert.Less(t, e.Slot, pool.Slots)
			assert.Equal(t, pool.Range(e.Slot), e.Range)
			assert.NotZero(t, e.Range.UID)
			assert.NotZero(t, e.Range.GID)
			assert.NotEqual(t, e.Key, e.SharesWith)
			for _, o := range st.Entries[i+1:] {
				if e.Slot == o.Slot {
					// a shared slot: one range, at most one entry that allocated it
					assert.Equal(t, e.Range, o.Range)
					assert.True(t, e.SharesWith != "" || o.SharesWith != "", "%+v and %+v share a slot unmarked", e, o)
					continue
				}
				assert.False(t, e.Range.Overlaps(o.Range), "%+v overlaps %+v", e, o)
			}
		}
		// What was accepted can be written back and read again unchanged.
		out, err := encodeState(st)
		require.NoError(t, err)
		again, err := decodeState(out, pool)
		require.NoError(t, err)
		assert.Equal(t, len(st.Entries), len(again.Entries))
	})
}
