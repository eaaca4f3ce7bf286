package fsemu

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// Sysinfo is what sysinfo(2) shows a process of the container: the values
// of its emulated /proc/meminfo, /proc/uptime and /proc/loadavg, computed
// by the same code. The seccomp supervisor packs them into the caller's
// struct sysinfo (busybox free and uptime read that, not /proc).
type Sysinfo struct {
	// Uptime is the seconds since the container started (/proc/uptime).
	Uptime float64
	// Loads are the 1, 5 and 15 minute load averages (/proc/loadavg).
	Loads [3]float64
	// Procs is the number of threads, as the kernel's nr_threads: those
	// of the caller's cgroup at the last load sample (/proc/loadavg's
	// fourth field, after the slash).
	Procs int
	// TotalRAM, FreeRAM, SharedRAM, BufferRAM, TotalSwap and FreeSwap are
	// /proc/meminfo's MemTotal, MemFree, Shmem, Buffers, SwapTotal and
	// SwapFree, in bytes.
	TotalRAM, FreeRAM, SharedRAM, BufferRAM, TotalSwap, FreeSwap uint64
}

// Sysinfo computes what sysinfo(2) shows the process pid (a host pid).
func (e *Emulator) Sysinfo(pid int) (Sysinfo, error) {
	c := e.Caller(pid)
	var s Sysinfo
	host, err := c.hostFile("/proc/meminfo")
	if err != nil {
		return s, err
	}
	mem := meminfoByName(parseMeminfo(host))
	if _, ok := mem["MemTotal"]; !ok {
		return s, fmt.Errorf("/proc/meminfo: no MemTotal")
	}
	switch m, err := callerMemory(c); {
	case err == nil:
		maps.Copy(mem, cgroupMeminfo(mem, m))
	case !errors.Is(err, errNoCgroup):
		return s, err
	}
	s.TotalRAM = mem["MemTotal"] * 1024
	s.FreeRAM = mem["MemFree"] * 1024
	s.SharedRAM = mem["Shmem"] * 1024
	s.BufferRAM = mem["Buffers"] * 1024
	s.TotalSwap = mem["SwapTotal"] * 1024
	s.FreeSwap = mem["SwapFree"] * 1024

	hostUp, start, err := c.uptimeBase()
	if err != nil {
		return s, err
	}
	s.Uptime, _ = Uptime(hostUp, start, 1, -1)

	l, ok, err := c.load()
	if err != nil {
		return s, err
	}
	if !ok {
		data, err := c.hostFile("/proc/loadavg")
		if err != nil {
			return s, err
		}
		if l, err = parseLoadavg(data); err != nil {
			return s, err
		}
	}
	s.Loads, s.Procs = l.Avg, l.Total
	return s, nil
}

// parseLoadavg reads /proc/loadavg's format (Load.Format).
func parseLoadavg(data []byte) (Load, error) {
	var l Load
	f := strings.Fields(string(data))
	if len(f) < 4 {
		return l, fmt.Errorf("/proc/loadavg: malformed %q", data)
	}
	for i := range l.Avg {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return l, fmt.Errorf("/proc/loadavg: %w", err)
		}
		l.Avg[i] = v
	}
	running, total, ok := strings.Cut(f[3], "/")
	if !ok {
		return l, fmt.Errorf("/proc/loadavg: malformed %q", data)
	}
	var err error
	if l.Running, err = strconv.Atoi(running); err != nil {
		return l, fmt.Errorf("/proc/loadavg: %w", err)
	}
	if l.Total, err = strconv.Atoi(total); err != nil {
		return l, fmt.Errorf("/proc/loadavg: %w", err)
	}
	if len(f) > 4 {
		l.LastPid, _ = strconv.Atoi(f[4])
	}
	return l, nil
}
