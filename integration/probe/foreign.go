package main

// probe foreign-watch STOPFILE COMM  until STOPFILE exists (60 s at most),
//                                    stop every process named COMM that
//                                    appears in this pid namespace and try
//                                    to reach into it (ptrace, its fds,
//                                    root, environ, namespaces)
// probe foreign-control              the same attempts against a child of
//                                    the probe's own (they must succeed:
//                                    the control that shows the attempts
//                                    work where the target is reachable)
//
// Output: OK, then "seen N stopped M refused R granted K" and one line per
// access that was granted ("granted PID WHAT"). R counts the attempts the
// kernel refused (EPERM, EACCES) while the process was still there.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	confineOps["foreign-watch"] = confineOp{2, func(a []string) ([]string, error) { return foreignWatch(a[0], a[1]) }}
	confineOps["foreign-control"] = confineOp{0, func([]string) ([]string, error) { return foreignControl() }}
}

func foreignWatch(stopFile, comm string) ([]string, error) {
	deadline := time.Now().Add(time.Minute)
	done := map[int]bool{os.Getpid(): true}
	seen, stopped, refused := 0, 0, 0
	var granted []string
	for time.Now().Before(deadline) {
		if _, err := os.Stat(stopFile); err == nil {
			break
		}
		for _, pid := range listPids() {
			if done[pid] {
				continue
			}
			name, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			if err != nil || strings.TrimSpace(string(name)) != comm {
				continue
			}
			done[pid] = true
			seen++
			// Stopped, it cannot run away; not stoppable (yet host
			// root's, or gone), it is tried all the same.
			if unix.Kill(pid, unix.SIGSTOP) == nil && waitStopped(pid) {
				stopped++
			}
			g, r := reachInto(pid)
			granted, refused = append(granted, g...), refused+r
			_ = unix.Kill(pid, unix.SIGCONT)
		}
	}
	return append([]string{fmt.Sprintf("seen %d stopped %d refused %d granted %d", seen, stopped, refused, len(granted))}, granted...), nil
}

func foreignControl() ([]string, error) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid
	if err := unix.Kill(pid, unix.SIGSTOP); err != nil {
		return nil, err
	}
	if !waitStopped(pid) {
		return nil, fmt.Errorf("pid %d did not stop", pid)
	}
	granted, refused := reachInto(pid)
	_ = unix.Kill(pid, unix.SIGCONT)
	return append([]string{fmt.Sprintf("seen 1 stopped 1 refused %d granted %d", refused, len(granted))}, granted...), nil
}

func listPids() []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitStopped waits (briefly) for pid's state to be T.
func waitStopped(pid int) bool {
	for i := 0; i < 200; i++ {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		if j := strings.LastIndexByte(string(data), ')'); j > 0 && len(data) > j+2 && (data[j+2] == 'T' || data[j+2] == 't') {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// reachInto tries each way into another process that needs ptrace access
// (or is ptrace itself): it names those that worked and counts those the
// kernel refused while the process was there.
func reachInto(pid int) (granted []string, refused int) {
	p := func(rel string) string { return fmt.Sprintf("/proc/%d/%s", pid, rel) }
	try := func(what string, err error) {
		switch {
		case err == nil:
			granted = append(granted, fmt.Sprintf("granted %d %s", pid, what))
		case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
			refused++
		}
	}
	_, err := os.ReadDir(p("fd"))
	try("fd list", err)
	_, err = os.Readlink(p("root"))
	try("root", err)
	_, err = os.Readlink(p("cwd"))
	try("cwd", err)
	if data, err := os.ReadFile(p("environ")); err != nil || len(data) > 0 {
		try("environ", err)
	}
	for _, ns := range []string{"mnt", "user", "pid"} {
		fd, err := unix.Open(p("ns/"+ns), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
		try("ns/"+ns, err)
	}
	if pidfd, err := unix.PidfdOpen(pid, 0); err == nil {
		for fd := 0; fd < 8; fd++ {
			got, err := unix.PidfdGetfd(pidfd, fd, 0)
			if err == nil {
				unix.Close(got)
			}
			if !errors.Is(err, unix.EBADF) {
				try(fmt.Sprintf("pidfd_getfd %d", fd), err)
			}
		}
		unix.Close(pidfd)
	}
	err = unix.PtraceSeize(pid)
	try("ptrace", err)
	if err == nil {
		// A seized tracee is detached from a stop: interrupt it first.
		_ = unix.PtraceInterrupt(pid)
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WALL, nil)
		_ = unix.PtraceDetach(pid)
	}
	return granted, refused
}
