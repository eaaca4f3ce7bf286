package fsemu

import (
	"errors"
	"strconv"
	"strings"
)

// /proc/meminfo: the memory cgroup's limit, usage, cache and swap; the
// host's values where the cgroup sets no limit (MemTotal, SwapTotal) or
// says nothing (the kernel-wide lines: vmalloc, huge pages, ...).
var procMeminfo = File{Path: "/proc/meminfo", Mode: 0o444, Read: memoryView("/proc/meminfo", FormatMeminfo)}

// memoryView reads a host file that the caller's memory cgroup rewrites
// (meminfo, swaps): the host's file itself when the caller has no memory
// cgroup to speak of.
func memoryView(path string, format func(host []byte, m Memory) []byte) func(*Caller) ([]byte, error) {
	return func(c *Caller) ([]byte, error) {
		host, err := c.hostFile(path)
		if err != nil {
			return nil, err
		}
		m, err := callerMemory(c)
		if errors.Is(err, errNoCgroup) {
			return host, nil
		}
		if err != nil {
			return nil, err
		}
		return format(host, m), nil
	}
}

func callerMemory(c *Caller) (Memory, error) {
	cg, err := c.Cgroups()
	if err != nil {
		return Memory{}, err
	}
	return cg.Memory()
}

// meminfoLine is one line of /proc/meminfo.
type meminfoLine struct {
	name  string
	value uint64 // kB
	kb    bool   // "kB" unit (the HugePages_ counts have none)
	raw   string
}

func parseMeminfo(data []byte) []meminfoLine {
	out := make([]meminfoLine, 0, 64)
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		l := meminfoLine{raw: line}
		if name, rest, ok := strings.Cut(line, ":"); ok {
			rest = strings.TrimSpace(rest)
			num, unit, _ := strings.Cut(rest, " ")
			if v, ok := parseDecimal([]byte(num)); ok {
				l.name, l.value, l.kb = name, v, unit == "kB"
			}
		}
		out = append(out, l)
	}
	return out
}

// meminfoByName maps the names of /proc/meminfo's lines to their values.
func meminfoByName(lines []meminfoLine) map[string]uint64 {
	vals := make(map[string]uint64, len(lines))
	for _, l := range lines {
		if l.name != "" {
			vals[l.name] = l.value
		}
	}
	return vals
}

// FormatMeminfo rewrites the host's /proc/meminfo with a cgroup's values.
func FormatMeminfo(host []byte, m Memory) []byte {
	lines := parseMeminfo(host)
	return formatMeminfo(lines, cgroupMeminfo(meminfoByName(lines), m), len(host))
}

// cgroupMeminfo is the /proc/meminfo values (kB, by line name) that a
// cgroup's replace; hostVal are the host's (limits above its MemTotal and
// SwapTotal are capped there).
func cgroupMeminfo(hostVal map[string]uint64, m Memory) map[string]uint64 {
	kb := func(b uint64) uint64 { return b / 1024 }
	total := hostVal["MemTotal"]
	if m.Limit != Unlimited && kb(m.Limit) < total {
		total = kb(m.Limit)
	}
	used := min(kb(m.Usage), total)
	free := total - used
	cached := min(kb(m.Cache), used)
	avail := min(free+kb(m.ActiveFile+m.InactiveFile+m.SlabReclaimable), total)
	set := map[string]uint64{
		"MemTotal":       total,
		"MemFree":        free,
		"MemAvailable":   avail,
		"Buffers":        0,
		"Cached":         cached,
		"SwapCached":     0,
		"Active":         kb(m.ActiveAnon + m.ActiveFile),
		"Inactive":       kb(m.InactiveAnon + m.InactiveFile),
		"Active(anon)":   kb(m.ActiveAnon),
		"Inactive(anon)": kb(m.InactiveAnon),
		"Active(file)":   kb(m.ActiveFile),
		"Inactive(file)": kb(m.InactiveFile),
		"Unevictable":    kb(m.Unevictable),
		"Dirty":          kb(m.Dirty),
		"Writeback":      kb(m.Writeback),
		"AnonPages":      kb(m.Anon),
		"Mapped":         kb(m.Mapped),
		"Shmem":          kb(m.Shmem),
		"KReclaimable":   kb(m.SlabReclaimable),
		"Slab":           kb(m.SlabReclaimable + m.SlabUnreclaimable),
		"SReclaimable":   kb(m.SlabReclaimable),
		"SUnreclaim":     kb(m.SlabUnreclaimable),
	}
	if m.SwapAccounted {
		swapTotal := hostVal["SwapTotal"]
		if m.SwapLimit != Unlimited && kb(m.SwapLimit) < swapTotal {
			swapTotal = kb(m.SwapLimit)
		}
		set["SwapTotal"] = swapTotal
		set["SwapFree"] = swapTotal - min(kb(m.SwapUsage), swapTotal)
	}
	return set
}

// formatMeminfo writes lines back, with the values in set instead of
// theirs; size is the host file's.
func formatMeminfo(lines []meminfoLine, set map[string]uint64, size int) []byte {
	b := make([]byte, 0, size+64)
	for _, l := range lines {
		v, ok := set[l.name]
		if !ok || !l.kb {
			b = append(b, l.raw...)
			b = append(b, '\n')
			continue
		}
		// The kernel's layout: the name and colon padded to 16 columns,
		// the value right-aligned in 8.
		b = append(b, l.name...)
		b = append(b, ':')
		for i := len(l.name) + 1; i < 16; i++ {
			b = append(b, ' ')
		}
		var num [20]byte
		digits := strconv.AppendUint(num[:0], v, 10)
		for i := len(digits); i < 8; i++ {
			b = append(b, ' ')
		}
		b = append(b, digits...)
		b = append(b, " kB\n"...)
	}
	return b
}
