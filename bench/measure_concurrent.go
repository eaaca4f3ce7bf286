package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// concurrentStart: n `docker run -d … sleep 60` at once (one goroutine
// each), for each runtime in turn (runc's batch first, then sysbox-lite's):
// wall time until every client has returned (docker run -d returns once the
// container runs), failures, then all removed at once.
type concurrentStart struct{ n int }

func (concurrentStart) ID() string { return "concurrent" }
func (c concurrentStart) Title() string {
	return fmt.Sprintf("%d containers started concurrently: wall time, failures", c.n)
}
func (concurrentStart) Goal() string { return "0 failures" }

// batch is one runtime's result.
type batch struct {
	wall, removeWall time.Duration
	perClient        Summary // each client's own run time
	started, running int
	errs             []string
}

func (b batch) failures(n int) int { return n - b.running }

func (c concurrentStart) Run(ctx context.Context, e *Env) Outcome {
	results := map[string]batch{}
	for _, rt := range runtimes {
		e.Logf("%s: starting %d %s containers at once", c.ID(), c.n, rt.Name)
		b, err := c.batch(ctx, e, rt.Name)
		if err != nil {
			return failedOutcome(c, err)
		}
		results[rt.Name] = b
	}
	return c.report(results)
}

func (c concurrentStart) batch(ctx context.Context, e *Env, runtime string) (batch, error) {
	label := benchLabel + ".batch=" + runtime
	errs := make([]error, c.n)
	took := make([]float64, c.n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < c.n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t := time.Now()
			_, errs[i] = e.Docker(ctx, "run", "-d", "--network", "none", "--runtime", runtime,
				"--label", benchLabel, "--label", label, imageBusybox, "sleep", "60")
			took[i] = float64(time.Since(t).Nanoseconds())
		}(i)
	}
	wg.Wait()
	b := batch{wall: time.Since(start), perClient: Summarize(took)}
	if err := ctx.Err(); err != nil {
		return b, err
	}
	seen := map[string]bool{}
	for _, err := range errs {
		if err != nil {
			if msg := firstLine(err.Error()); !seen[msg] && len(b.errs) < 3 {
				seen[msg] = true
				b.errs = append(b.errs, msg)
			}
			continue
		}
		b.started++
	}
	out, err := e.Docker(ctx, "ps", "-q", "--filter", "label="+label, "--filter", "status=running")
	if err != nil {
		return b, err
	}
	b.running = len(strings.Fields(string(out)))

	// remove the whole batch (every container with the label, started or not)
	out, err = e.Docker(ctx, "ps", "-aq", "--filter", "label="+label)
	if err != nil {
		return b, err
	}
	all := strings.Fields(string(out))
	rmErrs := make([]error, len(all))
	start = time.Now()
	for i, id := range all {
		wg.Add(1)
		go func(i int, id string) {
			defer wg.Done()
			_, rmErrs[i] = e.Docker(ctx, "rm", "-f", id)
		}(i, id)
	}
	wg.Wait()
	b.removeWall = time.Since(start)
	for _, err := range rmErrs {
		if err != nil {
			return b, fmt.Errorf("remove the %s batch: %w", runtime, err)
		}
	}
	return b, nil
}

func (c concurrentStart) report(res map[string]batch) Outcome {
	r, s := res["runc"], res["sysbox-lite"]
	cell := func(b batch) string {
		return fmt.Sprintf("%s, %d failures", FormatTime(float64(b.wall.Nanoseconds())), b.failures(c.n))
	}
	ratio := Ratio(float64(s.wall), float64(r.wall))
	status := StatusMet
	if s.failures(c.n) > 0 {
		status = StatusMissed
	}
	row := Row{
		Measure:   fmt.Sprintf("%d × `docker run -d --network none busybox sleep 60` at once: wall time until all run, failures (runc's batch first)", c.n),
		Short:     fmt.Sprintf("%d at once (wall)", c.n),
		Goal:      c.Goal(),
		Runc:      cell(r),
		Sysbox:    cell(s),
		Result:    fmt.Sprintf("%d failures; wall %s", s.failures(c.n), FormatRatio(ratio)),
		Status:    status,
		Ratio:     ratio,
		GoalRatio: math.NaN(),
	}
	var d strings.Builder
	fmt.Fprintf(&d, "%d clients started at once per runtime, runc's batch first, then sysbox-lite's (each batch removed, also all at once, before the next).\n\n", c.n)
	d.WriteString("| runtime | wall until all run | failures | one client's `docker run -d` (min / median / p90) | removing all (`docker rm -f`, concurrently) |\n|---|---|---|---|---|\n")
	names := make([]string, 0, len(res))
	for _, rt := range runtimes {
		names = append(names, rt.Name)
	}
	for _, n := range names {
		b := res[n]
		fmt.Fprintf(&d, "| %s | %s | %d | %s | %s |\n", n, FormatTime(float64(b.wall.Nanoseconds())), b.failures(c.n), FormatSummary(b.perClient), FormatTime(float64(b.removeWall.Nanoseconds())))
	}
	for _, n := range names {
		if errs := res[n].errs; len(errs) > 0 {
			sort.Strings(errs)
			fmt.Fprintf(&d, "\n%s errors (first distinct ones): %s\n", n, "`"+strings.Join(errs, "`; `")+"`")
		}
	}
	one := func(ns float64) Summary { return Summary{N: 1, Min: ns, Median: ns, P90: ns, Max: ns} }
	chart := Chart{
		File:  "concurrent.svg",
		Title: fmt.Sprintf("%d containers started at once (docker run -d … sleep 60)", c.n),
		Note:  fmt.Sprintf("one batch per runtime, runc first; failures: runc %d, sysbox-lite %d", r.failures(c.n), s.failures(c.n)),
		Panels: []Panel{
			{Title: "wall time", Groups: []Group{
				{Label: "until all run", Bars: []Bar{{Series: "runc", Summary: one(float64(r.wall))}, {Series: "sysbox-lite", Summary: one(float64(s.wall))}}},
				{Label: "removing all", Bars: []Bar{{Series: "runc", Summary: one(float64(r.removeWall))}, {Series: "sysbox-lite", Summary: one(float64(s.removeWall))}}},
			}},
			{Title: "one client", Groups: []Group{
				{Label: "docker run -d", Bars: []Bar{{Series: "runc", Summary: r.perClient}, {Series: "sysbox-lite", Summary: s.perClient}}},
			}},
		},
	}
	out := Outcome{Rows: []Row{row}, Charts: []Chart{chart}, Details: d.String()}
	if status == StatusMissed {
		out.Analysis = append(out.Analysis, fmt.Sprintf("%d of %d sysbox-lite containers did not start; first errors: %s",
			s.failures(c.n), c.n, strings.Join(s.errs, "; ")))
	}
	return out
}
