package audit

import "time"

// Rule names the confinement rule that produced an event.
type Rule string

// The rules of package confine.
const (
	RuleDevices    Rule = "devices"
	RuleMasks      Rule = "masks"
	RuleNamespaces Rule = "namespaces"
	RuleHostPaths  Rule = "hostpaths"
	// RuleSharedDirs says who a container acts as on a shared host
	// directory (a bind mount of one).
	RuleSharedDirs Rule = "shared-dirs"
	RuleSeccomp    Rule = "seccomp"
	// RuleMounts is the seccomp supervisor's: a trapped mount-family call.
	RuleMounts Rule = "mounts"
)

// Verdict says what happened to what the container asked for.
type Verdict string

const (
	// Refused: the container was not created.
	Refused Verdict = "refused"
	// Dropped: the container was created without it (e.g. a host device
	// that --privileged would have passed in).
	Dropped Verdict = "dropped"
	// Denied: a running container's call failed (the container goes on).
	Denied Verdict = "denied"
	// Mapped: a shared host directory was given the identity the reason
	// names (the container was created).
	Mapped Verdict = "mapped"
)

// Event is one line of the audit log.
type Event struct {
	Time      time.Time `json:"time"`
	Container string    `json:"container"`
	// Asked is what the spec asked for, e.g. "device /dev/sda (b 8:0)".
	Asked   string  `json:"asked"`
	Rule    Rule    `json:"rule"`
	Verdict Verdict `json:"verdict"`
	// Reason is the explanation given to the user, when there is one.
	Reason string `json:"reason,omitempty"`
}

// Sink receives audit events. Record must not fail the caller: a sink that
// cannot store an event deals with it itself.
type Sink interface {
	Record(Event)
}

// Discard is a Sink that drops every event.
type Discard struct{}

// Record implements Sink.
func (Discard) Record(Event) {}

// ForContainer returns a sink that stamps every event with the container's
// ID and, when unset, the current time (now, or time.Now when nil), then
// passes it to next.
func ForContainer(next Sink, id string, now func() time.Time) Sink {
	if now == nil {
		now = time.Now
	}
	return containerSink{next: next, id: id, now: now}
}

type containerSink struct {
	next Sink
	id   string
	now  func() time.Time
}

func (s containerSink) Record(e Event) {
	e.Container = s.id
	if e.Time.IsZero() {
		e.Time = s.now().UTC()
	}
	s.next.Record(e)
}
