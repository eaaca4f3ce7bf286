package fsemu

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// /proc/swaps: the host's header; when the memory cgroup accounts swap and
// the host has some, one "none virtual" line with the container's swap
// (its limit, or the host's total when it has none) and its usage; the
// host's file when the cgroup does not account swap.
var procSwaps = File{Path: "/proc/swaps", Mode: 0o444, Read: memoryView("/proc/swaps", FormatSwaps)}

// FormatSwaps rewrites the host's /proc/swaps for a memory cgroup.
func FormatSwaps(host []byte, m Memory) []byte {
	if !m.SwapAccounted {
		return host
	}
	lines := strings.Split(strings.TrimRight(string(host), "\n"), "\n")
	var hostTotal uint64 // kB
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) >= 3 {
			v, _ := strconv.ParseUint(f[2], 10, 64)
			hostTotal += v
		}
	}
	var b bytes.Buffer
	b.WriteString(lines[0])
	b.WriteByte('\n')
	if hostTotal == 0 {
		return b.Bytes()
	}
	total := hostTotal
	if m.SwapLimit != Unlimited && m.SwapLimit/1024 < total {
		total = m.SwapLimit / 1024
	}
	used := min(m.SwapUsage/1024, total)
	if total > 0 {
		fmt.Fprintf(&b, "%-40s%-8s\t%-8d\t%-8d\t%d\n", "none", "virtual", total, used, 0)
	}
	return b.Bytes()
}
