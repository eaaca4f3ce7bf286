package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// bigImage: does start time grow with the image's file count? sysbox-lite
// idmaps the image's layers (one mount per layer, whatever they hold) rather
// than chown-ing files, so it should not. `docker run --rm … true` of an
// image with the busybox rootfs plus 50 000 small files vs the busybox image,
// each runtime, all four interleaved.
type bigImage struct {
	runs, warmup int
	files        int // extra files (0: 50 000)
}

func (bigImage) ID() string { return "big-image" }
func (b bigImage) Title() string {
	return fmt.Sprintf("start time with a %s-file image ÷ the busybox image", FormatCount(b.nfiles()))
}
func (bigImage) Goal() string { return "≤ 1.05 (idmapped layers are O(1))" }

const (
	bigImageGoal = 1.05
	imageBig     = "sbl-bench/busybox-many-files"
)

func (b bigImage) nfiles() int {
	if b.files > 0 {
		return b.files
	}
	return 50000
}

func (b bigImage) Run(ctx context.Context, e *Env) Outcome {
	dir := filepath.Join(e.Tmp, "big-image")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failedOutcome(b, err)
	}
	baseTar, bigTarPath := filepath.Join(dir, "busybox.tar"), filepath.Join(dir, "big.tar")
	if out, err := e.Hack(ctx, "busybox-rootfs.sh", baseTar); err != nil {
		return failedOutcome(b, fmt.Errorf("busybox-rootfs.sh: %w\n%s", err, out))
	}
	baseEntries, total, err := writeBigTar(baseTar, bigTarPath, b.nfiles())
	if err != nil {
		return failedOutcome(b, err)
	}
	e.Logf("%s: importing %s (%s entries)", b.ID(), imageBig, FormatCount(total))
	start := time.Now()
	if _, err := e.Docker(ctx, "import", "--change", `CMD ["/bin/sh"]`, bigTarPath, imageBig); err != nil {
		return failedOutcome(b, err)
	}
	importTime := time.Since(start)
	_ = os.Remove(bigTarPath)

	small, big := "busybox", FormatCount(b.nfiles())+"-file"
	var variants []Variant
	for _, img := range []struct{ label, ref string }{{small, imageBusybox}, {big, imageBig}} {
		for _, rt := range runtimes {
			variants = append(variants, dockerRunVariant(e, rt.Name+"/"+img.label, rt.Name, img.ref, "true"))
		}
	}
	samples, err := Interleave(ctx, b.runs, b.warmup, variants, progress(e, b.ID()))
	if err != nil {
		return failedOutcome(b, err)
	}
	return b.report(samples, small, big, baseEntries, total, importTime)
}

// writeBigTar writes bigTar(base + n files) to path.
func writeBigTar(base, path string, n int) (baseEntries, total int, err error) {
	in, err := os.Open(base)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	out, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	baseEntries, total, err = bigTar(out, in, n)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return baseEntries, total, err
}

func (b bigImage) report(samples Samples, small, big string, baseEntries, total int, importTime time.Duration) Outcome {
	sum := func(rt, img string) Summary { return samples.Summary(rt+"/"+img, "total") }
	ratios := map[string]float64{}
	cells := map[string]string{}
	for _, rt := range runtimes {
		s, l := sum(rt.Name, small), sum(rt.Name, big)
		ratios[rt.Name] = Ratio(l.Median, s.Median)
		cells[rt.Name] = fmt.Sprintf("%s vs %s → %s", FormatTime(l.Median), FormatTime(s.Median), FormatRatio(ratios[rt.Name]))
	}
	rr := Ratio(ratios["sysbox-lite"], ratios["runc"])
	n := sum("runc", small).N
	row := Row{
		Measure: fmt.Sprintf("start time (`docker run --rm … true`) with a %s-entry image ÷ the %s-entry busybox image (%d runs each)",
			FormatCount(total), FormatCount(baseEntries), n),
		Short:     "many-file ÷ busybox image (sysbox-lite)",
		Goal:      b.Goal(),
		Runc:      cells["runc"],
		Sysbox:    cells["sysbox-lite"],
		Result:    fmt.Sprintf("%s for sysbox-lite (ratio of ratios %s)", FormatRatio(ratios["sysbox-lite"]), FormatRatio(rr)),
		Status:    atMost(ratios["sysbox-lite"], bigImageGoal),
		Ratio:     ratios["sysbox-lite"],
		GoalRatio: bigImageGoal,
	}
	var d strings.Builder
	fmt.Fprintf(&d, "Images: `%s` (%s tar entries: the busybox rootfs) and `%s` (%s entries: the same plus %s small files in %d nested directories; `docker import` took %s). Both are one layer.\n\n",
		imageBusybox, FormatCount(baseEntries), imageBig, FormatCount(total), FormatCount(b.nfiles()), total-baseEntries-b.nfiles(), FormatTime(float64(importTime.Nanoseconds())))
	d.WriteString("| runtime | image | runs | min | median | p90 | max |\n|---|---|---|---|---|---|---|\n")
	for _, rt := range runtimes {
		for _, img := range []string{small, big} {
			s := sum(rt.Name, img)
			fmt.Fprintf(&d, "| %s | %s | %d | %s | %s | %s | %s |\n", rt.Name, img, s.N, FormatTime(s.Min), FormatTime(s.Median), FormatTime(s.P90), FormatTime(s.Max))
		}
	}
	minRatio := func(rt string) float64 { return Ratio(sum(rt, big).Min, sum(rt, small).Min) }
	fmt.Fprintf(&d, "\nmany-files ÷ busybox: medians runc %s, sysbox-lite %s (ratio of ratios %s); minimums runc %s, sysbox-lite %s (ratio of ratios %s).\n",
		FormatRatio(ratios["runc"]), FormatRatio(ratios["sysbox-lite"]), FormatRatio(rr),
		FormatRatio(minRatio("runc")), FormatRatio(minRatio("sysbox-lite")), FormatRatio(Ratio(minRatio("sysbox-lite"), minRatio("runc"))))

	var groups []Group
	for _, img := range []string{small, big} {
		g := Group{Label: img + " image"}
		for _, rt := range runtimes {
			g.Bars = append(g.Bars, Bar{Series: rt.Name, Summary: sum(rt.Name, img)})
		}
		groups = append(groups, g)
	}
	chart := Chart{
		File:   "big-image.svg",
		Title:  fmt.Sprintf("docker run --rm … true: busybox image vs %s-file image", FormatCount(b.nfiles())),
		Note:   fmt.Sprintf("%d interleaved runs per runtime and image; ratios: runc %s, sysbox-lite %s", n, FormatRatio(ratios["runc"]), FormatRatio(ratios["sysbox-lite"])),
		Panels: []Panel{{Groups: groups}},
	}
	out := Outcome{Rows: []Row{row}, Charts: []Chart{chart}, Details: d.String()}
	if row.Status == StatusMissed {
		out.Analysis = append(out.Analysis, fmt.Sprintf(
			"With the many-file image sysbox-lite's start time is %s its busybox time (runc's %s; on the fastest runs, %s vs %s). Nothing sysbox-lite does at create "+
				"walks the image: each layer is idmapped with one mount, whatever it holds; read this row against the run's load (below) before reading it as a cost.",
			FormatRatio(ratios["sysbox-lite"]), FormatRatio(ratios["runc"]), FormatRatio(minRatio("sysbox-lite")), FormatRatio(minRatio("runc"))))
	}
	return out
}
