package main

import (
	"context"
	"math"
)

// A Measure is one line of the issue's table (sometimes a few rows): it runs
// against the environment and reports rows, plots and details.
type Measure interface {
	// ID names the measure in progress output and file names ("docker-run").
	ID() string
	// Title is the measure as the table names it.
	Title() string
	// Goal is the target as the table states it.
	Goal() string
	Run(ctx context.Context, e *Env) Outcome
}

// Status is a row's verdict.
type Status int

const (
	StatusMet Status = iota
	StatusMissed
	StatusNA     // not measurable yet (the feature does not exist)
	StatusFailed // the measurement itself failed
)

func (s Status) String() string {
	switch s {
	case StatusMet:
		return "met"
	case StatusMissed:
		return "**missed**"
	case StatusNA:
		return "n/a"
	default:
		return "**failed**"
	}
}

// Row is one line of the summary table.
type Row struct {
	Measure string
	Goal    string
	Runc    string // runc's cell (usually min / median / p90)
	Sysbox  string // sysbox-lite's cell
	Result  string // the ratio or value the goal is about
	Status  Status

	// For the ratios overview plot: a short label, sysbox-lite ÷ runc (or
	// the ratio the goal is about), and the goal's upper bound on it (NaN
	// when there is none).
	Short     string
	Ratio     float64
	GoalRatio float64
}

// Outcome is what a measure reports.
type Outcome struct {
	Rows   []Row
	Charts []Chart
	// Details is Markdown for results.md (tables of the raw summaries).
	Details string
	// Analysis is Markdown bullets on where the time goes, for missed goals
	// (README and results.md).
	Analysis []string
	Err      error
}

// naOutcome is the outcome of a measure whose feature does not exist yet.
func naOutcome(m Measure, issue string) Outcome {
	return Outcome{Rows: []Row{{
		Measure:   m.Title(),
		Goal:      m.Goal(),
		Runc:      "–",
		Sysbox:    "–",
		Result:    "n/a — not implemented yet (issue " + issue + ")",
		Status:    StatusNA,
		Ratio:     math.NaN(),
		GoalRatio: math.NaN(),
	}}}
}

// failedOutcome reports a measurement that could not be made.
func failedOutcome(m Measure, err error) Outcome {
	return Outcome{
		Rows: []Row{{
			Measure:   m.Title(),
			Goal:      m.Goal(),
			Runc:      "–",
			Sysbox:    "–",
			Result:    "measurement failed: " + err.Error(),
			Status:    StatusFailed,
			Ratio:     math.NaN(),
			GoalRatio: math.NaN(),
		}},
		Err: err,
	}
}

// atMost is the verdict for value ≤ limit (a NaN value fails).
func atMost(value, limit float64) Status {
	if math.IsNaN(value) || value > limit {
		return StatusMissed
	}
	return StatusMet
}

// worst combines verdicts: failed > missed > n/a > met.
func worst(ss ...Status) Status {
	rank := map[Status]int{StatusMet: 0, StatusNA: 1, StatusMissed: 2, StatusFailed: 3}
	w := StatusMet
	for _, s := range ss {
		if rank[s] > rank[w] {
			w = s
		}
	}
	return w
}
