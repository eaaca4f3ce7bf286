package fsemu

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// /proc/diskstats: the host's devices, each with the I/O the container's
// cgroup did on it (operations and sectors; times, merges and in-flight
// counts are 0: cgroups do not give them). The host's file when the cgroup
// gives no I/O statistics at all (no blkio/io controller).
var procDiskstats = File{Path: "/proc/diskstats", Mode: 0o444, Read: readDiskstats}

func readDiskstats(c *Caller) ([]byte, error) {
	host, err := c.hostFile("/proc/diskstats")
	if err != nil {
		return nil, err
	}
	cg, err := c.Cgroups()
	if err != nil {
		return nil, err
	}
	io, err := cg.IO()
	if errors.Is(err, errNoCgroup) {
		return host, nil
	}
	if err != nil {
		return nil, err
	}
	return FormatDiskstats(host, io), nil
}

// FormatDiskstats rewrites the host's /proc/diskstats with a cgroup's
// I/O; each line keeps the host line's number of fields.
func FormatDiskstats(host []byte, io map[Dev]IOStat) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(string(host), "\n"), "\n") {
		f := strings.Fields(l)
		if len(f) < 14 {
			if l != "" {
				b.WriteString(l)
				b.WriteByte('\n')
			}
			continue
		}
		maj, err1 := strconv.ParseUint(f[0], 10, 32)
		min, err2 := strconv.ParseUint(f[1], 10, 32)
		if err1 != nil || err2 != nil {
			b.WriteString(l)
			b.WriteByte('\n')
			continue
		}
		s := io[Dev{uint32(maj), uint32(min)}]
		vals := make([]uint64, len(f)-3)
		// reads, merged, sectors, ms; writes, merged, sectors, ms;
		// in flight, io ms, weighted ms; discards, merged, sectors, ms;
		// flushes, ms.
		vals[0], vals[2] = s.Reads, s.ReadBytes/512
		vals[4], vals[6] = s.Writes, s.WriteBytes/512
		if len(vals) >= 15 {
			vals[11], vals[13] = s.Discards, s.DiscardBytes/512
		}
		fmt.Fprintf(&b, "%4d %7d %s", maj, min, f[2])
		for _, v := range vals {
			fmt.Fprintf(&b, " %d", v)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
