package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// timeUnit is a display unit for nanosecond values.
type timeUnit struct {
	name  string
	scale float64 // nanoseconds per unit
}

var timeUnits = []timeUnit{{"ns", 1}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}}

// unitFor picks the largest unit in which ns is at least 1.
func unitFor(ns float64) timeUnit {
	u := timeUnits[0]
	for _, c := range timeUnits[1:] {
		if math.Abs(ns) >= c.scale {
			u = c
		}
	}
	return u
}

// sig3 formats v with three significant digits, without exponent
// (e.g. 212, 21.2, 2.12, 0.212).
func sig3(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v == 0 {
		return "0"
	}
	digits := int(math.Floor(math.Log10(math.Abs(v)))) + 1
	dec := 3 - digits
	if dec < 0 {
		dec = 0
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// FormatTime formats nanoseconds with a fitting unit: "212 ms", "1.52 µs".
func FormatTime(ns float64) string {
	if math.IsNaN(ns) || math.IsInf(ns, 0) {
		return "n/a"
	}
	u := unitFor(ns)
	return sig3(ns/u.scale) + " " + u.name
}

// FormatSummary formats "min / median / p90 unit" in the median's unit.
func FormatSummary(s Summary) string {
	if !s.Valid() {
		return "n/a"
	}
	u := unitFor(s.Median)
	return fmt.Sprintf("%s / %s / %s %s", sig3(s.Min/u.scale), sig3(s.Median/u.scale), sig3(s.P90/u.scale), u.name)
}

// FormatRatio formats a ratio as "1.17×" (two decimals).
func FormatRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// FormatCount formats an integer with thin-space-free thousands separators
// ("50 000" style with a plain space).
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
