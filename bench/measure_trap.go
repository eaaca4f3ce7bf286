package main

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// trapRoundTrip: the round trip of a trapped call through the seccomp
// supervisor (issue #4), inside a `--privileged` sysbox-lite container: a
// denied umount of a protected mount (/etc/hostname), and a performed tmpfs
// mount (`probe loop umount|mount-tmpfs`). runc cannot trap; its column is a
// non-privileged runc container's umount, refused by the seccomp filter
// itself, for reference. When the sysbox-lite container has no supervisor
// process, the row is n/a.
type trapRoundTrip struct{ runs, warmup int }

func (trapRoundTrip) ID() string { return "trap" }
func (trapRoundTrip) Title() string {
	return "trapped call round trip (a denied umount, a performed tmpfs mount)"
}
func (trapRoundTrip) Goal() string { return "≤ 20 µs denied" }

const (
	trapGoal   = 20e3 // ns
	trapTarget = "/etc/hostname"
	mountDir   = "/mnt"
)

func (m trapRoundTrip) Run(ctx context.Context, e *Env) Outcome {
	sbl, runc := "sblb-trap-sysbox-lite", "sblb-trap-runc"
	remove, err := startProbeContainer(ctx, e, sbl, "sysbox-lite", "--privileged")
	defer remove()
	if err != nil {
		return failedOutcome(m, err)
	}
	out, err := e.Docker(ctx, "inspect", "-f", "{{.Id}}", sbl)
	if err != nil {
		return failedOutcome(m, err)
	}
	pids, err := supervisorsOf(e.StateDir, containerID(out))
	if err != nil {
		return failedOutcome(m, err)
	}
	if len(pids) == 0 {
		o := naOutcome(m, "#4")
		o.Details = "The sysbox-lite container has no supervisor process in this build: nothing is trapped.\n"
		return o
	}
	removeRunc, err := startProbeContainer(ctx, e, runc, "runc")
	defer removeRunc()
	if err != nil {
		return failedOutcome(m, err)
	}

	type loopSpec struct{ variant, container, op, arg string }
	specs := []loopSpec{
		{"runc/umount", runc, "umount", trapTarget},
		{"sysbox-lite/umount", sbl, "umount", trapTarget},
		{"sysbox-lite/mount", sbl, "mount-tmpfs", mountDir},
	}
	errnos := map[string]string{}
	var variants []Variant
	for _, sp := range specs {
		n, err := calibrateLoop(ctx, e, sp.container, sp.op, sp.arg)
		if err != nil {
			return failedOutcome(m, fmt.Errorf("%s: %w", sp.variant, err))
		}
		sp := sp
		variants = append(variants, Variant{Name: sp.variant, Run: func(ctx context.Context, _ int) (map[string]float64, error) {
			ns, errno, err := probeLoop(ctx, e, sp.container, sp.op, strconv.Itoa(n), sp.arg)
			if err != nil {
				return nil, err
			}
			errnos[sp.variant] = errno
			return map[string]float64{"nsop": ns}, nil
		}})
	}
	samples, err := Interleave(ctx, m.runs, m.warmup, variants, progress(e, m.ID()))
	if err != nil {
		return failedOutcome(m, err)
	}
	start, err := processStart(ctx, e)
	if err != nil {
		return failedOutcome(m, err)
	}
	return m.report(samples, errnos, start)
}

// processStart times `sysbox-lite --version`: the cost of starting one
// sysbox-lite process (what a helper per trapped call would pay).
func processStart(ctx context.Context, e *Env) (Summary, error) {
	var xs []float64
	for i := 0; i < 10; i++ {
		t := time.Now()
		if _, err := e.Command(ctx, e.Bin, "--version"); err != nil {
			return Summary{}, err
		}
		xs = append(xs, float64(time.Since(t).Nanoseconds()))
	}
	return Summarize(xs), nil
}

func (m trapRoundTrip) report(samples Samples, errnos map[string]string, start Summary) Outcome {
	r := samples.Summary("runc/umount", "nsop")
	u := samples.Summary("sysbox-lite/umount", "nsop")
	mt := samples.Summary("sysbox-lite/mount", "nsop")
	row := Row{
		Measure:   fmt.Sprintf("trapped call round trip in a `--privileged` sysbox-lite container: umount of protected %s (denied), tmpfs mount (performed); runc: its seccomp filter's refusal, for reference (%d samples)", trapTarget, u.N),
		Short:     "trapped umount",
		Goal:      m.Goal(),
		Runc:      FormatSummary(r) + " (" + errnos["runc/umount"] + ", not trapped)",
		Sysbox:    fmt.Sprintf("denied: %s (%s); performed mount: %s", FormatSummary(u), errnos["sysbox-lite/umount"], FormatSummary(mt)),
		Result:    fmt.Sprintf("%s per denied umount, %s per performed mount (median)", FormatTime(u.Median), FormatTime(mt.Median)),
		Status:    atMost(u.Median, trapGoal),
		Ratio:     nan(),
		GoalRatio: nan(),
	}
	details := fmt.Sprintf("| call | container | errno | samples | min | median | p90 |\n|---|---|---|---|---|---|---|\n"+
		"| umount2(%s) | runc, not privileged (seccomp filter) | %s | %d | %s | %s | %s |\n"+
		"| umount2(%s) | sysbox-lite, --privileged (supervisor) | %s | %d | %s | %s | %s |\n"+
		"| mount tmpfs on %s | sysbox-lite, --privileged (supervisor) | performed | %d | %s | %s | %s |\n"+
		"\nFor scale: starting one sysbox-lite process (`sysbox-lite --version`) takes %s (median of %d).\n",
		trapTarget, errnos["runc/umount"], r.N, FormatTime(r.Min), FormatTime(r.Median), FormatTime(r.P90),
		trapTarget, errnos["sysbox-lite/umount"], u.N, FormatTime(u.Min), FormatTime(u.Median), FormatTime(u.P90),
		mountDir, mt.N, FormatTime(mt.Min), FormatTime(mt.Median), FormatTime(mt.P90), FormatTime(start.Median), start.N)
	chart := Chart{
		File:  "trap.svg",
		Title: "trapped calls: the supervisor's round trip",
		Note:  fmt.Sprintf("ns per call inside the container, %d interleaved samples; runc: refused by the seccomp filter, no trap", u.N),
		Panels: []Panel{
			{Title: "denied umount", Groups: []Group{{Label: "umount2(" + trapTarget + ")", Goal: trapGoal, Bars: []Bar{
				{Series: "runc", Summary: r}, {Series: "sysbox-lite", Summary: u},
			}}}},
			{Title: "performed mount", Groups: []Group{{Label: "mount tmpfs", Bars: []Bar{{Series: "sysbox-lite", Summary: mt}}}}},
		},
	}
	out := Outcome{Rows: []Row{row}, Charts: []Chart{chart}, Details: details}
	if row.Status == StatusMissed {
		out.Analysis = append(out.Analysis, fmt.Sprintf(
			"A denied umount takes %s inside sysbox-lite (goal 20 µs; the seccomp filter alone refuses one in %s). It starts no process (the supervisor's quick refusal, "+
				"`seccomp/notify_linux.go`), but per call the supervisor copies the path out of /proc/PID/mem, checks the notification is still valid, reads the caller's "+
				"/proc/PID/status and its whole /proc/PID/mountinfo (which the kernel renders anew each time), resolves the path in the caller's root, writes the refusal "+
				"to its log and to the audit log (opened and closed each time), and hands the notification from the receiving thread to another one; on this 2-CPU VM "+
				"that fixed path, not any single step, is what the time is. A performed mount (%s) starts a helper process per call "+
				"(one sysbox-lite process start is %s here).",
			FormatTime(u.Median), FormatTime(r.Median), FormatTime(mt.Median), FormatTime(start.Median)))
	}
	return out
}
