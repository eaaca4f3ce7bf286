//go:build linux

package integration

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParallelRanges starts 20 containers at once and checks on the host
// that their ID ranges are pairwise disjoint, never map host ID 0, and match
// the allocator's record; once all are removed, the allocator is empty.
func TestParallelRanges(t *testing.T) {
	s := setup(t)
	n := 20
	if os.Getenv("SBL_LONG") != "" {
		n = 100 // the long run: `SBL_LONG=1 make integration`
	}
	names := make([]string, n)
	for i := range names {
		names[i] = s.container(t, fmt.Sprint(i))
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.docker(t, append(runArgs("-d", "--name", names[i], testImage), "sleep", "1000")...)
		}()
	}
	wg.Wait()
	for i, r := range results {
		require.Zero(t, r.Code, "container %d: %s", i, r)
	}

	type ranges struct{ uid, gid idMap }
	got := make([]ranges, n)
	for i, name := range names {
		pid := s.initPID(t, name)
		uidMap, gidMap := hostIDMaps(t, pid)
		got[i] = ranges{
			uid: requirePoolRange(t, name+" uid_map", uidMap),
			gid: requirePoolRange(t, name+" gid_map", gidMap),
		}
	}
	overlap := func(a, b idMap) bool {
		return a.Outside < b.Outside+b.Size && b.Outside < a.Outside+a.Size
	}
	for i := range got {
		assert.NotZero(t, got[i].uid.Outside, "%s maps host uid 0", names[i])
		assert.NotZero(t, got[i].gid.Outside, "%s maps host gid 0", names[i])
		for j := i + 1; j < n; j++ {
			assert.False(t, overlap(got[i].uid, got[j].uid), "uid ranges of %s %+v and %s %+v overlap", names[i], got[i].uid, names[j], got[j].uid)
			assert.False(t, overlap(got[i].gid, got[j].gid), "gid ranges of %s %+v and %s %+v overlap", names[i], got[i].gid, names[j], got[j].gid)
		}
	}

	// the allocator's record is what the kernel shows
	entries := s.allocEntries(t)
	require.Len(t, entries, n)
	var recorded, observed []uint64
	for _, e := range entries {
		recorded = append(recorded, e.Range.UID)
	}
	for _, r := range got {
		observed = append(observed, r.uid.Outside)
	}
	sort.Slice(recorded, func(i, j int) bool { return recorded[i] < recorded[j] })
	sort.Slice(observed, func(i, j int) bool { return observed[i] < observed[j] })
	assert.Equal(t, recorded, observed, "allocated uid bases vs. the bases init processes run with")

	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.docker(t, "rm", "-f", names[i])
		}()
	}
	wg.Wait()
	for i, r := range results {
		require.Zero(t, r.Code, "rm container %d: %s", i, r)
	}
	assert.Empty(t, s.allocEntries(t), "allocator entries after removing all containers")
}
