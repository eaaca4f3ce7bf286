package runtime

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// File names in a container's state directory.
const (
	socketDir            = "sock"
	supervisorConfigName = "supervisor.json"
	supervisorLogName    = "supervisor.log"
)

// ListenerPath is where a container's supervisor listens. A unix socket
// path must fit in 108 bytes, which a state directory named after a
// 64-character container ID may not: sockets get a short name of their own.
func (s Store) ListenerPath(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.Dir, socketDir, hex.EncodeToString(sum[:8])+".sock")
}

// SupervisorConfig is what create hands the supervisor.
type SupervisorConfig struct {
	ID        string        `json:"id"`
	Listener  string        `json:"listener"`
	Masks     seccomp.Masks `json:"masks"`
	AuditLog  string        `json:"auditLog"`
	LogFormat string        `json:"logFormat"`
	Debug     bool          `json:"debug"`
	// Emulation is the container's FUSE file system of emulated /proc and
	// /sys files (package fsemu); nil for none.
	Emulation *EmulationConfig `json:"emulation,omitempty"`
}

// EmulationConfig is what the supervisor needs to serve the emulated files.
type EmulationConfig struct {
	Dir   string   `json:"dir"`   // the FUSE mountpoint (fsemu.Modifier.FuseDir)
	UID   uint32   `json:"uid"`   // the container's root on the host:
	GID   uint32   `json:"gid"`   // the files' owner
	Paths []string `json:"paths"` // the emulated files (fsemu.Modifier.Paths)
}

// Process identifies a process beyond its pid (which is reused): the start
// time in clock ticks from /proc/PID/stat.
type Process struct {
	Pid   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// supervisorConfig is what the supervisor of a container needs from its
// final spec and from this invocation.
func (rt *Runtime) supervisorConfig(id, listener string, spec *specs.Spec, emu fsemu.Modifier, r userns.Range) SupervisorConfig {
	cfg := SupervisorConfig{
		ID:        id,
		Listener:  listener,
		AuditLog:  rt.Config.Policy.AuditLog,
		LogFormat: rt.Argv.GlobalValue("log-format"),
		Debug:     rt.Argv.GlobalBool("debug"),
	}
	if spec.Linux != nil {
		cfg.Masks = seccomp.Masks{Masked: spec.Linux.MaskedPaths, ReadOnly: spec.Linux.ReadonlyPaths}
	}
	if emu.FuseDir != "" && len(emu.Files) > 0 {
		cfg.Emulation = &EmulationConfig{Dir: emu.FuseDir, UID: r.UID, GID: r.GID, Paths: emu.Paths()}
		cfg.Masks.Emulated = emu.Paths()
	}
	return cfg
}

// supervisorPath is the PATH of the supervisor's processes.
const supervisorPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// readSupervisorConfig reads what create wrote for the supervisor.
func readSupervisorConfig(dir string) (SupervisorConfig, error) {
	var cfg SupervisorConfig
	data, err := os.ReadFile(filepath.Join(dir, supervisorConfigName))
	if err != nil {
		return cfg, fmt.Errorf("read supervisor config: %w", err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("decode supervisor config: %w", err)
	}
	return cfg, nil
}

// startSupervisor starts the container's keeper (`sysbox-lite supervise
// DIR`, see RunKeeper) detached (own session,
// stdio on /dev/null) and waits until it listens.
func (rt *Runtime) startSupervisor(dir string, cfg SupervisorConfig) (Process, error) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return Process{}, fmt.Errorf("encode supervisor config: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, supervisorConfigName), data, 0o600); err != nil {
		return Process{}, fmt.Errorf("write supervisor config: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return Process{}, fmt.Errorf("find own binary: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return Process{}, fmt.Errorf("pipe: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(self, KeeperCommand, dir)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Env = []string{"PATH=" + supervisorPath, readyFDEnv + "=3"}
	if err := cmd.Start(); err != nil {
		w.Close()
		return Process{}, fmt.Errorf("start supervisor: %w", err)
	}
	w.Close()
	pid := cmd.Process.Pid
	go cmd.Wait() //nolint:errcheck // reaped if it dies while we wait; detached otherwise
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err != nil {
			ready <- fmt.Errorf("the supervisor exited before it was ready (killed, or it failed: its log goes with the container): %w", err)
			return
		}
		if strings.TrimSpace(line) != "ready" {
			ready <- fmt.Errorf("supervisor: %s", strings.TrimSpace(line))
			return
		}
		ready <- nil
	}()
	select {
	case err := <-ready:
		if err != nil {
			return Process{}, err
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		return Process{}, errors.New("supervisor did not get ready in 10s")
	}
	start, err := processStart(pid)
	if err != nil {
		return Process{}, err
	}
	return Process{Pid: pid, Start: start}, nil
}

// stopSupervisor ends a container's supervisor, if it is still the process
// that was started (pids are reused).
func stopSupervisor(p Process) error {
	if p.Pid <= 0 {
		return nil
	}
	// A pidfd names this process for good: once it is open and the start
	// time still matches, a signal through it cannot reach a reused pid.
	pidfd, err := unix.PidfdOpen(p.Pid, 0)
	if err != nil {
		return nil // already gone
	}
	defer unix.Close(pidfd)
	if start, err := processStart(p.Pid); err != nil || start != p.Start {
		return nil
	}
	if err := unix.PidfdSendSignal(pidfd, unix.SIGTERM, nil, 0); err != nil {
		return nil // exited meanwhile
	}
	// The pidfd polls readable when the process exits (a zombie counts).
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 1000); err == nil && n > 0 {
		return nil
	}
	if err := unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("kill supervisor %d: %w", p.Pid, err)
	}
	return nil
}

// processStart reads a process's start time; an error means it is gone
// (or a zombie, which is as good as gone).
func processStart(pid int) (uint64, error) {
	state, start, err := userns.ProcessStat(pid)
	if err != nil {
		return 0, err
	}
	if state == 'Z' {
		return 0, errors.New("zombie")
	}
	return start, nil
}

// startEmulation mounts the container's emulated files at e.Dir and keeps
// their load averages up to date until ctx ends. The emulator also gives
// the values of sysinfo(2).
func startEmulation(ctx context.Context, id string, e EmulationConfig) (*fsemu.Server, *fsemu.Emulator, error) {
	cgroups, err := fsemu.DetectCgroupFS(fsemu.RealHost)
	if err != nil {
		return nil, nil, err
	}
	byPath := map[string]fsemu.File{}
	for _, f := range fsemu.Files() {
		byPath[f.Path] = f
	}
	var files []fsemu.File
	for _, p := range e.Paths {
		if f, ok := byPath[p]; ok {
			files = append(files, f)
		}
	}
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("create the emulated files' mountpoint: %w", err)
	}
	em := fsemu.New(id, fsemu.RealHost, cgroups, files)
	srv, err := fsemu.Mount(e.Dir, em, fsemu.Owner{UID: e.UID, GID: e.GID})
	if err != nil {
		return nil, nil, err
	}
	go em.Run(ctx)
	return srv, em, nil
}

// emulatingHelper runs the mount helper, handing it detached copies of the
// emulated files when the call makes a new procfs or sysfs.
func emulatingHelper(srv *fsemu.Server, readonly []string) func(context.Context, seccomp.Request) (seccomp.Response, error) {
	return func(ctx context.Context, req seccomp.Request) (seccomp.Response, error) {
		prefix := req.Call.NewFilesystem()
		if prefix == "" {
			return seccomp.ExecHelper(ctx, req)
		}
		paths, files, err := srv.Detached(prefix, readonly)
		if err != nil {
			return seccomp.Response{}, err
		}
		defer func() {
			for _, f := range files {
				f.Close()
			}
		}()
		return seccomp.ExecHelperWith(ctx, req, paths, files)
	}
}

func supervisorLogger(dir string, cfg SupervisorConfig) (*logrus.Logger, error) {
	log := logrus.New()
	f, err := os.OpenFile(filepath.Join(dir, supervisorLogName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open supervisor log: %w", err)
	}
	log.SetOutput(f)
	if cfg.LogFormat == "json" {
		log.SetFormatter(&logrus.JSONFormatter{})
	} else {
		log.SetFormatter(&logrus.TextFormatter{DisableColors: true})
	}
	if cfg.Debug {
		log.SetLevel(logrus.DebugLevel)
	}
	return log, nil
}
