package hostcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Probes that change a process for good (a seccomp filter) or need a mount
// namespace of their own (attached layer mounts) run in a child: this same
// binary, re-executed with probeEnv naming the probe. Every binary that
// links this package (sysbox-lite, its tests) can serve, like userns's
// namespace holder. The child does the probe before main and exits: 0 with
// its findings on stdout, or 1 with the error on stderr.
const (
	probeEnv    = "_SYSBOX_LITE_CHECK_PROBE"
	probeDirEnv = "_SYSBOX_LITE_CHECK_DIR"
)

// childTimeout bounds one child probe.
const childTimeout = 20 * time.Second

// childProbes are the probes a child can run, by name.
var childProbes = map[string]func(dir string) (string, error){
	"seccomp-notify": seccompNotifyChild,
	"overlay":        overlayChild,
}

func init() {
	name := os.Getenv(probeEnv)
	if name == "" {
		return
	}
	probe, ok := childProbes[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown probe %q\n", name)
		os.Exit(2)
	}
	out, err := probe(os.Getenv(probeDirEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprint(os.Stdout, out)
	os.Exit(0)
}

// runChild runs probe name in a child (with dir, and in a new mount
// namespace when newNS) and returns what it printed.
func runChild(name, dir string, newNS bool) (string, error) {
	self, err := os.Executable()
	if err != nil {
		self = "/proc/self/exe"
	}
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = []string{probeEnv + "=" + name, probeDirEnv + "=" + dir, "PATH=" + os.Getenv("PATH")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if newNS {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWNS
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("probe %s did not finish within %s", name, childTimeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if msg := strings.TrimSpace(stderr.String()); errors.As(err, &ee) && msg != "" {
			return "", errors.New(msg)
		}
		return "", fmt.Errorf("probe %s: %w", name, err)
	}
	return strings.TrimSpace(stdout.String()), nil
}
