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

// EnvHostProc names the variable through which the constructor hands over
// its fd of the host's /proc.
const EnvHostProc = "_SBL_HOSTPROC_FD"

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
// this process was not started by Command.
func HostProc() *os.File {
	v := os.Getenv(EnvHostProc)
	if v == "" {
		return nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil
	}
	return os.NewFile(uintptr(fd), "/proc (host)")
}
