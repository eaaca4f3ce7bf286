package fsemu

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// /proc/stat: one cpu line per CPU the container sees, with its cgroup's
// user and system time (on the host CPUs that visible CPU stands for) and
// the rest of that CPU's time as idle; the aggregate "cpu" line sums them.
// The other lines (intr, ctxt, btime, processes, ...) are the host's: btime
// stays the host's boot time, which process start times count from.
var procStatFile = File{Path: "/proc/stat", Mode: 0o444, Read: readStat}

func readStat(c *Caller) ([]byte, error) {
	host, err := c.hostFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	v, err := callerCPUs(c)
	if err != nil {
		return nil, err
	}
	return FormatStat(host, v.groups, v.cpu), nil
}

// userHZ is the unit of /proc/stat (USER_HZ, 100 on every Linux ABI).
const userHZ = 100

func nsToTicks(ns uint64) uint64 { return ns / (1e9 / userHZ) }

// FormatStat rewrites the host's /proc/stat for CPUs groups (visible CPU
// i = host CPUs groups[i], see CPUGroups) and the cgroup's usage in cpu.
func FormatStat(host []byte, groups [][]int, cpu CPU) []byte {
	lines := strings.Split(strings.TrimRight(string(host), "\n"), "\n")
	hostCPU := map[int][]uint64{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 5 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(f[0], "cpu"))
		if err != nil {
			continue
		}
		var vals []uint64
		for _, s := range f[1:] {
			v, _ := strconv.ParseUint(s, 10, 64)
			vals = append(vals, v)
		}
		hostCPU[n] = vals
	}
	width := 10
	for _, vals := range hostCPU {
		width = len(vals)
		break
	}
	rows := make([][]uint64, len(groups))
	for i, g := range groups {
		row := make([]uint64, width)
		base := hostCPU[g[0]]
		if !cpu.HasUsage {
			copy(row, base) // no accounting: the host CPU's own line
			rows[i] = row
			continue
		}
		var user, system uint64
		if cpu.PerCPU != nil {
			for _, h := range g {
				user += cpu.PerCPU[h].User
				system += cpu.PerCPU[h].System
			}
		} else {
			user, system = cpu.Total.User/uint64(len(groups)), cpu.Total.System/uint64(len(groups))
		}
		var wall uint64
		for _, v := range base {
			wall += v
		}
		u, s := nsToTicks(user), nsToTicks(system)
		row[0], row[2] = u, s
		if width > 3 {
			row[3] = sub(wall, u+s)
		}
		rows[i] = row
	}
	sum := make([]uint64, width)
	for _, r := range rows {
		for j, v := range r {
			sum[j] += v
		}
	}
	var b bytes.Buffer
	wroteCPUs := false
	writeRow := func(name string, vals []uint64) {
		b.WriteString(name)
		for _, v := range vals {
			fmt.Fprintf(&b, " %d", v)
		}
		b.WriteByte('\n')
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "cpu") {
			if !wroteCPUs {
				writeRow("cpu ", sum)
				for i, r := range rows {
					writeRow("cpu"+strconv.Itoa(i), r)
				}
				wroteCPUs = true
			}
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
