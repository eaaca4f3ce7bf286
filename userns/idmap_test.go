package userns

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSingleIdmap(t *testing.T) {
	r := Range{UID: 1048576, GID: 1048576, Size: 65536}
	m, err := SingleIdmap(r, 0, 0, 1000, 1000, []uint32{27, 1000, 0, 100, 70000})
	require.NoError(t, err)
	assert.Equal(t, []IDLine{{Disk: 1000, Host: 1048576, Size: 1}}, m.UID)
	assert.Equal(t, []IDLine{
		{Disk: 1000, Host: 1048576, Size: 1},
		{Disk: 27, Host: 1048576 + 27, Size: 1},
		{Disk: 100, Host: 1048576 + 100, Size: 1},
	}, m.GID, "the primary group, then the others: not twice, not the container's own GID (0), not outside the range")
	_, err = SingleIdmap(r, 70000, 0, 1000, 1000, nil)
	assert.Error(t, err)
}
