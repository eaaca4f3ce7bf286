package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// procEmulation: reading the emulated /proc/meminfo (issue #5: a FUSE file
// of the supervisor, bound over /proc/meminfo) in a sysbox-lite container vs
// reading the kernel's own /proc/meminfo in a runc container: open, read to
// EOF, close, in a loop (`probe loop read`). When /proc/meminfo is not an
// emulated (FUSE) mount in the sysbox-lite container, the row is n/a.
type procEmulation struct{ runs, warmup int }

func (procEmulation) ID() string    { return "proc-emulation" }
func (procEmulation) Title() string { return "emulated /proc/meminfo read vs native /proc read" }
func (procEmulation) Goal() string  { return "≤ 2×" }

const procEmuGoal = 2.0

// floorVariant names the FUSE floor's series (see fuseFloor).
const floorVariant = "fuse floor"

func (m procEmulation) Run(ctx context.Context, e *Env) Outcome {
	names := map[string]string{}
	for _, rt := range runtimes {
		name := "sblb-proc-" + rt.Name
		remove, err := startProbeContainer(ctx, e, name, rt.Name)
		defer remove()
		if err != nil {
			return failedOutcome(m, err)
		}
		names[rt.Name] = name
	}
	mi, err := e.Docker(ctx, "exec", names["sysbox-lite"], "cat", "/proc/self/mountinfo")
	if err != nil {
		return failedOutcome(m, err)
	}
	fstype := mountFSType(string(mi), "/proc/meminfo")
	if !strings.HasPrefix(fstype, "fuse") {
		out := naOutcome(m, "#5")
		out.Details = fmt.Sprintf("/proc/meminfo in a sysbox-lite container is not an emulated (FUSE) file in this build (its mount: %q).\n", fstype)
		return out
	}
	n, err := calibrateLoop(ctx, e, names["sysbox-lite"], "read", "/proc/meminfo")
	if err != nil {
		return failedOutcome(m, err)
	}
	floor, err := mountFuseFloor(e.Tmp)
	if err != nil {
		return failedOutcome(m, err)
	}
	defer floor.Close()
	variants := []Variant{{Name: floorVariant, Run: func(ctx context.Context, _ int) (map[string]float64, error) {
		out, err := e.run(ctx, []string{e.Probe, "loop", "read", strconv.Itoa(n), floor.File()})
		if err != nil {
			return nil, fmt.Errorf("probe loop read on the fuse floor: %w: %s", err, out)
		}
		ns, _, err := parseNsPerOp(string(out))
		if err != nil {
			return nil, err
		}
		return map[string]float64{"nsop": ns}, nil
	}}}
	for _, rt := range runtimes {
		container := names[rt.Name]
		variants = append(variants, Variant{Name: rt.Name, Run: func(ctx context.Context, _ int) (map[string]float64, error) {
			ns, _, err := probeLoop(ctx, e, container, "read", strconv.Itoa(n), "/proc/meminfo")
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
	r, s := samples.Summary("runc", "nsop"), samples.Summary("sysbox-lite", "nsop")
	f := samples.Summary(floorVariant, "nsop")
	ratio := Ratio(s.Median, r.Median)
	row := Row{
		Measure:   fmt.Sprintf("emulated /proc/meminfo (sysbox-lite) vs the kernel's (runc): open + read + close (%d samples of %s reads)", r.N, FormatCount(n)),
		Short:     "/proc/meminfo read",
		Goal:      m.Goal(),
		Runc:      FormatSummary(r),
		Sysbox:    FormatSummary(s),
		Result:    FormatRatio(ratio) + " median",
		Status:    atMost(ratio, procEmuGoal),
		Ratio:     ratio,
		GoalRatio: procEmuGoal,
	}
	chart := Chart{
		File:  "proc-meminfo.svg",
		Title: "reading /proc/meminfo: emulated (sysbox-lite) vs native (runc)",
		Note:  fmt.Sprintf("open + read to EOF + close, ns per read, %d interleaved samples per runtime", r.N),
		Panels: []Panel{{Groups: []Group{{Label: "/proc/meminfo", Bars: []Bar{
			{Series: "runc", Summary: r}, {Series: "sysbox-lite", Summary: s}, {Series: floorVariant, Summary: f},
		}}}}},
	}
	out := Outcome{Rows: []Row{row}, Charts: []Chart{chart}}
	out.Details = fmt.Sprintf("The floor: a FUSE file with fixed content (a copy of /proc/meminfo), served by go-fuse from the benchmark process with nothing computed, "+
		"direct I/O, read by the same probe on the host: %s median (%s the kernel's file, %s of the emulated file's cost). "+
		"No FUSE emulation can cost less than that on this machine.\n",
		FormatTime(f.Median), FormatRatio(Ratio(f.Median, r.Median)), fmt.Sprintf("%.0f%%", 100*f.Median/s.Median))
	if row.Status == StatusMissed {
		out.Analysis = append(out.Analysis, fmt.Sprintf(
			"An emulated /proc/meminfo read costs %s vs %s for the kernel's file (%s): open, read and close are each a FUSE round trip to the container's supervisor, "+
				"and every read makes it build the file anew: the host's /proc/meminfo, the caller's memory cgroup found from /proc/PID/cgroup and read, then formatted "+
				"(`fsemu/proc_meminfo.go`). The floor of any FUSE file here (fixed content, nothing computed) is %s, %s the kernel's: "+
				"the ≤ 2× goal is below what FUSE can reach on this machine, whatever the emulation does.",
			FormatTime(s.Median), FormatTime(r.Median), FormatRatio(ratio), FormatTime(f.Median), FormatRatio(Ratio(f.Median, r.Median))))
	}
	return out
}

// mountFSType is the filesystem type of the mount at mountpoint in a
// mountinfo text (the last one: it is on top), "" when none.
func mountFSType(mountinfo, mountpoint string) string {
	fstype := ""
	for _, line := range strings.Split(mountinfo, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f := strings.Fields(pre)
		if !ok || len(f) < 5 || f[4] != mountpoint {
			continue
		}
		if pf := strings.Fields(post); len(pf) > 0 {
			fstype = pf[0]
		}
	}
	return fstype
}
