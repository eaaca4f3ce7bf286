package main

import (
	"math"
	"sort"
)

// Summary describes a set of samples.
type Summary struct {
	N                     int
	Min, Median, P90, Max float64
}

// Summarize computes min, median, p90 and max of xs (which it does not
// modify). Quantiles interpolate linearly between the closest ranks (the
// median of an even count is the mean of the middle two). An empty input
// gives a Summary with N == 0 and NaN values.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		nan := math.NaN()
		return Summary{Min: nan, Median: nan, P90: nan, Max: nan}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return Summary{
		N:      len(s),
		Min:    s[0],
		Median: quantile(s, 0.5),
		P90:    quantile(s, 0.9),
		Max:    s[len(s)-1],
	}
}

// quantile of sorted s at q in [0, 1], linear between closest ranks.
func quantile(s []float64, q float64) float64 {
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	if lo == hi {
		return s[lo]
	}
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// Ratio is a/b, NaN when either is unusable (b zero, NaN or infinite).
func Ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.NaN()
	}
	return a / b
}

// Valid says whether the summary has samples.
func (s Summary) Valid() bool { return s.N > 0 }
