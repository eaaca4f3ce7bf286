package seccomp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInflightSurvivesItsUser: what one mapping of the table records, a
// second mapping of the same memfd (the next supervisor) finds, once.
func TestInflightSurvivesItsUser(t *testing.T) {
	f, err := NewInflightFile()
	require.NoError(t, err)
	defer f.Close()
	a, err := MapInflight(f)
	require.NoError(t, err)
	s1 := a.Begin(3, 1001)
	s2 := a.Begin(4, 1002)
	s3 := a.Begin(3, 1003)
	a.End(s2)
	_ = s1
	_ = s3

	b, err := MapInflight(f)
	require.NoError(t, err)
	assert.ElementsMatch(t, []Pending{{3, 1001}, {3, 1003}}, b.Pending(), "the calls left unanswered")
	assert.Empty(t, b.Pending(), "and only once")
	slot := b.Begin(9, 1)
	b.End(slot)
	assert.Empty(t, b.Pending())
}
