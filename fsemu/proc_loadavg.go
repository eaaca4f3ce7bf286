package fsemu

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// /proc/loadavg: load averages of the caller's cgroup, computed as the
// kernel does (exponentially damped counts of running and uninterruptible
// threads, sampled every 5 s) from the threads of its cgroup and the
// cgroups below. A cgroup is tracked from its first read on (its averages
// start at 0) until it has not been read for 10 minutes. The fourth field
// is running/total threads of the last sample, the fifth the highest pid
// (in the caller's namespace) seen then.
var procLoadavg = File{Path: "/proc/loadavg", Mode: 0o444, Read: readLoadavg}

func readLoadavg(c *Caller) ([]byte, error) {
	l, ok, err := c.load()
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.hostFile("/proc/loadavg")
	}
	return l.Format(), nil
}

// load is the load of the caller's cgroup; ok is false when it has none
// whose threads can be counted (the host's load applies).
func (c *Caller) load() (l Load, ok bool, err error) {
	cg, err := c.Cgroups()
	if err != nil {
		return Load{}, false, err
	}
	dir, tasks, ok := taskDir(cg)
	if !ok {
		return Load{}, false, nil
	}
	return c.e.loads.read(dir, tasks, c.e.Now()), true, nil
}

// taskDir is the cgroup directory whose threads count, and the name of
// its thread list file.
func taskDir(cg *Cgroups) (dir, tasks string, ok bool) {
	for _, c := range []string{"cpu", "cpuacct", "pids", "memory"} {
		if d, ok := cg.V1[c]; ok {
			return d, "tasks", true
		}
	}
	if cg.V2 != "" {
		return cg.V2, "cgroup.threads", true
	}
	return "", "", false
}

// Sampling period and the kernel's damping factors for 1, 5 and 15 minutes.
const loadPeriod = 5 * time.Second

var loadDecay = [3]float64{
	math.Exp(-5.0 / 60), math.Exp(-5.0 / 300), math.Exp(-5.0 / 900),
}

// Load is the load averages of one cgroup.
type Load struct {
	Avg            [3]float64
	Running, Total int
	LastPid        int
}

// Sample adds one sample of active (running or uninterruptible) threads.
func (l *Load) Sample(active int) {
	for i, e := range loadDecay {
		l.Avg[i] = l.Avg[i]*e + float64(active)*(1-e)
	}
}

// Format is /proc/loadavg's format.
func (l Load) Format() []byte {
	return []byte(fmt.Sprintf("%.2f %.2f %.2f %d/%d %d\n", l.Avg[0], l.Avg[1], l.Avg[2], l.Running, l.Total, l.LastPid))
}

type loadTracker struct {
	host   Host
	mu     sync.Mutex
	groups map[string]*trackedLoad
}

type trackedLoad struct {
	Load
	tasks    string
	lastRead time.Time
	sampled  bool
}

func newLoadTracker(h Host) *loadTracker {
	return &loadTracker{host: h, groups: map[string]*trackedLoad{}}
}

// read returns a cgroup's load, tracking it from now on. The first read
// counts its threads right away (the averages build up from 0).
func (t *loadTracker) read(dir, tasks string, now time.Time) Load {
	t.mu.Lock()
	g, ok := t.groups[dir]
	if !ok {
		g = &trackedLoad{tasks: tasks}
		t.groups[dir] = g
	}
	g.lastRead = now
	sampled := g.sampled
	t.mu.Unlock()
	if !sampled {
		running, _, total, last := t.count(dir, tasks)
		t.mu.Lock()
		if !g.sampled {
			g.Running, g.Total, g.LastPid, g.sampled = running, total, last, true
		}
		t.mu.Unlock()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return g.Load
}

// Run samples every tracked cgroup every 5 s until ctx ends.
func (t *loadTracker) Run(ctx context.Context, now func() time.Time) {
	tick := time.NewTicker(loadPeriod)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.sampleAll(now())
		}
	}
}

func (t *loadTracker) sampleAll(now time.Time) {
	t.mu.Lock()
	dirs := map[string]string{}
	for dir, g := range t.groups {
		if now.Sub(g.lastRead) > 10*time.Minute {
			delete(t.groups, dir)
			continue
		}
		dirs[dir] = g.tasks
	}
	t.mu.Unlock()
	for dir, tasks := range dirs {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			t.mu.Lock()
			delete(t.groups, dir)
			t.mu.Unlock()
			continue
		}
		running, active, total, last := t.count(dir, tasks)
		t.mu.Lock()
		if g, ok := t.groups[dir]; ok {
			g.Sample(active)
			g.Running, g.Total, g.LastPid, g.sampled = running, total, last, true
		}
		t.mu.Unlock()
	}
}

// count walks a cgroup and the cgroups below it: threads running (R),
// active (R or D), in all, and the highest pid in their own namespace.
func (t *loadTracker) count(dir, tasks string) (running, active, total, last int) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		data, err := readFile(filepath.Join(p, tasks))
		if err != nil {
			return nil
		}
		for _, f := range strings.Fields(string(data)) {
			tid, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			state, _, err := procStat(t.host, tid)
			if err != nil {
				continue
			}
			total++
			switch state {
			case 'R':
				running++
				active++
			case 'D':
				active++
			}
			if n := nsPid(t.host, tid); n > last {
				last = n
			}
		}
		return nil
	})
	return running, active, total, last
}
