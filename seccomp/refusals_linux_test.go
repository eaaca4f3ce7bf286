package seccomp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestRefusalsBounded(t *testing.T) {
	var r refusals
	_, ok := r.get(1)
	assert.False(t, ok)
	r.put(1, "no")
	reason, ok := r.get(1)
	require.True(t, ok)
	assert.Equal(t, "no", reason)
	for i := uint64(2); i <= refusalCacheSize+1; i++ {
		r.put(i, "no")
	}
	assert.LessOrEqual(t, len(r.m), refusalCacheSize)
}

// TestUniqueMountRoot: / is a mount root; a directory below it is not; both
// are on the same mount.
func TestUniqueMountRoot(t *testing.T) {
	root, err := unix.Open("/", unix.O_PATH|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(root)
	id, isRoot, ok := uniqueMountRoot(root)
	if !ok {
		t.Skip("this kernel has no unique mount IDs (Linux < 6.8): the cache stays empty")
	}
	assert.True(t, isRoot)
	assert.Greater(t, id, uint64(1<<31), "unique IDs start above the old ID space")
}
