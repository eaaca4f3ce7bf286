package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// lifecycle: the bare OCI lifecycle (create, start, state until stopped,
// delete) of a busybox bundle running `true`, driven directly, runc vs
// sysbox-lite (with a fresh copy of the original config.json before each of
// its creates). A third variant, runc with the user and cgroup namespaces
// sysbox-lite adds, splits sysbox-lite's extra cost into "what the kernel
// and runc pay for a user namespace" and "what the wrapper pays".
type lifecycle struct{ runs, warmup int }

func (lifecycle) ID() string    { return "oci-lifecycle" }
func (lifecycle) Title() string { return "bare OCI lifecycle (create, start, wait, delete)" }
func (lifecycle) Goal() string  { return "≤ 1.10× runc" }

const (
	lifecycleGoal   = 1.10
	variantUserns   = "runc + userns"
	variantSeccomp  = "runc + userns + seccomp"
	usernsHostID    = 3000000000 // outside sysbox-lite's pool (1048576 + 268435456)
	profileRuns     = 5
	preparedMessage = "bundle prepared, running the engine"
)

var phases = []string{"create", "start", "wait", "delete"}

func (m lifecycle) Run(ctx context.Context, e *Env) Outcome {
	dir := filepath.Join(e.Tmp, "lifecycle")
	runcCLI := ociCLI{e: e, bin: e.Runc, global: []string{"--root", filepath.Join(dir, "runc-root")}}
	sblCLI := ociCLI{e: e, bin: e.Bin, global: []string{"--sysbox-config", e.ConfigPath, "--root", filepath.Join(dir, "sbl-root")}}
	e.OnTeardown(runcCLI.deleteAll)
	e.OnTeardown(sblCLI.deleteAll)

	plain, err := newBundle(ctx, e, filepath.Join(dir, "runc"), nil)
	if err != nil {
		return failedOutcome(m, err)
	}
	userns, err := newBundle(ctx, e, filepath.Join(dir, "runc-userns"), withUserns(usernsHostID))
	if err != nil {
		return failedOutcome(m, err)
	}
	sbl, err := newBundle(ctx, e, filepath.Join(dir, "sysbox-lite"), nil)
	if err != nil {
		return failedOutcome(m, err)
	}
	// What sysbox-lite hands runc for this bundle, and a runc variant with
	// the same user namespace and seccomp filter (no supervisor).
	rewritten, err := rewrittenSpec(ctx, sblCLI, sbl)
	if err != nil {
		return failedOutcome(m, fmt.Errorf("read sysbox-lite's rewritten spec: %w", err))
	}
	var orig map[string]any
	if err := json.Unmarshal(sbl.original, &orig); err != nil {
		return failedOutcome(m, err)
	}
	seccomp, err := newBundle(ctx, e, filepath.Join(dir, "runc-userns-seccomp"), func(spec map[string]any) {
		withUserns(usernsHostID)(spec)
		withSeccompOf(rewritten)(spec)
	})
	if err != nil {
		return failedOutcome(m, err)
	}
	sblRun := func(ctx context.Context, id string, flags ...string) (map[string]float64, error) {
		if err := sbl.Restore(); err != nil {
			return nil, err
		}
		return sblCLI.lifecycle(ctx, sbl.Dir, id, flags...)
	}
	variants := []Variant{
		{Name: "runc", Run: func(ctx context.Context, i int) (map[string]float64, error) {
			return runcCLI.lifecycle(ctx, plain.Dir, fmt.Sprintf("sblb-runc-%d", i))
		}},
		{Name: "sysbox-lite", Run: func(ctx context.Context, i int) (map[string]float64, error) {
			return sblRun(ctx, fmt.Sprintf("sblb-sbl-%d", i))
		}},
		{Name: variantUserns, Run: func(ctx context.Context, i int) (map[string]float64, error) {
			return runcCLI.lifecycle(ctx, userns.Dir, fmt.Sprintf("sblb-userns-%d", i))
		}},
		{Name: variantSeccomp, Run: func(ctx context.Context, i int) (map[string]float64, error) {
			return runcCLI.lifecycle(ctx, seccomp.Dir, fmt.Sprintf("sblb-seccomp-%d", i))
		}},
	}
	samples, err := Interleave(ctx, m.runs, m.warmup, variants, progress(e, m.ID()))
	if err != nil {
		return failedOutcome(m, err)
	}

	// Profile: a few more sysbox-lite lifecycles, outside the timed runs
	// (debug logging and the timing shim have a cost of their own).
	prof, err := profileLifecycle(ctx, e, dir, sbl, filepath.Join(dir, "sbl-root"), profileRuns)
	if err != nil {
		return failedOutcome(m, err)
	}
	return m.report(samples, prof, specChanges(orig, rewritten))
}

func (m lifecycle) report(samples Samples, prof lifecycleProfile, changes string) Outcome {
	r, s := samples.Summary("runc", "total"), samples.Summary("sysbox-lite", "total")
	ratio := Ratio(s.Median, r.Median)
	row := Row{
		Measure:   m.Title() + fmt.Sprintf(" of a busybox bundle running `true` (%d runs each)", r.N),
		Short:     "OCI lifecycle",
		Goal:      m.Goal(),
		Runc:      FormatSummary(r),
		Sysbox:    FormatSummary(s),
		Result:    FormatRatio(ratio) + " median",
		Status:    atMost(ratio, lifecycleGoal),
		Ratio:     ratio,
		GoalRatio: lifecycleGoal,
	}

	names := []string{"runc", variantUserns, variantSeccomp, "sysbox-lite"}
	var d strings.Builder
	d.WriteString("Median per phase (each phase is one or more runs of the binary; `wait` polls `state` until `stopped`):\n\n")
	d.WriteString("| variant | create | start | wait | delete | total (min / median / p90) |\n|---|---|---|---|---|---|\n")
	for _, n := range names {
		fmt.Fprintf(&d, "| %s |", n)
		for _, p := range phases {
			fmt.Fprintf(&d, " %s |", FormatTime(samples.Summary(n, p).Median))
		}
		fmt.Fprintf(&d, " %s |\n", FormatSummary(samples.Summary(n, "total")))
	}
	d.WriteString("\n`runc + userns` is plain runc given the user and cgroup namespaces and a 65536-ID mapping that sysbox-lite adds (its rootfs is not idmapped); " +
		"`runc + userns + seccomp` also gets the seccomp filter of sysbox-lite's rewritten spec, its notify rules turned into errno rules (no supervisor).\n\n")
	fmt.Fprintf(&d, "What sysbox-lite's rewrite of this bundle gives runc: %s.\n\n", changes)
	d.WriteString(prof.markdown(samples.Summary("runc", "create").Median, samples.Summary("runc", "delete").Median))

	var panels []Panel
	total := Group{Label: "whole lifecycle"}
	for _, n := range names {
		total.Bars = append(total.Bars, Bar{Series: n, Summary: samples.Summary(n, "total")})
	}
	panels = append(panels, Panel{Title: "total", Groups: []Group{total}})
	var phaseGroups []Group
	for _, p := range phases {
		g := Group{Label: p}
		for _, n := range names {
			g.Bars = append(g.Bars, Bar{Series: n, Summary: samples.Summary(n, p)})
		}
		phaseGroups = append(phaseGroups, g)
	}
	panels = append(panels, Panel{Title: "per phase", Groups: phaseGroups})
	chart := Chart{
		File:   "oci-lifecycle.svg",
		Title:  "bare OCI lifecycle: create, start, wait (state polls), delete",
		Note:   fmt.Sprintf("busybox bundle running true, %d interleaved runs per variant", r.N),
		Panels: panels,
	}
	out := Outcome{Rows: []Row{row}, Charts: []Chart{chart}, Details: d.String()}
	if row.Status == StatusMissed {
		out.Analysis = append(out.Analysis, lifecycleAnalysis(samples, prof, changes))
	}
	return out
}

// lifecycleAnalysis says where sysbox-lite's extra time goes, from the
// medians of the three variants and the profile runs.
func lifecycleAnalysis(samples Samples, p lifecycleProfile, changes string) string {
	med := func(v, ph string) float64 { return samples.Summary(v, ph).Median }
	ms := func(ns float64) string { return FormatTime(ns) }
	var parts []string
	for _, ph := range phases {
		parts = append(parts, fmt.Sprintf("%s %+.1f ms", ph, (med("sysbox-lite", ph)-med("runc", ph))/1e6))
	}
	cb, ce, ca := p.createSplit()
	db, de, da := p.deleteSplit()
	var b strings.Builder
	fmt.Fprintf(&b, "The bare lifecycle costs %s more with sysbox-lite (%s vs %s, median); by phase: %s. ",
		ms(med("sysbox-lite", "total")-med("runc", "total")), ms(med("sysbox-lite", "total")), ms(med("runc", "total")), strings.Join(parts, ", "))
	fmt.Fprintf(&b, "**create**: sysbox-lite works %s before runc starts (its own process start and config, the ID range, assembling the idmapped root, starting the container's supervisor and waiting until it is ready, rewriting config.json; its `--debug` runs log \"%s\" after %s), "+
		"runc's create then takes %s: plain runc takes %s, %s with the user and cgroup namespaces sysbox-lite adds, %s with its seccomp filter too; "+
		"the remaining %s is what else the rewritten spec asks of runc (%s)",
		ms(cb), preparedMessage, ms(p.prepare.Median), ms(ce), ms(med("runc", "create")), ms(med(variantUserns, "create")), ms(med(variantSeccomp, "create")),
		ms(sub0(ce, med(variantSeccomp, "create"))), changes)
	if p.stateCallsDuringCreate > 0 {
		fmt.Fprintf(&b, ", and %s follow after runc returns, mostly %.1f more `runc state` per create to record the container's init pid (this bare lifecycle passes no `--pid-file`; containerd's shim passes one, so `docker run` does not pay that call)",
			ms(ca), float64(p.stateCallsDuringCreate)/float64(max(p.runs, 1)))
	} else {
		fmt.Fprintf(&b, ", and %s follow after runc returns", ms(ca))
	}
	fmt.Fprintf(&b, ". **start** and **state** (the wait) pass through the wrapper to runc: one more process start each (%+.1f ms, %+.1f ms). "+
		"**delete**: %s before runc's delete, runc %s (plain runc %s), then %s stopping the supervisor, unmounting the assembled root and releasing the ID range.",
		(med("sysbox-lite", "start")-med("runc", "start"))/1e6, (med("sysbox-lite", "wait")-med("runc", "wait"))/1e6,
		ms(db), ms(de), ms(med("runc", "delete")), ms(da))
	return b.String()
}

var elapsedRE = regexp.MustCompile(`elapsed="?([0-9.]+(?:ns|µs|us|ms|s))"?`)

// preparedElapsed extracts, in nanoseconds, the elapsed field of every
// "bundle prepared" line of a sysbox-lite text log.
func preparedElapsed(log string) []float64 {
	var out []float64
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, preparedMessage) {
			continue
		}
		m := elapsedRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		d, err := time.ParseDuration(m[1])
		if err != nil {
			continue
		}
		out = append(out, float64(d.Nanoseconds()))
	}
	return out
}
