package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// stopSupervision ends a container's keeper and worker for good: the stop
// marker first, so that neither replaces the other meanwhile. recorded is
// the state's Supervisor: the keeper create started, or, in a state of
// the format before keepers (version 1), the one supervisor.
func stopSupervision(dir string, recorded Process) error {
	if err := os.WriteFile(filepath.Join(dir, stopMarker), nil, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mark the supervisor stopping: %w", err)
	}
	var errs []error
	keeper, ok := readProcess(dir, keeperFile)
	if !ok {
		keeper = recorded
	}
	errs = append(errs, stopSupervisor(keeper))
	if keeper != recorded {
		errs = append(errs, stopSupervisor(recorded))
	}
	if worker, ok := readProcess(dir, workerFile); ok {
		errs = append(errs, stopSupervisor(worker))
	}
	return errors.Join(errs...)
}

// supervised reports whether a container's keeper or worker runs.
func supervised(dir string, recorded Process) bool {
	for _, name := range []string{keeperFile, workerFile} {
		if p, ok := readProcess(dir, name); ok && alive(p) {
			return true
		}
	}
	return alive(recorded)
}

func alive(p Process) bool {
	if p.Pid <= 0 {
		return false
	}
	start, err := processStart(p.Pid)
	return err == nil && start == p.Start
}

// revive starts a new keeper for a running container whose keeper and
// worker are both gone (killed together): the processes that were running
// keep failing their trapped calls (their notify fds are lost with the
// last process that held them; the kernel then answers ENOSYS), but the
// listener is served again for new processes (exec), and the emulated
// files are served again (the new worker covers the dead mounts).
func (rt *Runtime) revive(key string) error {
	store := rt.Store()
	dir := store.Path(key)
	// the common case, without the lock: a keeper or worker runs (exec
	// is a hot path)
	if p, ok := readProcess(dir, keeperFile); ok && alive(p) {
		return nil
	}
	if _, err := os.Lstat(dir); err != nil {
		return nil // not a container of sysbox-lite's
	}
	l, err := store.Lock(key)
	if err != nil {
		return err
	}
	defer l.Unlock()
	c, ok, err := store.Load(key)
	if err != nil || !ok || c.Supervisor.Pid == 0 {
		return err
	}
	if stopping(dir) || supervised(dir, c.Supervisor) {
		return nil
	}
	cfg, err := readSupervisorConfig(dir)
	if err != nil {
		return err
	}
	rt.Log.WithField("id", c.ID).Warn("the container's supervisor is gone: starting a new one")
	p, err := rt.startSupervisor(dir, cfg)
	if err != nil {
		return fmt.Errorf("restart the supervisor of %s: %w", c.ID, err)
	}
	c.Supervisor, c.Version = p, StateVersion
	return store.Save(key, c)
}

// RestartSupervisors has the keeper of every running container replace
// itself, and then its worker, with the binary now installed (SIGHUP):
// after an upgrade, running containers are served by the new build. A
// container created by a build before keepers (state version 1) keeps its
// supervisor, on the old build, until it is deleted. It returns a line per
// container.
func (rt *Runtime) RestartSupervisors() ([]string, error) {
	store := rt.Store()
	keys, err := store.Keys()
	if err != nil {
		return nil, err
	}
	var out []string
	var errs []error
	for _, key := range keys {
		c, ok, err := store.Load(key)
		if err != nil || !ok {
			continue
		}
		dir := store.Path(key)
		keeper, has := readProcess(dir, keeperFile)
		switch {
		case stopping(dir):
			continue
		case !has:
			out = append(out, fmt.Sprintf("%s: kept (its supervisor predates keepers: it stays on its build until the container is deleted)", c.ID))
		case !alive(keeper):
			out = append(out, fmt.Sprintf("%s: no keeper running (the next exec starts one)", c.ID))
		default:
			if err := signalProcess(keeper, unix.SIGHUP); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", c.ID, err))
				continue
			}
			out = append(out, fmt.Sprintf("%s: restarted (keeper %d)", c.ID, keeper.Pid))
		}
	}
	return out, errors.Join(errs...)
}

// signalProcess signals p through a pidfd, if it is still the process
// recorded (pids are reused).
func signalProcess(p Process, sig unix.Signal) error {
	pidfd, err := unix.PidfdOpen(p.Pid, 0)
	if err != nil {
		return fmt.Errorf("process %d is gone", p.Pid)
	}
	defer unix.Close(pidfd)
	if !alive(p) {
		return fmt.Errorf("process %d is gone", p.Pid)
	}
	if err := unix.PidfdSendSignal(pidfd, sig, nil, 0); err != nil {
		return fmt.Errorf("signal %d: %w", p.Pid, err)
	}
	return nil
}
