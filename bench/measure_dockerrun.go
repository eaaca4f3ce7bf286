package main

import (
	"context"
	"fmt"
)

// dockerRun: `docker run --rm --network none busybox true`, each runtime,
// interleaved; median and p90 of the client's wall time.
type dockerRun struct{ runs, warmup int }

func (dockerRun) ID() string { return "docker-run" }
func (dockerRun) Title() string {
	return "`docker run --rm --network none busybox true`"
}
func (dockerRun) Goal() string { return "median and p90 ≤ 1.10× runc" }

const dockerRunGoal = 1.10

func (m dockerRun) Run(ctx context.Context, e *Env) Outcome {
	var variants []Variant
	for _, rt := range runtimes {
		variants = append(variants, dockerRunVariant(e, rt.Name, rt.Name, imageBusybox, "true"))
	}
	samples, err := Interleave(ctx, m.runs, m.warmup, variants, progress(e, m.ID()))
	if err != nil {
		return failedOutcome(m, err)
	}
	r, s := samples.Summary("runc", "total"), samples.Summary("sysbox-lite", "total")
	med, p90 := Ratio(s.Median, r.Median), Ratio(s.P90, r.P90)
	row := Row{
		Measure:   m.Title() + fmt.Sprintf(" (%d runs each)", r.N),
		Short:     "docker run",
		Goal:      "≤ 1.10× runc (median and p90)",
		Runc:      FormatSummary(r),
		Sysbox:    FormatSummary(s),
		Result:    fmt.Sprintf("%s median, %s p90", FormatRatio(med), FormatRatio(p90)),
		Status:    worst(atMost(med, dockerRunGoal), atMost(p90, dockerRunGoal)),
		Ratio:     med,
		GoalRatio: dockerRunGoal,
	}
	chart := Chart{
		File:  "docker-run.svg",
		Title: "docker run --rm --network none busybox true",
		Note:  fmt.Sprintf("client wall time, %d interleaved runs per runtime", r.N),
		Panels: []Panel{{Groups: []Group{{Label: "docker run … true", Bars: []Bar{
			{Series: "runc", Summary: r}, {Series: "sysbox-lite", Summary: s},
		}}}}},
	}
	details := fmt.Sprintf("| runtime | runs | min | median | p90 | max |\n|---|---|---|---|---|---|\n%s%s\nsysbox-lite ÷ runc: median %s, p90 %s, min %s (an extra %s per container at the median).\n",
		summaryLine("runc", r), summaryLine("sysbox-lite", s), FormatRatio(med), FormatRatio(p90),
		FormatRatio(Ratio(s.Min, r.Min)), FormatTime(s.Median-r.Median))
	out := Outcome{Rows: []Row{row}, Charts: []Chart{chart}, Details: details}
	if row.Status == StatusMissed {
		out.Analysis = append(out.Analysis, fmt.Sprintf(
			"`docker run` costs %s more per container with sysbox-lite (median %s vs %s). "+
				"Through dockerd the container goes through the same create, start and delete as in the bare OCI lifecycle (containerd's shim passes `--pid-file` and does not poll `state`); "+
				"the lifecycle's breakdown (next) says which step pays.",
			FormatTime(s.Median-r.Median), FormatTime(s.Median), FormatTime(r.Median)))
	}
	return out
}

// summaryLine is one row of a details table.
func summaryLine(name string, s Summary) string {
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s |\n", name, s.N, FormatTime(s.Min), FormatTime(s.Median), FormatTime(s.P90), FormatTime(s.Max))
}

// progress reports rounds on the log, every few rounds.
func progress(e *Env, id string) func(done, total int) {
	return func(done, total int) {
		if done == total || done%10 == 0 {
			e.Logf("%s: %d/%d rounds", id, done, total)
		}
	}
}
