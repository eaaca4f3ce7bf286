package hostcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Status is a check's verdict.
type Status string

const (
	// OK: what sysbox-lite needs is there.
	OK Status = "ok"
	// Warn: something optional is missing or could not be confirmed.
	Warn Status = "warn"
	// Missing: something sysbox-lite needs is missing; containers will fail.
	Missing Status = "missing"
)

// Result is one check's line.
type Result struct {
	// Name identifies the check ("kernel", "idmap state_dir", ...).
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Found says what the probe saw.
	Found string `json:"found"`
	// Fix says what to do when the status is not OK.
	Fix string `json:"fix,omitempty"`
}

func ok(name, found string) Result { return Result{Name: name, Status: OK, Found: found} }

func warn(name, found, fix string) Result {
	return Result{Name: name, Status: Warn, Found: found, Fix: fix}
}

func missing(name, found, fix string) Result {
	return Result{Name: name, Status: Missing, Found: found, Fix: fix}
}

// Report is the results of every check, in order.
type Report struct {
	Results []Result
}

// Add appends results.
func (r *Report) Add(results ...Result) { r.Results = append(r.Results, results...) }

// Count returns how many results have status s.
func (r Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// OK reports whether nothing required is missing.
func (r Report) OK() bool { return r.Count(Missing) == 0 }

// Summary is the report's last line.
func (r Report) Summary() string {
	m, w := r.Count(Missing), r.Count(Warn)
	if m == 0 {
		return fmt.Sprintf("this host can run sysbox-lite (%d checks, %s)", len(r.Results), plural(w, "warning"))
	}
	return fmt.Sprintf("this host cannot run sysbox-lite yet: %s missing, %s (fix the missing ones first)", plural(m, "check"), plural(w, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteText writes one line per check, then the summary:
//
//	ok       kernel                6.18.44: 5.19 or later (idmapped overlay layers)
//	missing  subid pool            no entry for "sysbox-lite" in /etc/subuid — fix: ...
func (r Report) WriteText(w io.Writer) error {
	width := 0
	for _, res := range r.Results {
		width = max(width, len(res.Name))
	}
	var b strings.Builder
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%-8s %-*s  %s", res.Status, width, res.Name, oneLine(res.Found))
		if res.Fix != "" {
			b.WriteString(" — fix: " + oneLine(res.Fix))
		}
		b.WriteByte('\n')
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonReport is the --json document.
type jsonReport struct {
	OK       bool     `json:"ok"`
	Missing  int      `json:"missing"`
	Warnings int      `json:"warnings"`
	Checks   []Result `json:"checks"`
}

// WriteJSON writes the report as one JSON document.
func (r Report) WriteJSON(w io.Writer) error {
	checks := r.Results
	if checks == nil {
		checks = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{OK: r.OK(), Missing: r.Count(Missing), Warnings: r.Count(Warn), Checks: checks})
}

// oneLine keeps a result on its line: newlines (a command's output) become "; ".
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ; ")), " ")
}
