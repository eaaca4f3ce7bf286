package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/internal/handoff"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
)

// RunWorker is `sysbox-lite supervise-worker DIR`, started by the keeper:
// it serves the container's listener, notify fds and emulated files until
// SIGTERM. A worker that is not its keeper's first (or that finds a saved
// protection) takes over: it answers what its predecessor left in flight,
// restores the saved protection and covers the dead emulated mounts with
// its own (see reattachEmulated).
func RunWorker(dir string) error {
	ready := inheritedFD(readyFDEnv, "ready")
	fail := func(err error) error {
		if ready != nil {
			fmt.Fprintln(ready, err.Error())
		}
		return err
	}
	ctlFile := inheritedFD(controlEnv, "control")
	set, _, err := handoff.Inherit()
	if err != nil {
		return fail(err)
	}
	if ctlFile == nil || set.Listener == nil || set.Inflight == nil {
		return fail(errors.New("supervise-worker: started without its keeper's handles"))
	}
	cfg, err := readSupervisorConfig(dir)
	if err != nil {
		return fail(err)
	}
	log, err := supervisorLogger(dir, cfg)
	if err != nil {
		return fail(err)
	}
	ctl, err := handoff.Conn(ctlFile)
	if err != nil {
		return fail(err)
	}
	lnc, err := net.FileListener(set.Listener)
	if err != nil {
		return fail(fmt.Errorf("listener: %w", err))
	}
	ln := lnc.(*net.UnixListener)
	ln.SetUnlinkOnClose(false)
	table, err := seccomp.MapInflight(set.Inflight)
	if err != nil {
		return fail(err)
	}
	pending := table.Pending()
	saved, hasSaved, err := loadResume(dir)
	if err != nil {
		// unreadable: nothing is trusted, every call of the processes
		// already running is refused
		log.WithError(err).Error("the saved protection")
	}
	resuming := set.Generation > 0 || len(set.Notify) > 0 || hasSaved
	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGTERM, unix.SIGINT)
	defer stop()
	signal.Ignore(unix.SIGPIPE)

	helper := seccomp.ExecHelper
	var sysinfo seccomp.SysinfoSource
	var emu *liveEmulation
	if cfg.Emulation != nil {
		// a predecessor's mount is dead (its server is gone); at a first
		// start there is none
		_ = unix.Unmount(cfg.Emulation.Dir, unix.MNT_DETACH)
		srv, em, err := startEmulation(ctx, cfg.ID, *cfg.Emulation)
		if err != nil {
			return fail(err)
		}
		emu = &liveEmulation{srv: srv, readonly: cfg.Masks.ReadOnly}
		defer func() {
			if err := srv.Unmount(); err != nil {
				log.WithError(err).Warn("unmount the emulated files")
			}
		}()
		helper = emulatingHelper(srv, cfg.Masks.ReadOnly)
		sysinfo = em
	}
	w := &workerKeeper{dir: dir, log: log, ctl: ctl, set: set}
	sup := &seccomp.Supervisor{
		Log: log.WithField("container", cfg.ID),
		Audit: audit.ForContainer(audit.File{Path: cfg.AuditLog, OnError: func(err error) {
			log.WithError(err).Warn("write the audit log")
		}}, cfg.ID, time.Now),
		Masks:    cfg.Masks,
		Helper:   helper,
		Sysinfo:  sysinfo,
		Inflight: table,
		Keep:     w.put,
		Drop:     w.del,
		Save: func(pid int, s seccomp.Snapshot) {
			if err := saveResume(dir, pid, s); err != nil {
				log.WithError(err).Warn("save the protection")
			}
		},
	}
	w.sup = sup
	if resuming {
		var prot *seccomp.Protection
		if hasSaved {
			prot = seccomp.Restore(saved.Protection)
		}
		fds := map[uint64]int{}
		for k, f := range set.Notify {
			fd, err := unix.Dup(int(f.Fd()))
			f.Close()
			if err != nil {
				log.WithError(err).Error("take over a notify fd")
				continue
			}
			fds[k] = fd
		}
		set.Notify = nil
		sup.Adopt(ctx, fds, pending, prot, saved.InitPid)
		log.WithFields(logrus.Fields{"generation": set.Generation, "fds": len(fds), "pending": len(pending)}).Info("supervisor took over")
	}
	// The container's init, if it runs: a supervisor started for a running
	// container covers the dead emulated mounts. (A predecessor that saved
	// no protection, one of a build before keepers, is found through the
	// container's state.)
	initPid, initStart := saved.InitPid, saved.InitStart
	if !hasSaved {
		if c, ok, err := (Store{Dir: filepath.Dir(dir)}).Load(filepath.Base(dir)); err == nil && ok {
			initPid, initStart = c.InitPID, c.InitStart
		}
	}
	if emu != nil && initPid > 0 {
		if n, err := emu.reattach(ctx, initPid, initStart, sup); err != nil {
			log.WithError(err).Warn("cover the dead emulated files")
		} else if n > 0 {
			log.WithField("mounts", n).Info("emulated files served again")
		}
	}
	if ready != nil {
		fmt.Fprintln(ready, "ready")
		ready.Close()
	}
	go w.watch(ctx)
	log.WithField("container", cfg.ID).Debug("supervisor listening")
	return sup.Serve(ctx, ln)
}

// workerKeeper is the worker's side of its keeper.
type workerKeeper struct {
	dir string
	log *logrus.Logger
	sup *seccomp.Supervisor

	mu  sync.Mutex
	ctl *net.UnixConn
	set handoff.Set // the listener and in-flight table, for a new keeper
}

func (w *workerKeeper) conn() *net.UnixConn {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ctl
}

func (w *workerKeeper) put(key uint64, fd int) error { return handoff.Put(w.conn(), key, fd) }

func (w *workerKeeper) del(key uint64) {
	if err := handoff.Del(w.conn(), key); err != nil {
		w.log.WithError(err).Debug("tell the keeper")
	}
}

// watch waits for the keeper to go (its end of the control socket
// closes) and starts a new one with the same handles.
func (w *workerKeeper) watch(ctx context.Context) {
	for ctx.Err() == nil {
		_, err := handoff.Read(w.conn())
		if err == nil || errors.Is(err, handoff.ErrBadMessage) {
			continue
		}
		if ctx.Err() != nil || stopping(w.dir) {
			return
		}
		w.log.Warn("the keeper is gone: starting another")
		for ctx.Err() == nil && !stopping(w.dir) {
			if err := w.newKeeper(); err != nil {
				w.log.WithError(err).Error("start a keeper")
				time.Sleep(respawnWait)
				continue
			}
			break
		}
	}
}

func (w *workerKeeper) newKeeper() error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	notify, err := w.sup.DupFds()
	if err != nil {
		return err
	}
	ctl, peer, err := handoff.Pair()
	if err != nil {
		return err
	}
	defer peer.Close()
	w.mu.Lock()
	set := handoff.Set{Listener: w.set.Listener, Inflight: w.set.Inflight, Notify: notify, Generation: w.set.Generation}
	w.mu.Unlock()
	files, env := set.Files(4)
	cmd := exec.Command(self, KeeperCommand, w.dir)
	cmd.ExtraFiles = append([]*os.File{peer}, files...)
	cmd.Env = []string{"PATH=" + supervisorPath, controlEnv + "=3", env}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	for _, f := range notify {
		f.Close()
	}
	if err != nil {
		ctl.Close()
		return fmt.Errorf("start a keeper: %w", err)
	}
	go cmd.Wait() //nolint:errcheck // reaped when it exits
	w.mu.Lock()
	old := w.ctl
	w.ctl = ctl
	w.mu.Unlock()
	old.Close()
	return nil
}
