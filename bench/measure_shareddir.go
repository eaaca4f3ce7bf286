package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sharedDirIO: a build's small-file churn (`probe loop files N /w`: mkdir,
// create + write 4 KiB, stat, read, write, rename, chmod, readdir, unlink,
// rmdir) in a bind-mounted host directory owned by uid 1000, as root
// inside. Under sysbox-lite the bind is idmapped to the owner (see
// README, Shared host directories); under runc it is a plain bind. One
// long-running container per runtime, interleaved samples.
type sharedDirIO struct{ runs, warmup int }

func (sharedDirIO) ID() string    { return "shared-dir-io" }
func (sharedDirIO) Title() string { return "small-file churn in a shared host directory" }
func (sharedDirIO) Goal() string  { return "≤ 1.10× runc" }

const (
	sharedDirGoal  = 1.10
	sharedDirFiles = 2000 // rounds per sample (~0.1–0.3 s)
)

func (m sharedDirIO) Run(ctx context.Context, e *Env) Outcome {
	names := map[string]string{}
	for _, rt := range runtimes {
		dir := filepath.Join(e.Tmp, "share-"+rt.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return failedOutcome(m, err)
		}
		if err := os.Chown(dir, 1000, 1000); err != nil {
			return failedOutcome(m, err)
		}
		name := "sblb-share-" + rt.Name
		remove, err := startProbeContainer(ctx, e, name, rt.Name, "-v", dir+":/w")
		defer remove()
		if err != nil {
			return failedOutcome(m, err)
		}
		names[rt.Name] = name
	}
	var variants []Variant
	for _, rt := range runtimes {
		container := names[rt.Name]
		variants = append(variants, Variant{Name: rt.Name, Run: func(ctx context.Context, _ int) (map[string]float64, error) {
			ns, _, err := probeLoop(ctx, e, container, "files", strconv.Itoa(sharedDirFiles), "/w")
			if err != nil {
				return nil, err
			}
			return map[string]float64{"nsop": ns}, nil
		}})
	}
	samples, err := Interleave(ctx, m.runs, m.warmup, variants, progress(e, m.ID()))
	if err != nil {
		return failedOutcome(m, err)
	}
	return m.report(samples)
}

func (m sharedDirIO) report(samples Samples) Outcome {
	r, s := samples.Summary("runc", "nsop"), samples.Summary("sysbox-lite", "nsop")
	ratio := Ratio(s.Median, r.Median)
	out := Outcome{Rows: []Row{{
		Measure:   fmt.Sprintf("%s: one round of 11 calls (%d samples of %s rounds)", m.Title(), r.N, FormatCount(sharedDirFiles)),
		Short:     "shared dir churn",
		Goal:      m.Goal(),
		Runc:      FormatSummary(r),
		Sysbox:    FormatSummary(s),
		Result:    FormatRatio(ratio) + " median",
		Status:    atMost(ratio, sharedDirGoal),
		Ratio:     ratio,
		GoalRatio: sharedDirGoal,
	}}}
	var d strings.Builder
	d.WriteString("| runtime | samples | min | median | p90 | max |\n|---|---|---|---|---|---|\n")
	for _, x := range []struct {
		rt string
		s  Summary
	}{{"runc", r}, {"sysbox-lite", s}} {
		fmt.Fprintf(&d, "| %s | %d | %s | %s | %s | %s |\n", x.rt, x.s.N, FormatTime(x.s.Min), FormatTime(x.s.Median), FormatTime(x.s.P90), FormatTime(x.s.Max))
	}
	d.WriteString("\nUnder sysbox-lite the directory is an idmapped bind (the container's root is its owner, uid 1000, and nothing else is mapped): the kernel maps owners on each permission check and on each create, with no process or round trip of sysbox-lite's in the data path.\n")
	out.Details = d.String()
	if out.Rows[0].Status == StatusMissed {
		out.Analysis = append(out.Analysis, fmt.Sprintf("the churn costs %s per round with sysbox-lite vs %s with runc (%s): the idmapped mount's owner mapping is the only difference in the path", FormatTime(s.Median), FormatTime(r.Median), FormatRatio(ratio)))
	}
	out.Charts = []Chart{{
		File:   "shared-dir-io.svg",
		Title:  "small-file churn in a bind-mounted host directory (per round)",
		Note:   fmt.Sprintf("probe loop files in a running container, %d interleaved samples per runtime", r.N),
		Panels: []Panel{{Title: "per round", Groups: []Group{{Label: "per round", Bars: []Bar{{Series: "runc", Summary: r}, {Series: "sysbox-lite", Summary: s}}}}}},
	}}
	return out
}
