package seccomp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRateLimit(t *testing.T) {
	var r rateLimit
	t0 := time.Unix(1000, 0)
	for i := 0; i < auditMax; i++ {
		ok, n := r.allow(t0.Add(time.Duration(i) * time.Millisecond))
		assert.True(t, ok)
		assert.Zero(t, n)
	}
	for i := 0; i < 5; i++ {
		ok, _ := r.allow(t0.Add(time.Second))
		assert.False(t, ok, "over the limit within the window")
	}
	ok, n := r.allow(t0.Add(auditWindow + time.Second))
	assert.True(t, ok, "a new window")
	assert.Equal(t, 5, n, "the first event of the new window says how many were dropped")
	ok, n = r.allow(t0.Add(auditWindow + 2*time.Second))
	assert.True(t, ok)
	assert.Zero(t, n)
}
