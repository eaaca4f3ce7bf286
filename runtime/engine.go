package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Engine is the OCI runtime binary sysbox-lite drives (runc by default).
type Engine struct{ Path string }

var engineFallbackDirs = []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"}

// FindEngine resolves name: a path, a name in PATH, or a name in the usual
// system directories (shims often run with a short PATH).
func FindEngine(name string) (Engine, error) {
	if p, err := exec.LookPath(name); err == nil {
		abs, err := filepath.Abs(p)
		if err != nil {
			return Engine{}, fmt.Errorf("engine path: %w", err)
		}
		return Engine{Path: abs}, nil
	}
	if filepath.Base(name) == name {
		for _, d := range engineFallbackDirs {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				return Engine{Path: p}, nil
			}
		}
	}
	return Engine{}, fmt.Errorf("engine %q not found: install runc or set engine in the sysbox-lite config", name)
}

// Name is the engine's base name (runc, crun, ...).
func (e Engine) Name() string { return filepath.Base(e.Path) }

// DefaultRoot is where the engine keeps state when --root is not given.
func (e Engine) DefaultRoot() string {
	if e.Name() == "crun" {
		return "/run/crun"
	}
	return "/run/runc"
}

// Exec replaces this process with the engine: pass-through commands keep
// their stdio, fds and pid relationships exactly as the caller set them.
func (e Engine) Exec(args []string) error {
	argv := append([]string{e.Name()}, args...)
	if err := syscall.Exec(e.Path, argv, os.Environ()); err != nil {
		return fmt.Errorf("exec engine %s: %w", e.Path, err)
	}
	return nil
}

// Run starts the engine as a child with this process's stdio and the
// inherited fds 3..3+extraFDs-1, forwards signals to it, and returns its
// exit code (128+signal when it was killed).
func (e Engine) Run(args []string, extraFDs int) (int, error) {
	return e.RunIn(nil, args, extraFDs)
}

// RunIn is Run with the engine started inside the network namespace open
// as netns (nil: this process's); see startIn.
func (e Engine) RunIn(netns *os.File, args []string, extraFDs int) (int, error) {
	cmd := exec.Command(e.Path, args...)
	cmd.Args[0] = e.Name()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	for fd := 3; fd < 3+extraFDs; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return 1, fmt.Errorf("preserved fd %d is not open: %w", fd, err)
		}
		cmd.ExtraFiles = append(cmd.ExtraFiles, os.NewFile(uintptr(fd), "fd"+strconv.Itoa(fd)))
	}
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)
	if err := startIn(netns, cmd); err != nil {
		return 1, fmt.Errorf("start engine %s: %w", e.Path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			if s == unix.SIGCHLD || s == unix.SIGURG || s == unix.SIGPIPE {
				continue // ours, or the Go runtime's preemption signal
			}
			_ = cmd.Process.Signal(s)
		case err := <-done:
			return exitCode(err)
		}
	}
}

// Output runs the engine and returns its standard output.
func (e Engine) Output(args ...string) ([]byte, error) {
	cmd := exec.Command(e.Path, args...)
	cmd.Args[0] = e.Name()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return out, fmt.Errorf("%s %v: %w: %s", e.Name(), args, err, ee.Stderr)
		}
		return out, fmt.Errorf("%s %v: %w", e.Name(), args, err)
	}
	return out, nil
}

func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return 1, fmt.Errorf("wait for engine: %w", err)
}
