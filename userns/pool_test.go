package userns

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolRange(t *testing.T) {
	p := Pool{UIDStart: 100000, GIDStart: 300000, Slots: 4, SlotSize: 65536}
	assert.Equal(t, Range{UID: 100000, GID: 300000, Size: 65536}, p.Range(0))
	assert.Equal(t, Range{UID: 100000 + 3*65536, GID: 300000 + 3*65536, Size: 65536}, p.Range(3))
}

func TestPoolRangesAreDisjointAndNeverMapRoot(t *testing.T) {
	p := Pool{UIDStart: 1, GIDStart: 7, Slots: 50, SlotSize: 1000}
	require.NoError(t, p.Validate())
	for i := uint32(0); i < p.Slots; i++ {
		r := p.Range(i)
		assert.NotZero(t, r.UID)
		assert.NotZero(t, r.GID)
		for j := i + 1; j < p.Slots; j++ {
			assert.False(t, r.Overlaps(p.Range(j)), "slots %d and %d overlap", i, j)
		}
	}
}

func TestPoolValidate(t *testing.T) {
	const maxEnd = math.MaxUint32 // exclusive end allowed: the last ID mapped is MaxUint32-1
	tests := []struct {
		name    string
		pool    Pool
		wantErr string
	}{
		{"ok", Pool{UIDStart: 1 << 20, GIDStart: 1 << 20, Slots: 4096, SlotSize: 65536}, ""},
		{"zero slot size", Pool{UIDStart: 1, GIDStart: 1, Slots: 1}, "slot size is 0"},
		{"no slots", Pool{UIDStart: 1, GIDStart: 1, SlotSize: 1}, "no slots"},
		{"maps host uid 0", Pool{UIDStart: 0, GIDStart: 1, Slots: 1, SlotSize: 1}, "host uid 0"},
		{"maps host gid 0", Pool{UIDStart: 1, GIDStart: 0, Slots: 1, SlotSize: 1}, "host gid 0"},
		{"uid overflow", Pool{UIDStart: math.MaxUint32 - 10, GIDStart: 1, Slots: 2, SlotSize: 10}, "end past uid"},
		{"gid overflow", Pool{UIDStart: 1, GIDStart: math.MaxUint32 - 10, Slots: 2, SlotSize: 10}, "end past gid"},
		{"slots times size overflows uint32", Pool{UIDStart: 1, GIDStart: 1, Slots: 1 << 16, SlotSize: 1 << 16}, "end past uid"},
		{"ends exactly below -1", Pool{UIDStart: maxEnd - 20, GIDStart: maxEnd - 20, Slots: 2, SlotSize: 10}, ""},
		{"would map -1", Pool{UIDStart: maxEnd - 19, GIDStart: 1, Slots: 2, SlotSize: 10}, "end past uid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.pool.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestRangeOverlaps(t *testing.T) {
	a := Range{UID: 100, GID: 1000, Size: 10}
	assert.True(t, a.Overlaps(a))
	assert.False(t, a.Overlaps(Range{UID: 110, GID: 1010, Size: 10}), "adjacent ranges")
	assert.True(t, a.Overlaps(Range{UID: 109, GID: 5000, Size: 10}), "uids overlap")
	assert.True(t, a.Overlaps(Range{UID: 5000, GID: 995, Size: 10}), "gids overlap")
	assert.False(t, a.Overlaps(Range{UID: 100, GID: 1000}), "empty range")
	assert.True(t, Range{UID: math.MaxUint32 - 1, GID: 1, Size: 1}.Overlaps(Range{UID: math.MaxUint32 - 5, GID: 2, Size: 10}))
}
