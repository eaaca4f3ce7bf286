package fsemu

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ParseCPUList parses a kernel CPU list ("0-3,8,10-11"), sorted and
// without duplicates.
func ParseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	seen := map[int]bool{}
	var out []int
	if s == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("cpu list %q: bad element %q", s, part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("cpu list %q: bad range %q", s, part)
			}
		}
		if b-a > 1<<16 {
			return nil, fmt.Errorf("cpu list %q: range too large", s)
		}
		for c := a; c <= b; c++ {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

// FormatCPUList is the kernel's format of a CPU list (ranges).
func FormatCPUList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// VisibleCPUs is how many CPUs a container sees: those of its cpuset (all
// of the host's when it has none), no more than its CFS quota allows
// (quota in CPUs, rounded up; 0 is no quota), and at least one.
func VisibleCPUs(cpuset []int, quota float64) int {
	n := len(cpuset)
	if quota > 0 {
		if q := int(math.Ceil(quota - 1e-9)); q < n {
			n = q
		}
	}
	if n < 1 {
		n = 1
	}
	return n
}

// CPUGroups folds the cpuset onto n visible CPUs: visible CPU i stands for
// the cpuset's CPUs i, i+n, i+2n, ... (their usage adds up on it).
func CPUGroups(cpuset []int, n int) [][]int {
	groups := make([][]int, n)
	for j, c := range cpuset {
		groups[j%n] = append(groups[j%n], c)
	}
	return groups
}
