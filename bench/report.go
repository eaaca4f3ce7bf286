package main

import (
	"fmt"
	"math"
	"path"
	"strings"
	"time"
)

// Result is one measure's outcome.
type Result struct {
	Measure Measure
	Outcome Outcome
	Load    string // load average (1, 5, 15 min) when the measure started
}

// Report is everything one run produced.
type Report struct {
	Machine  Machine
	Options  Options
	Results  []Result
	Duration time.Duration
}

// Rows are the summary rows of every measure, in order.
func (r Report) Rows() []Row {
	var rows []Row
	for _, res := range r.Results {
		rows = append(rows, res.Outcome.Rows...)
	}
	return rows
}

// Analysis collects the measures' notes on missed goals.
func (r Report) Analysis() []string {
	var out []string
	for _, res := range r.Results {
		out = append(out, res.Outcome.Analysis...)
	}
	return out
}

// Charts are every measure's plots and the ratios overview, in order.
func (r Report) Charts() []Chart {
	charts := []Chart{r.RatiosChart()}
	for _, res := range r.Results {
		charts = append(charts, res.Outcome.Charts...)
	}
	return charts
}

// RatiosChart plots, for every row with a ratio, sysbox-lite ÷ runc (or the
// ratio its goal is about) against the goal.
func (r Report) RatiosChart() Chart {
	var groups []Group
	for _, row := range r.Rows() {
		if math.IsNaN(row.Ratio) || math.IsInf(row.Ratio, 0) {
			continue
		}
		g := Group{Label: row.Short, Bars: []Bar{{Series: ratioSeries, Summary: Summary{N: 1, Min: row.Ratio, Median: row.Ratio, P90: row.Ratio, Max: row.Ratio}}}}
		if !math.IsNaN(row.GoalRatio) {
			g.Goal = row.GoalRatio
		}
		groups = append(groups, g)
	}
	clip := 0.0
	for _, g := range groups {
		if g.Bars[0].Summary.Median > 3 {
			clip = 3 // keep the others readable; the label says the value
		}
	}
	return Chart{
		File:   "ratios.svg",
		Title:  "sysbox-lite relative to runc, per measure",
		Note:   "medians; the many-file row is sysbox-lite's own many-file ÷ busybox ratio; dashed: the goal; a cut bar is longer than the axis",
		Panels: []Panel{{Unit: UnitRatio, Groups: groups, Clip: clip}},
	}
}

// methodNotes describe how the numbers were taken.
func (r Report) methodNotes() []string {
	o := r.Options
	return []string{
		"One private dockerd + containerd pair (`hack/private-daemon.sh`: `--bridge=none --iptables=false`), with sysbox-lite registered next to docker's default `runc` through daemon.json `runtimes` (`runtimeArgs: [--sysbox-config …]`; its ID pool, state and audit log live in the run's temporary directory). Real runc, real dockerd; every container runs with `--network none`.",
		"Containers are **not** privileged, for both runtimes: plain runc cannot run `--privileged` on this machine. The one exception is the trapped-call row: a trapped mount needs a privileged caller, so its sysbox-lite container is `--privileged`, and runc's column there is only a reference (a non-privileged container's umount, refused by the seccomp filter).",
		fmt.Sprintf("Interleaved: every round runs each variant once, in order A B then B A (reversed every other round), so that neither side always goes first; %d warm-up round(s) per measure are dropped. Runs per variant: docker run and the OCI lifecycle %d, the image comparison %d, the syscall loops %d.", o.Warmup, o.Runs, o.ImageRuns, o.LoopRuns),
		"Each sample is the wall time around one client command (the docker CLI, or the runc / sysbox-lite binary), including that client's own start-up, which is the same for both sides. The syscall loops time themselves inside the container (`probe loop`), so `docker exec` is not counted.",
		"Statistics: min, median and p90 (linear interpolation between the closest ranks); the ratio is sysbox-lite's median ÷ runc's median. Absolute times on a shared VM are noise; the ratios are the result.",
		"Goal \"1.00–1.02×\" is checked as ≤ 1.02: sysbox-lite traps nothing on these calls, so a ratio under 1.00 is noise.",
	}
}

// notMeasured lists what this run could not measure, and why.
func (r Report) notMeasured() []string {
	var out []string
	for _, row := range r.Rows() {
		if row.Status == StatusNA {
			out = append(out, fmt.Sprintf("%s (goal %s): %s.", row.Measure, row.Goal, row.Result))
		}
	}
	out = append(out,
		"`--privileged` containers side by side: plain runc cannot run them on this machine, so there is no baseline; sysbox-lite's extra work under `--privileged` (device and mask confinement) is not in the start-time numbers.",
		"Containers with networking: the benchmark's daemon has networking off by design (`--network none`).",
	)
	return out
}

// ResultsMarkdown is results.md.
func (r Report) ResultsMarkdown() string {
	var b strings.Builder
	b.WriteString("# sysbox-lite benchmarks: sysbox-lite vs plain runc\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (`go run ./bench`) on %s; the run took %s. Regenerate with `sudo make bench`.\n\n",
		r.Machine.Date, r.Duration.Round(time.Second))
	b.WriteString("## Summary\n\n")
	b.WriteString(RenderTable(r.Rows()))
	b.WriteString("\n![sysbox-lite ÷ runc per measure](ratios.svg)\n\n")
	b.WriteString("## Where the time goes\n\n")
	b.WriteString(r.analysisMarkdown())
	b.WriteString("\n## Machine\n\n```\n")
	b.WriteString(strings.Join(r.Machine.Lines(), "\n"))
	b.WriteString("\n```\n\n## Method\n\n")
	for _, n := range r.methodNotes() {
		b.WriteString("- " + n + "\n")
	}
	b.WriteString("\n## Details\n")
	for _, res := range r.Results {
		o := res.Outcome
		if o.Details == "" && len(o.Charts) == 0 && o.Err == nil {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", res.Measure.Title())
		if o.Err != nil {
			fmt.Fprintf(&b, "The measurement failed: `%s`\n\n", firstLine(o.Err.Error()))
		}
		if res.Load != "" {
			fmt.Fprintf(&b, "Load average (1, 5, 15 min) when this measure started: %s (%d CPUs).\n\n", res.Load, r.Machine.CPUs)
		}
		if o.Details != "" {
			b.WriteString(strings.TrimSpace(o.Details) + "\n\n")
		}
		for _, c := range o.Charts {
			fmt.Fprintf(&b, "![%s](%s)\n\n", c.Title, c.File)
		}
	}
	b.WriteString("## Not measured\n\n")
	for _, n := range r.notMeasured() {
		b.WriteString("- " + n + "\n")
	}
	return b.String()
}

func (r Report) analysisMarkdown() string {
	a := r.Analysis()
	if len(a) == 0 {
		return "Every goal that could be measured was met.\n"
	}
	var b strings.Builder
	for _, s := range a {
		b.WriteString("- " + s + "\n")
	}
	return b.String()
}

// ReadmeSection is the README's generated part; resultsDir is the results
// folder relative to the README.
func (r Report) ReadmeSection(resultsDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated by `sudo make bench` (do not edit between the markers): sysbox-lite and plain runc measured in one run on the same machine, interleaved, "+
		"through a private dockerd, non-privileged containers with `--network none`. Read the ratios: absolute times on a shared VM are noise. "+
		"Last run: %s on %s; load average %s before the run (other work on the VM adds noise). Method, machine, raw summaries and all plots: [%s](%s).\n\n",
		r.Machine.Date, r.Machine.OneLine(), r.Machine.LoadBefore, path.Join(resultsDir, "results.md"), path.Join(resultsDir, "results.md"))
	b.WriteString(RenderTable(r.Rows()))
	fmt.Fprintf(&b, "\n![sysbox-lite ÷ runc per measure](%s)\n\n", path.Join(resultsDir, "ratios.svg"))
	b.WriteString("Where the time goes:\n\n")
	b.WriteString(r.analysisMarkdown())
	return b.String()
}
