package main

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRenderTable(t *testing.T) {
	rows := []Row{
		{Measure: "docker run", Goal: "≤ 1.10× runc", Runc: "1 / 2 / 3 ms", Sysbox: "2 / 3 / 4 ms", Result: "1.50× median", Status: StatusMissed},
		{Measure: "a | b", Goal: "≤ 2×", Runc: "", Sysbox: "x\ny", Result: "1.00×", Status: StatusMet},
		naOutcome(trapRoundTrip{}, "#4").Rows[0],
	}
	got := RenderTable(rows)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	assert.Len(t, lines, 5)
	assert.Equal(t, "|---|---|---|---|---|---|", lines[1])
	assert.Equal(t, "| docker run | ≤ 1.10× runc | 1 / 2 / 3 ms | 2 / 3 / 4 ms | 1.50× median | **missed** |", lines[2])
	assert.Equal(t, `| a \| b | ≤ 2× | – | x y | 1.00× | met |`, lines[3], "pipes escaped, empty cells dashed, one line per row")
	assert.Equal(t, "| trapped call round trip (a denied umount, a performed tmpfs mount) | ≤ 20 µs denied | – | – | n/a — not implemented yet (issue #4) | n/a |", lines[4])
	for _, l := range lines {
		assert.Equal(t, 7, strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"), l)
	}
}

func TestNAOutcomesHaveNoNumbers(t *testing.T) {
	for _, m := range []Measure{trapRoundTrip{}, procEmulation{}, supervisorRSS{}} {
		out := naOutcome(m, "#4/#5")
		if assert.Len(t, out.Rows, 1) {
			r := out.Rows[0]
			assert.Equal(t, StatusNA, r.Status)
			assert.Equal(t, "n/a — not implemented yet (issue #4/#5)", r.Result)
			assert.Equal(t, m.Goal(), r.Goal)
			assert.Equal(t, "–", r.Runc)
			assert.Equal(t, "–", r.Sysbox)
			assert.True(t, math.IsNaN(r.Ratio))
		}
		assert.NoError(t, out.Err)
		assert.Empty(t, out.Charts)
	}
}
