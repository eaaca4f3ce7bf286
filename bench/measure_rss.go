package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// supervisorRSS: the memory of the per-container supervisor (the seccomp
// agent, issue #4, and the FUSE server of the emulated files, issue #5):
// VmRSS of the supervisor processes (keeper and worker, summed) of a few
// sysbox-lite containers, and their PSS (shared pages divided among the
// processes that share them). When no supervisor process exists, the row
// is n/a.
type supervisorRSS struct{ containers int }

func (supervisorRSS) ID() string    { return "supervisor-rss" }
func (supervisorRSS) Title() string { return "supervisor RSS per container" }
func (supervisorRSS) Goal() string  { return "≤ 4 MiB" }

const (
	rssGoal  = 4 << 20
	rssLabel = benchLabel + ".rss"
)

func (m supervisorRSS) Run(ctx context.Context, e *Env) Outcome {
	n := max(m.containers, 1)
	var rss, pss []float64
	for i := 0; i < n; i++ {
		out, err := e.Docker(ctx, "run", "-d", "--network", "none", "--runtime", "sysbox-lite", "--label", benchLabel, "--label", rssLabel, imageBusybox, "sleep", "600")
		if err != nil {
			return failedOutcome(m, err)
		}
		id := containerID(out)
		defer e.Docker(context.Background(), "rm", "-f", id) //nolint:errcheck // teardown removes leftovers too
	}
	time.Sleep(time.Second) // let the supervisors settle (init's notify fd, FUSE)
	out, err := e.Docker(ctx, "ps", "-q", "--no-trunc", "--filter", "label="+rssLabel, "--filter", "status=running")
	if err != nil {
		return failedOutcome(m, err)
	}
	for _, id := range strings.Fields(string(out)) {
		pids, err := supervisorsOf(e.StateDir, id)
		if err != nil {
			return failedOutcome(m, err)
		}
		if len(pids) == 0 {
			continue
		}
		var r, p float64 // keeper and worker together
		for _, pid := range pids {
			pr, pp, err := memoryOf(pid)
			if err != nil {
				return failedOutcome(m, fmt.Errorf("supervisor %d: %w", pid, err))
			}
			r, p = r+pr, p+pp
		}
		rss, pss = append(rss, r), append(pss, p)
	}
	if len(rss) == 0 {
		out := naOutcome(m, "#4/#5")
		out.Details = "No supervisor process was found for the sysbox-lite containers of this run.\n"
		return out
	}
	r, p := Summarize(rss), Summarize(pss)
	bytesSummary := func(s Summary) string {
		return fmt.Sprintf("%s / %s / %s", FormatBytes(s.Min), FormatBytes(s.Median), FormatBytes(s.P90))
	}
	row := Row{
		Measure:   fmt.Sprintf("%s (VmRSS of the supervisor processes, keeper and worker, %d containers)", m.Title(), r.N),
		Short:     "supervisor RSS",
		Goal:      m.Goal(),
		Runc:      "– (no supervisor)",
		Sysbox:    bytesSummary(r),
		Result:    fmt.Sprintf("%s RSS, %s PSS (median)", FormatBytes(r.Median), FormatBytes(p.Median)),
		Status:    atMost(r.Median, rssGoal),
		Ratio:     nan(),
		GoalRatio: nan(),
	}
	details := fmt.Sprintf("Supervisors of %d idle sysbox-lite containers (`busybox sleep 600`), read on the host from /proc/PID/status and smaps_rollup:\n\n"+
		"| | min | median | p90 |\n|---|---|---|---|\n| RSS | %s | %s | %s |\n| PSS | %s | %s | %s |\n",
		r.N, FormatBytes(r.Min), FormatBytes(r.Median), FormatBytes(r.P90), FormatBytes(p.Min), FormatBytes(p.Median), FormatBytes(p.P90))
	o := Outcome{Rows: []Row{row}, Details: details}
	if row.Status == StatusMissed {
		o.Analysis = append(o.Analysis, fmt.Sprintf(
			"A container's supervision is two sysbox-lite processes, its keeper (which holds the kernel handles across a crash of the other) and its worker (the Go runtime, its heap and the pages of the binary each touches): %s resident together. "+
				"Their PSS, which shares the binary's pages among the processes that use them, is %s: that is closer to what each further container costs.",
			FormatBytes(r.Median), FormatBytes(p.Median)))
	}
	return o
}
