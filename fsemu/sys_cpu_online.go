package fsemu

// /sys/devices/system/cpu/online: the CPUs the container sees, numbered
// from 0 as in its /proc/cpuinfo and /proc/stat.
var sysCPUOnline = File{Path: "/sys/devices/system/cpu/online", Mode: 0o444, Read: readCPUOnline}

func readCPUOnline(c *Caller) ([]byte, error) {
	v, err := callerCPUs(c)
	if err != nil {
		return nil, err
	}
	return FormatCPUOnline(v.n), nil
}

// FormatCPUOnline is the online list of n CPUs numbered from 0.
func FormatCPUOnline(n int) []byte {
	cpus := make([]int, n)
	for i := range cpus {
		cpus[i] = i
	}
	return []byte(FormatCPUList(cpus) + "\n")
}
