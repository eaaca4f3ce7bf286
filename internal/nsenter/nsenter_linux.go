package nsenter

// #cgo CFLAGS: -Wall -Werror
import "C"

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
)

// EnvPID names the variable that makes the constructor enter a process.
const EnvPID = "_SBL_NSENTER_PID"

// envProcfsFD asks the constructor for a procfs context of the target's pid
// namespace at the fd it names (see procfs_linux.c).
const envProcfsFD = "_SBL_NSENTER_PROCFS_FD"

// ProcfsEnv is the variable for Command's env that makes the helper start
// with an fsopen("proc") context of the target's pid namespace at fd (a
// number above the helper's inherited files).
func ProcfsEnv(fd int) string { return envProcfsFD + "=" + strconv.Itoa(fd) }

// ProcfsContext returns the procfs context asked for with ProcfsEnv, or nil
// when none was.
func ProcfsContext() *os.File {
	fd, err := strconv.Atoi(os.Getenv(envProcfsFD))
	if err != nil || HostProc() == nil {
		return nil
	}
	return os.NewFile(uintptr(fd), "procfs context")
}

// hostProcFD is where the constructor leaves its fd of the host's /proc
// (HOSTPROC_FD in nsenter_linux.c). Command starts helpers with stdio only.
const hostProcFD = 3

// Command returns a command that runs this binary with args inside the
// user, mount, network, IPC, cgroup and UTS namespaces of pid, as root of
// its user namespace, with its root and cwd. env is added to a minimal
// environment.
func Command(ctx context.Context, pid int, args []string, env ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own binary: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append([]string{EnvPID + "=" + strconv.Itoa(pid)}, env...)
	return cmd, nil
}

// HostProc returns the host's /proc opened by the constructor, or nil when
// this process was not started by Command. (The Go runtime sees the
// environment the process started with: the constructor only runs, and
// only lets the process live, when EnvPID is in it.)
func HostProc() *os.File {
	if os.Getenv(EnvPID) == "" {
		return nil
	}
	return os.NewFile(hostProcFD, "/proc (host)")
}
