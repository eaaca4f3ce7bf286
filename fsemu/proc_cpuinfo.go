package fsemu

import (
	"strconv"
	"strings"
)

// /proc/cpuinfo: the blocks of the CPUs the container sees (its cpuset,
// no more than its CFS quota allows), numbered from 0.
var procCpuinfo = File{Path: "/proc/cpuinfo", Mode: 0o444, Read: readCpuinfo}

func readCpuinfo(c *Caller) ([]byte, error) {
	host, err := c.hostFile("/proc/cpuinfo")
	if err != nil {
		return nil, err
	}
	v, err := callerCPUs(c)
	if err != nil {
		return nil, err
	}
	return FormatCpuinfo(host, v.reps()), nil
}

// FormatCpuinfo keeps the per-CPU blocks (those starting with a
// "processor" line) of the host CPUs in cpus, renumbered 0..len-1 in that
// order; other blocks (some architectures end with a summary) stay.
func FormatCpuinfo(host []byte, cpus []int) []byte {
	blocks := strings.Split(strings.TrimRight(string(host), "\n"), "\n\n")
	byCPU := map[int]string{}
	var order []string // the per-CPU blocks' place, then what follows
	var trailer []string
	for _, b := range blocks {
		first, _, _ := strings.Cut(b, "\n")
		name, val, ok := strings.Cut(first, ":")
		if ok && strings.TrimSpace(name) == "processor" {
			if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil {
				byCPU[n] = b
				continue
			}
		}
		if len(byCPU) == 0 {
			order = append(order, b)
		} else {
			trailer = append(trailer, b)
		}
	}
	out := append([]string(nil), order...)
	for i, c := range cpus {
		b, ok := byCPU[c]
		if !ok {
			continue
		}
		first, rest, _ := strings.Cut(b, "\n")
		name, _, _ := strings.Cut(first, ":")
		out = append(out, name+": "+strconv.Itoa(i)+"\n"+rest)
	}
	out = append(out, trailer...)
	return []byte(strings.Join(out, "\n\n") + "\n\n")
}
