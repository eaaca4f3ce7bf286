package main

import "strings"

// RenderTable renders the summary rows as a Markdown table.
func RenderTable(rows []Row) string {
	var b strings.Builder
	b.WriteString("| measure | goal | runc (min / median / p90) | sysbox-lite (min / median / p90) | result (sysbox-lite ÷ runc) | verdict |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, r := range rows {
		cells := []string{r.Measure, r.Goal, r.Runc, r.Sysbox, r.Result, r.Status.String()}
		for i, c := range cells {
			cells[i] = cell(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// cell makes text safe inside a table cell: one line, pipes escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "–"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}
