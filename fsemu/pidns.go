package fsemu

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// nsInits finds the init process of a caller's pid namespace (whose start
// is the container's start), remembering it per namespace.
type nsInits struct {
	host Host
	mu   sync.Mutex
	byNS map[string]procID
}

// procID is a process beyond its pid: its start time in clock ticks.
type procID struct {
	pid   int
	start uint64
}

func newNSInits(h Host) *nsInits { return &nsInits{host: h, byNS: map[string]procID{}} }

// startOf returns when the init of pid's pid namespace started (clock
// ticks since boot).
func (n *nsInits) startOf(pid int) (uint64, error) {
	ns, err := os.Readlink(fmt.Sprintf("%s/%d/ns/pid", n.host.Proc, pid))
	if err != nil {
		return 0, fmt.Errorf("pid namespace of %d: %w", pid, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if p, ok := n.byNS[ns]; ok {
		if start, err := processStart(n.host, p.pid); err == nil && start == p.start {
			if now, err := os.Readlink(fmt.Sprintf("%s/%d/ns/pid", n.host.Proc, p.pid)); err == nil && now == ns {
				return p.start, nil
			}
		}
		delete(n.byNS, ns)
	}
	p, err := n.find(ns, pid)
	if err != nil {
		return 0, err
	}
	n.byNS[ns] = p
	return p.start, nil
}

// find scans the host's processes for the one that is pid 1 in namespace ns.
func (n *nsInits) find(ns string, caller int) (procID, error) {
	entries, err := os.ReadDir(n.host.Proc)
	if err != nil {
		return procID{}, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, err := os.Readlink(fmt.Sprintf("%s/%d/ns/pid", n.host.Proc, pid)); err != nil || l != ns {
			continue
		}
		if nsPid(n.host, pid) != 1 {
			continue
		}
		start, err := processStart(n.host, pid)
		if err != nil {
			continue
		}
		return procID{pid: pid, start: start}, nil
	}
	// The namespace's init is gone (or not visible): the caller's own start.
	start, err := processStart(n.host, caller)
	if err != nil {
		return procID{}, err
	}
	return procID{pid: caller, start: start}, nil
}

// nsPid is a process's pid in its own (innermost) pid namespace, 0 if unknown.
func nsPid(h Host, pid int) int {
	data, err := readFile(fmt.Sprintf("%s/%d/status", h.Proc, pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			v, _ := strconv.Atoi(f[len(f)-1])
			return v
		}
	}
	return 0
}

// processStart reads a process's start time (clock ticks since boot) and
// state from /proc/PID/stat.
func processStart(h Host, pid int) (uint64, error) {
	_, start, err := procStat(h, pid)
	return start, err
}

func procStat(h Host, pid int) (state byte, start uint64, err error) {
	data, err := readFile(fmt.Sprintf("%s/%d/stat", h.Proc, pid))
	if err != nil {
		return 0, 0, err
	}
	return userns.ParseStat(pid, data)
}
