package fsemu

import (
	"fmt"
	"strconv"
	"strings"
)

// /proc/uptime: the time since the container started (the start of the
// init process of the caller's pid namespace), and as idle time what its
// CPUs did not spend on the container's processes.
//
// Tools that compute process ages from the uptime and /proc/PID/stat's
// start times (ps's ELAPSED, STIME) count from the host's boot and show
// them off, as under LXCFS.
var procUptime = File{Path: "/proc/uptime", Mode: 0o444, Read: readUptime}

func readUptime(c *Caller) ([]byte, error) {
	hostUp, start, err := c.uptimeBase()
	if err != nil {
		return nil, err
	}
	v, err := callerCPUs(c)
	if err != nil {
		return nil, err
	}
	used := -1.0
	if v.cpu.HasUsage {
		used = float64(v.cpu.Total.User+v.cpu.Total.System) / 1e9
	}
	up, idle := Uptime(hostUp, start, v.n, used)
	return FormatUptime(up, idle), nil
}

// uptimeBase is the host's uptime (seconds) and when the init of the
// caller's pid namespace started (clock ticks since boot).
func (c *Caller) uptimeBase() (hostUp float64, startTicks uint64, err error) {
	host, err := c.hostFile("/proc/uptime")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(host))
	if len(f) < 1 {
		return 0, 0, fmt.Errorf("/proc/uptime: malformed %q", host)
	}
	hostUp, err = strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, 0, fmt.Errorf("/proc/uptime: %w", err)
	}
	startTicks, err = c.e.inits.startOf(c.Pid)
	if err != nil {
		return 0, 0, err
	}
	return hostUp, startTicks, nil
}

// Uptime is a container's uptime and idle seconds: hostUp is the host's
// uptime, startTicks when its init started (clock ticks since boot), ncpu
// the CPUs it sees, used the CPU seconds it used (negative: unknown, idle
// is then 0).
func Uptime(hostUp float64, startTicks uint64, ncpu int, used float64) (up, idle float64) {
	up = hostUp - float64(startTicks)/userHZ
	if up < 0 {
		up = 0
	}
	if used >= 0 {
		idle = up*float64(ncpu) - used
	}
	if idle < 0 {
		idle = 0
	}
	return up, idle
}

// FormatUptime is /proc/uptime's format.
func FormatUptime(up, idle float64) []byte {
	return []byte(fmt.Sprintf("%.2f %.2f\n", up, idle))
}
