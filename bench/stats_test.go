package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name                  string
		in                    []float64
		min, median, p90, max float64
	}{
		{"one", []float64{5}, 5, 5, 5, 5},
		{"two", []float64{4, 2}, 2, 3, 3.8, 4},
		{"odd", []float64{3, 1, 2}, 1, 2, 2.8, 3},
		{"ten", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 1, 5.5, 9.1, 10},
		{"eleven", []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 5, 9, 10},
		{"ties", []float64{7, 7, 7, 7}, 7, 7, 7, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.in...)
			s := Summarize(in)
			assert.Equal(t, len(tt.in), s.N)
			assert.InDelta(t, tt.min, s.Min, 1e-9)
			assert.InDelta(t, tt.median, s.Median, 1e-9)
			assert.InDelta(t, tt.p90, s.P90, 1e-9)
			assert.InDelta(t, tt.max, s.Max, 1e-9)
			assert.Equal(t, tt.in, in, "the input is not reordered")
			assert.True(t, s.Valid())
		})
	}
}

func TestSummarizeEmpty(t *testing.T) {
	s := Summarize(nil)
	assert.Equal(t, 0, s.N)
	assert.False(t, s.Valid())
	assert.True(t, math.IsNaN(s.Median))
	assert.True(t, math.IsNaN(s.P90))
}

func TestRatio(t *testing.T) {
	assert.InDelta(t, 1.25, Ratio(5, 4), 1e-12)
	for _, bad := range [][2]float64{{1, 0}, {math.NaN(), 1}, {1, math.NaN()}, {math.Inf(1), 1}, {1, math.Inf(1)}} {
		require.True(t, math.IsNaN(Ratio(bad[0], bad[1])), "%v", bad)
	}
}

func TestAtMostAndWorst(t *testing.T) {
	assert.Equal(t, StatusMet, atMost(1.10, 1.10))
	assert.Equal(t, StatusMissed, atMost(1.1001, 1.10))
	assert.Equal(t, StatusMissed, atMost(math.NaN(), 1.10))
	assert.Equal(t, StatusMet, worst())
	assert.Equal(t, StatusMissed, worst(StatusMet, StatusMissed, StatusNA))
	assert.Equal(t, StatusFailed, worst(StatusMissed, StatusFailed))
	assert.Equal(t, StatusNA, worst(StatusMet, StatusNA))
}
