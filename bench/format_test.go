package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatTime(t *testing.T) {
	tests := map[float64]string{
		0:          "0 ns",
		95.34:      "95.3 ns",
		999:        "999 ns",
		1000:       "1.00 µs",
		1520:       "1.52 µs",
		212e6:      "212 ms",
		21.26e6:    "21.3 ms",
		1.234e9:    "1.23 s",
		123.4e9:    "123 s",
		-35e6:      "-35.0 ms",
		math.NaN(): "n/a",
	}
	for in, want := range tests {
		assert.Equal(t, want, FormatTime(in), "%v", in)
	}
}

func TestFormatSummaryUsesTheMediansUnit(t *testing.T) {
	s := Summary{N: 3, Min: 950e3, Median: 1.2e6, P90: 15e6, Max: 20e6}
	assert.Equal(t, "0.950 / 1.20 / 15.0 ms", FormatSummary(s))
	assert.Equal(t, "n/a", FormatSummary(Summary{}))
}

func TestFormatRatioAndCount(t *testing.T) {
	assert.Equal(t, "1.17×", FormatRatio(1.1666))
	assert.Equal(t, "n/a", FormatRatio(math.NaN()))
	assert.Equal(t, "50 000", FormatCount(50000))
	assert.Equal(t, "1 234 567", FormatCount(1234567))
	assert.Equal(t, "999", FormatCount(999))
	assert.Equal(t, "-1 000", FormatCount(-1000))
}
