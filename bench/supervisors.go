package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// supervisorsOf finds the PIDs of the sysbox-lite supervision of a
// container, its keeper and its worker: processes whose command line has
// "supervise" or "supervise-worker" and a state directory
// <stateDir>/<containerID>.<hash>. None when there is none.
func supervisorsOf(stateDir, containerID string) ([]int, error) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if isSupervisorOf(data, stateDir, containerID) {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// isSupervisorOf tells whether a NUL-separated command line is the
// supervisor of containerID under stateDir.
func isSupervisorOf(cmdline []byte, stateDir, containerID string) bool {
	args := strings.Split(string(bytes.TrimRight(cmdline, "\x00")), "\x00")
	sup, dir := false, false
	for _, a := range args {
		if a == "supervise" || a == "supervise-worker" {
			sup = true
		}
		if strings.HasPrefix(a, stateDir+"/") && strings.HasPrefix(filepath.Base(a), containerID+".") {
			dir = true
		}
	}
	return sup && dir
}

// memoryOf reads a process's resident set (VmRSS) and proportional set
// size (Pss: shared pages divided among their users), in bytes.
func memoryOf(pid int) (rss, pss float64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	rss, err = kbField(string(status), "VmRSS:")
	if err != nil {
		return 0, 0, err
	}
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return rss, 0, err
	}
	pss, err = kbField(string(rollup), "Pss:")
	return rss, pss, err
}

// kbField reads "Name:   123 kB" from a /proc file, in bytes.
func kbField(text, name string) (float64, error) {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err != nil {
					return 0, fmt.Errorf("%s %q: %w", name, v, err)
				}
				return kb * 1024, nil
			}
		}
	}
	return 0, fmt.Errorf("no %s field", name)
}

// FormatBytes formats a size in MiB (or KiB below 1 MiB), 3 significant digits.
func FormatBytes(b float64) string {
	if b < 1<<20 {
		return sig3(b/1024) + " KiB"
	}
	return sig3(b/(1<<20)) + " MiB"
}

// containerID is a container's full ID.
func containerID(out []byte) string { return strings.TrimSpace(string(out)) }
