package seccomp

import (
	"sync"
	"time"
)

// rateLimit lets at most max events through per window; it counts the rest
// so the next event that passes can say how many were dropped. A container
// that hammers a denied call must not fill the host's disk with audit lines.
type rateLimit struct {
	mu         sync.Mutex
	start      time.Time
	passed     int
	suppressed int
}

const (
	auditWindow = time.Minute
	auditMax    = 100
)

// allow reports whether an event at now may be recorded, and how many were
// suppressed since the last one that was.
func (r *rateLimit) allow(now time.Time) (ok bool, suppressed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.start) >= auditWindow {
		r.start, r.passed = now, 0
	}
	if r.passed >= auditMax {
		r.suppressed++
		return false, 0
	}
	r.passed++
	suppressed, r.suppressed = r.suppressed, 0
	return true, suppressed
}
