package confine

import (
	"fmt"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
)

// Refusal is the error of a spec that asks for something the host policy
// does not allow. Its message is complete and starts with "sysbox-lite: ",
// so callers should pass it on unwrapped.
type Refusal struct {
	Rule   audit.Rule
	Asked  string // what the spec asked for, e.g. "device /dev/sda (b 8:0)"
	Reason string // the message without the "sysbox-lite: " prefix
}

func (r *Refusal) Error() string { return "sysbox-lite: " + r.Reason }

// refuse records a refusal on sink and returns it as an error.
func refuse(sink audit.Sink, rule audit.Rule, asked, format string, args ...any) error {
	r := &Refusal{Rule: rule, Asked: asked, Reason: fmt.Sprintf(format, args...)}
	sink.Record(audit.Event{Asked: asked, Rule: rule, Verdict: audit.Refused, Reason: r.Reason})
	return r
}

// drop records something taken away from a container that is created anyway.
func drop(sink audit.Sink, rule audit.Rule, asked, reason string) {
	sink.Record(audit.Event{Asked: asked, Rule: rule, Verdict: audit.Dropped, Reason: reason})
}

// policyHint tells the user where to allow something.
func policyHint(key string) string {
	return fmt.Sprintf("allow it in %s [policy] %s", config.DefaultPath, key)
}
