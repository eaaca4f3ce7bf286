package fsemu

import (
	"errors"
	"strings"
)

// cpuView is what the CPU files show a caller: n CPUs, visible CPU i
// standing for the host CPUs groups[i] (see CPUGroups), and its cgroup's
// CPU usage.
type cpuView struct {
	n      int
	groups [][]int
	cpu    CPU
}

// callerCPUs reads the caller's CPU cgroups. A caller without cpuset
// gets the host's online CPUs.
func callerCPUs(c *Caller) (cpuView, error) {
	var v cpuView
	cg, err := c.Cgroups()
	if err != nil {
		return v, err
	}
	if v.cpu, err = cg.CPU(); err != nil && !errors.Is(err, errNoCgroup) {
		return v, err
	}
	cpuset := v.cpu.Cpuset
	if len(cpuset) == 0 {
		online, err := c.hostFile("/sys/devices/system/cpu/online")
		if err != nil {
			return v, err
		}
		if cpuset, err = ParseCPUList(strings.TrimSpace(string(online))); err != nil {
			return v, err
		}
		if len(cpuset) == 0 {
			cpuset = []int{0}
		}
	}
	v.n = VisibleCPUs(cpuset, v.cpu.Quota)
	v.groups = CPUGroups(cpuset, v.n)
	return v, nil
}

// reps are the host CPUs whose /proc lines stand for the visible ones.
func (v cpuView) reps() []int {
	out := make([]int, len(v.groups))
	for i, g := range v.groups {
		out[i] = g[0]
	}
	return out
}
