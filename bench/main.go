package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Options are the command line.
type Options struct {
	Repo       string
	Bin        string
	Out        string
	Readme     string
	Runs       int // docker run, OCI lifecycle
	Warmup     int
	ImageRuns  int // many-file image comparison, per runtime and image
	LoopRuns   int // syscall loop samples
	Concurrent int
	Only       []string // measure IDs; empty: all
	write      bool     // write results and README
}

func parseOptions(args []string) (Options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := Options{}
	fs.StringVar(&o.Repo, "repo", ".", "the sysbox-lite repository (hack/ scripts, ./integration/probe)")
	fs.StringVar(&o.Bin, "bin", "bin/sysbox-lite", "the sysbox-lite binary to measure (make build)")
	fs.StringVar(&o.Out, "out", "bench/results", "results folder (results.md, *.svg)")
	fs.StringVar(&o.Readme, "readme", "README.md", "README whose section between the bench markers is rewritten (empty: none)")
	fs.IntVar(&o.Runs, "runs", 30, "runs per runtime: docker run, OCI lifecycle")
	fs.IntVar(&o.Warmup, "warmup", 2, "warm-up rounds per measure (dropped)")
	fs.IntVar(&o.ImageRuns, "image-runs", 16, "runs per runtime and image: many-file image")
	fs.IntVar(&o.LoopRuns, "loop-runs", 10, "samples per runtime and call: syscall loop")
	fs.IntVar(&o.Concurrent, "concurrent", 100, "containers started at once")
	only := fs.String("only", "", "comma-separated measure IDs to run (writes results and README only with an explicit -out)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.Runs < 1 || o.ImageRuns < 1 || o.LoopRuns < 1 || o.Concurrent < 1 || o.Warmup < 0 {
		return o, errors.New("-runs, -image-runs, -loop-runs and -concurrent must be positive, -warmup not negative")
	}
	o.write = true
	if *only != "" {
		o.Only = strings.Split(*only, ",")
		explicitOut := false
		fs.Visit(func(f *flag.Flag) { explicitOut = explicitOut || f.Name == "out" })
		o.write = explicitOut
		if o.write {
			o.Readme = ""
		}
	}
	return o, nil
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench: error:", err)
		os.Exit(1)
	}
}

func run(o Options) (err error) {
	if os.Geteuid() != 0 {
		return errors.New("needs root: it starts a private dockerd and runs real runc (sudo make bench)")
	}
	selected, err := selectMeasures(measures(o), o.Only)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()

	e, err := NewEnv(ctx, o, os.Stderr)
	defer func() {
		if e == nil {
			return
		}
		e.Logf("tearing down")
		if terr := e.Teardown(); terr != nil {
			err = errors.Join(err, fmt.Errorf("teardown: %w", terr))
		}
	}()
	if err != nil {
		return err
	}
	rep := Report{Machine: probeMachine(ctx, e), Options: o}
	var failed []string
	for _, m := range selected {
		t := time.Now()
		e.Logf("%s: %s", m.ID(), m.Title())
		load := loadAvg()
		out := m.Run(ctx, e)
		if out.Err != nil {
			failed = append(failed, m.ID())
			e.Logf("%s: FAILED: %v", m.ID(), out.Err)
		} else {
			e.Logf("%s: done in %s", m.ID(), time.Since(t).Round(100*time.Millisecond))
		}
		rep.Results = append(rep.Results, Result{Measure: m, Outcome: out, Load: load})
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	rep.Machine.LoadAfter = loadAvg()
	rep.Duration = time.Since(started)

	fmt.Println(RenderTable(rep.Rows()))
	fmt.Println("machine: " + rep.Machine.OneLine())
	if o.write {
		if err := writeResults(rep, o); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("measurements failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// selectMeasures keeps the measures named in only (all when empty).
func selectMeasures(all []Measure, only []string) ([]Measure, error) {
	if len(only) == 0 {
		return all, nil
	}
	byID := map[string]Measure{}
	var ids []string
	for _, m := range all {
		byID[m.ID()] = m
		ids = append(ids, m.ID())
	}
	var out []Measure
	for _, id := range only {
		m, ok := byID[strings.TrimSpace(id)]
		if !ok {
			return nil, fmt.Errorf("unknown measure %q (known: %s)", id, strings.Join(ids, ", "))
		}
		out = append(out, m)
	}
	return out, nil
}

// writeResults writes results.md and the plots into o.Out and rewrites the
// README section.
func writeResults(rep Report, o Options) error {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(o.Out, "results.md"), []byte(rep.ResultsMarkdown())); err != nil {
		return err
	}
	for _, c := range rep.Charts() {
		if err := writeFileAtomic(filepath.Join(o.Out, c.File), []byte(RenderSVG(c))); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "bench: wrote %s\n", o.Out)
	if o.Readme == "" {
		return nil
	}
	doc, err := os.ReadFile(o.Readme)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(o.Readme), o.Out)
	if err != nil {
		return err
	}
	updated, err := RewriteSection(string(doc), rep.ReadmeSection(filepath.ToSlash(rel)))
	if err != nil {
		return fmt.Errorf("%s: %w", o.Readme, err)
	}
	if err := writeFileAtomic(o.Readme, []byte(updated)); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: rewrote the bench section of %s\n", o.Readme)
	return nil
}

// writeFileAtomic writes through a temporary file in the same directory,
// keeping an existing file's mode.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
