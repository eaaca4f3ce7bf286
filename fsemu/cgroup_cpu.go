package fsemu

import (
	"errors"
	"os"
	"strconv"
	"strings"
)

// CPUTime is CPU time in nanoseconds.
type CPUTime struct{ User, System uint64 }

// CPU is what the cpuset, cpu and cpuacct controllers say.
type CPU struct {
	// Cpuset are the CPUs the cgroup may run on; nil when it has no cpuset.
	Cpuset []int
	// Quota is the CFS quota in CPUs (quota/period, the smallest along the
	// cgroup's ancestors); 0 when there is none.
	Quota float64
	// PerCPU is the time used on each host CPU; nil when the cgroup only
	// gives totals (v2).
	PerCPU map[int]CPUTime
	// Total is the time used on all CPUs; HasUsage says whether it is known.
	Total    CPUTime
	HasUsage bool
}

// CPU reads the CPU controllers of the cgroups. A controller that is
// missing leaves its fields empty.
func (cg *Cgroups) CPU() (CPU, error) {
	var c CPU
	if dir, _, v2, ok := cg.controller("cpuset", "cpuset.cpus.effective"); ok {
		name := "cpuset.effective_cpus"
		if v2 {
			name = "cpuset.cpus.effective"
		}
		s, err := readString(dir, name)
		if errors.Is(err, os.ErrNotExist) && !v2 {
			s, err = readString(dir, "cpuset.cpus")
		}
		if err != nil {
			return c, err
		}
		if c.Cpuset, err = ParseCPUList(s); err != nil {
			return c, err
		}
	}
	if dir, top, v2, ok := cg.controller("cpu", "cpu.max"); ok {
		if v2 {
			c.Quota = quotaV2(dir, top)
		} else {
			c.Quota = quotaV1(dir, top)
		}
	}
	if dir, _, v2, ok := cg.controller("cpuacct", "cpu.stat"); ok {
		var err error
		if v2 {
			err = usageV2(dir, &c)
		} else {
			err = usageV1(dir, &c)
		}
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

func quotaV1(dir, top string) float64 {
	best := 0.0
	for _, d := range ancestors(dir, top) {
		q, err1 := readString(d, "cpu.cfs_quota_us")
		p, err2 := readString(d, "cpu.cfs_period_us")
		if err1 != nil || err2 != nil {
			continue
		}
		best = minQuota(best, q, p)
	}
	return best
}

func quotaV2(dir, top string) float64 {
	best := 0.0
	for _, d := range ancestors(dir, top) {
		s, err := readString(d, "cpu.max")
		if err != nil {
			continue
		}
		q, p, ok := strings.Cut(s, " ")
		if !ok {
			continue
		}
		best = minQuota(best, q, p)
	}
	return best
}

// minQuota keeps the smaller of best (0: none yet) and quota/period.
func minQuota(best float64, quota, period string) float64 {
	q, err1 := strconv.ParseInt(quota, 10, 64)
	p, err2 := strconv.ParseInt(period, 10, 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return best
	}
	v := float64(q) / float64(p)
	if best == 0 || v < best {
		return v
	}
	return best
}

func usageV1(dir string, c *CPU) error {
	// cpuacct.usage_all: "cpu user system" then one line per CPU (ns).
	if data, err := readFile(dir + "/cpuacct.usage_all"); err == nil {
		c.PerCPU = map[int]CPUTime{}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) != 3 {
				continue
			}
			cpu, err1 := strconv.Atoi(f[0])
			u, err2 := strconv.ParseUint(f[1], 10, 64)
			s, err3 := strconv.ParseUint(f[2], 10, 64)
			if err1 != nil || err2 != nil || err3 != nil {
				continue
			}
			c.PerCPU[cpu] = CPUTime{User: u, System: s}
			c.Total.User += u
			c.Total.System += s
		}
		c.HasUsage = true
		return nil
	}
	// Older kernels: the total per CPU, split by cpuacct.stat's ratio.
	per, err := readString(dir, "cpuacct.usage_percpu")
	if err != nil {
		return err
	}
	stat, err := readKV(dir, "cpuacct.stat")
	if err != nil {
		return err
	}
	userShare := 1.0
	if t := stat["user"] + stat["system"]; t > 0 {
		userShare = float64(stat["user"]) / float64(t)
	}
	c.PerCPU = map[int]CPUTime{}
	for i, f := range strings.Fields(per) {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			continue
		}
		u := uint64(float64(v) * userShare)
		c.PerCPU[i] = CPUTime{User: u, System: v - u}
		c.Total.User += u
		c.Total.System += v - u
	}
	c.HasUsage = true
	return nil
}

func usageV2(dir string, c *CPU) error {
	stat, err := readKV(dir, "cpu.stat")
	if err != nil {
		return err
	}
	c.Total = CPUTime{User: stat["user_usec"] * 1000, System: stat["system_usec"] * 1000}
	c.HasUsage = true
	return nil
}
