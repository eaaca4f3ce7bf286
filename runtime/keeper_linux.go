package runtime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"github.com/sysbox-lite/sysbox-lite/internal/handoff"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
)

// A container's supervision is two processes, each able to replace the
// other:
//
//   - the keeper (`sysbox-lite supervise DIR`, RunKeeper) holds the kernel
//     handles that must outlive a crash (package handoff: the listener
//     socket, every seccomp notify fd, the in-flight table) and does
//     nothing else; it starts the worker, and a new one whenever the
//     worker dies;
//   - the worker (`sysbox-lite supervise-worker DIR`, RunWorker) serves the
//     container: it answers the trapped calls and serves the emulated
//     files. When the keeper dies, the worker starts a new keeper and
//     hands it the same handles.
//
// Each writes its identity (a Process) into the state directory, where
// delete finds them; the stop marker, written by delete first, keeps
// either from replacing the other once the container is going.
const (
	keeperFile  = "keeper.json"
	workerFile  = "worker.json"
	stopMarker  = "stopping"
	readyFDEnv  = "_SBL_READY_FD"
	controlEnv  = "_SBL_CONTROL_FD"
	keeperComm  = "sbl-keeper"
	respawnWait = time.Second
)

// KeeperCommand and WorkerCommand are the hidden subcommands.
const (
	KeeperCommand = "supervise"
	WorkerCommand = "supervise-worker"
)

// inheritedFD returns the fd that env names, or nil.
func inheritedFD(env, name string) *os.File {
	v := os.Getenv(env)
	os.Unsetenv(env)
	n, err := strconv.Atoi(v)
	if err != nil || n < 3 {
		return nil
	}
	return os.NewFile(uintptr(n), name)
}

func stopping(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, stopMarker))
	return err == nil
}

func writeProcess(dir, name string, pid int) error {
	start, err := processStart(pid)
	if err != nil {
		return err
	}
	data, err := json.Marshal(Process{Pid: pid, Start: start})
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, name), data, 0o600)
}

func readProcess(dir, name string) (Process, bool) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return Process{}, false
	}
	var p Process
	if json.Unmarshal(data, &p) != nil {
		return Process{}, false
	}
	return p, true
}

// keeper is RunKeeper's state.
type keeper struct {
	dir string
	log *logrus.Logger

	mu  sync.Mutex
	set handoff.Set
}

// RunKeeper is `sysbox-lite supervise DIR`. Started by create, it binds
// the listener and makes the in-flight table; started with a handoff (by
// a worker whose keeper died, or by itself on an upgrade), it takes them
// over, and with controlEnv set, the worker that started it.
func RunKeeper(dir string) error {
	// Its own name (ps, pkill): stopping "sysbox-lite" processes does not
	// stop the one that keeps what cannot be rebuilt.
	_ = os.WriteFile("/proc/self/comm", []byte(keeperComm), 0o644)
	// The keeper must outlive everything but the container: the kernel
	// handles are lost with the last process that holds them.
	_ = os.WriteFile("/proc/self/oom_score_adj", []byte("-1000"), 0o644)
	ready := inheritedFD(readyFDEnv, "ready")
	fail := func(err error) error {
		if ready != nil {
			fmt.Fprintln(ready, err.Error())
		}
		return err
	}
	cfg, err := readSupervisorConfig(dir)
	if err != nil {
		return fail(err)
	}
	log, err := supervisorLogger(dir, cfg)
	if err != nil {
		return fail(err)
	}
	k := &keeper{dir: dir, log: log}
	worker := inheritedFD(controlEnv, "control")
	set, inherited, err := handoff.Inherit()
	if err != nil {
		return fail(err)
	}
	if !inherited {
		if set, err = newHandoff(cfg.Listener); err != nil {
			return fail(err)
		}
	}
	k.set = set
	if err := writeProcess(dir, keeperFile, os.Getpid()); err != nil {
		return fail(fmt.Errorf("record the keeper: %w", err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGTERM, unix.SIGINT)
	defer stop()
	upgrade := make(chan os.Signal, 1)
	signal.Notify(upgrade, unix.SIGHUP)
	signal.Ignore(unix.SIGPIPE)

	first := true
	fastFails := 0 // workers in a row that died within respawnWait of their start
	for {
		var ctl *net.UnixConn
		var cmd *exec.Cmd
		started := time.Now()
		if worker != nil {
			// the worker that started this keeper: adopted, not started
			ctl, err = handoff.Conn(worker)
			worker = nil
		} else {
			ctl, cmd, err = k.startWorker(first, ready)
		}
		if first {
			if ready != nil {
				ready.Close()
			}
			if err != nil {
				return err
			}
			first = false
		}
		if err != nil {
			log.WithError(err).Error("start the supervisor")
		} else {
			log.WithField("generation", k.generation()).Debug("supervisor serving")
			k.hold(ctx, ctl, cmd, upgrade)
		}
		switch {
		case ctx.Err() != nil || stopping(dir):
			return nil
		case len(upgrade) > 0:
			<-upgrade
			return k.reexec()
		}
		if cmd != nil && time.Since(started) < respawnWait {
			fastFails++
		} else {
			fastFails = 0
		}
		if fastFails >= 3 {
			// a supervisor that cannot start is retried once a second
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(respawnWait):
			}
		}
		log.WithField("generation", k.generation()+1).Warn("the supervisor is gone: starting another")
		k.mu.Lock()
		k.set.Generation++
		k.mu.Unlock()
	}
}

func (k *keeper) generation() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.set.Generation
}

// newHandoff binds the listener and makes the in-flight table.
func newHandoff(listener string) (handoff.Set, error) {
	ln, err := seccomp.Listen(listener)
	if err != nil {
		return handoff.Set{}, err
	}
	ln.SetUnlinkOnClose(false)
	f, err := ln.File()
	ln.Close()
	if err != nil {
		return handoff.Set{}, fmt.Errorf("listener fd: %w", err)
	}
	table, err := seccomp.NewInflightFile()
	if err != nil {
		f.Close()
		return handoff.Set{}, err
	}
	return handoff.Set{Listener: f, Inflight: table, Notify: map[uint64]*os.File{}}, nil
}

// startWorker starts a worker with the set. The first one's readiness is
// relayed to create's pipe.
func (k *keeper) startWorker(first bool, ready *os.File) (*net.UnixConn, *exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("find own binary: %w", err)
	}
	ctl, peer, err := handoff.Pair()
	if err != nil {
		return nil, nil, err
	}
	defer peer.Close()
	var r, w *os.File
	if first && ready != nil {
		if r, w, err = os.Pipe(); err != nil {
			ctl.Close()
			return nil, nil, fmt.Errorf("pipe: %w", err)
		}
		defer r.Close()
	}
	k.mu.Lock()
	files, env := k.set.Files(5)
	k.mu.Unlock()
	cmd := exec.Command(self, WorkerCommand, k.dir)
	cmd.ExtraFiles = append([]*os.File{peer, w}, files...)
	cmd.Env = []string{"PATH=" + supervisorPath, controlEnv + "=3", env}
	if w != nil {
		cmd.Env = append(cmd.Env, readyFDEnv+"=4")
	}
	err = cmd.Start()
	if w != nil {
		w.Close()
	}
	if err != nil {
		ctl.Close()
		return nil, nil, fmt.Errorf("start the supervisor: %w", err)
	}
	if err := writeProcess(k.dir, workerFile, cmd.Process.Pid); err != nil {
		k.log.WithError(err).Warn("record the supervisor")
	}
	if r != nil {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err == nil && strings.TrimSpace(line) != "ready" {
			err = errors.New(strings.TrimSpace(line))
		}
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			ctl.Close()
			fmt.Fprintln(ready, "supervisor: "+err.Error())
			return nil, nil, fmt.Errorf("supervisor: %w", err)
		}
		fmt.Fprintln(ready, "ready")
	}
	return ctl, cmd, nil
}

// hold keeps what the worker reports until it is gone; on SIGTERM or an
// upgrade it stops the worker first.
func (k *keeper) hold(ctx context.Context, ctl *net.UnixConn, cmd *exec.Cmd, upgrade chan os.Signal) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := handoff.Read(ctl)
			if errors.Is(err, handoff.ErrBadMessage) {
				k.log.WithError(err).Warn("from the supervisor")
				continue
			}
			if err != nil {
				return
			}
			k.mu.Lock()
			switch m.Op {
			case "put":
				if old := k.set.Notify[m.Key]; old != nil {
					old.Close()
				}
				k.set.Notify[m.Key] = m.FD
			case "del":
				if old := k.set.Notify[m.Key]; old != nil {
					old.Close()
					delete(k.set.Notify, m.Key)
				}
			}
			k.mu.Unlock()
		}
	}()
	select {
	case <-done:
	case <-ctx.Done():
		k.stopWorker(cmd)
		<-done
	case sig := <-upgrade:
		upgrade <- sig // for RunKeeper
		k.stopWorker(cmd)
		<-done
	}
	ctl.Close()
	if cmd != nil {
		_ = cmd.Wait()
	}
}

// stopWorker ends the worker: SIGTERM, and SIGKILL after a second.
func (k *keeper) stopWorker(cmd *exec.Cmd) {
	if cmd != nil {
		_ = cmd.Process.Signal(unix.SIGTERM)
		t := time.AfterFunc(time.Second, func() { _ = cmd.Process.Kill() })
		defer t.Stop()
		_ = cmd.Wait()
		return
	}
	if p, ok := readProcess(k.dir, workerFile); ok {
		_ = stopSupervisor(p)
	}
}

// reexec replaces this keeper with the binary now installed at its path,
// keeping its pid and handles: an upgrade.
func (k *keeper) reexec() error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	k.mu.Lock()
	k.set.Generation++
	files, env := k.set.Files(3)
	k.mu.Unlock()
	// Lay the handles out at 3, 4, ... as Files says: dup each to its
	// place (above the highest first, so that none is overwritten).
	top := 3 + len(files) + 64
	tmp := make([]int, len(files))
	for i, f := range files {
		if tmp[i], err = unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, top); err != nil {
			return fmt.Errorf("upgrade: dup: %w", err)
		}
	}
	for i := range files {
		if err := unix.Dup3(tmp[i], 3+i, 0); err != nil {
			return fmt.Errorf("upgrade: dup: %w", err)
		}
	}
	k.log.WithField("binary", self).Info("upgrade: the keeper runs the installed build")
	return syscall.Exec(self, []string{self, KeeperCommand, k.dir}, []string{"PATH=" + supervisorPath, env})
}
