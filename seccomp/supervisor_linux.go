package seccomp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// Supervisor serves one container: it receives the notify fds the engine
// sends to the listener socket and answers the trapped calls.
type Supervisor struct {
	Log   logrus.FieldLogger
	Audit audit.Sink
	Masks Masks
	// Helper runs a Request inside the caller's namespaces.
	Helper func(ctx context.Context, req Request) (Response, error)
	// Sysinfo computes what sysinfo(2) shows the container's processes;
	// nil leaves the call to the kernel (the host's values).
	Sysinfo SysinfoSource
	// Keep, when set, is told of every notify fd the engine sends before
	// it is served, and Drop of every one whose filter is gone: the keeper
	// holds a copy of each, so that a supervisor started after this one
	// dies can take them over (see package handoff and Adopt).
	Keep func(key uint64, fd int) error
	Drop func(key uint64)
	// Inflight records the calls being answered, for a successor; nil for
	// none.
	Inflight *Inflight
	// Save, when set, is given the protection each time it changes, with
	// the init pid it was read from, for a successor to Restore.
	Save func(initPid int, s Snapshot)

	mu      sync.Mutex
	initPid int
	lastKey uint64
	live    map[uint64]int // the notify fds being served, by key
	refused refusals
	prot    *Protection
	wg      sync.WaitGroup
	slots   chan struct{}
	auditor rateLimit
}

// helpers is the semaphore of running helpers.
func (s *Supervisor) helpers() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slots == nil {
		s.slots = make(chan struct{}, maxHelpers)
	}
	return s.slots
}

// Serve accepts the engine's connections until ctx ends.
func (s *Supervisor) Serve(ctx context.Context, ln *net.UnixListener) error {
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		conn, err := ln.AcceptUnix()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		go s.receive(ctx, conn)
	}
}

// receive reads one ContainerProcessState with its notify fd.
func (s *Supervisor) receive(ctx context.Context, conn *net.UnixConn) {
	defer conn.Close()
	buf := make([]byte, 1<<20)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		s.Log.WithError(err).Warn("read from the engine")
		return
	}
	fds, err := parseRights(oob[:oobn])
	if err != nil {
		s.Log.WithError(err).Warn("fds from the engine")
		return
	}
	var st specs.ContainerProcessState
	if err := json.Unmarshal(buf[:n], &st); err != nil {
		closeAll(fds)
		s.Log.WithError(err).Warn("decode the engine's process state")
		return
	}
	fd := -1
	for i, name := range st.Fds {
		if name == specs.SeccompFdName && i < len(fds) {
			fd = fds[i]
		} else if i < len(fds) {
			unix.Close(fds[i])
		}
	}
	if fd < 0 {
		s.Log.Warn("the engine sent no seccomp fd")
		return
	}
	if err := s.ensureProtection(st.State.Pid); err != nil {
		// Without the initial mount table nothing can be decided: every
		// trapped call of this process will fail (fail closed).
		s.Log.WithError(err).Error("read the container's initial mounts")
	}
	key := s.newKey()
	if s.Keep != nil {
		if err := s.Keep(key, fd); err != nil {
			// Served all the same; only a restart would lose it.
			s.Log.WithError(err).Warn("hand the notify fd to the keeper")
		}
	}
	s.serve(ctx, key, fd)
}

func (s *Supervisor) newKey() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastKey++
	return s.lastKey
}

func (s *Supervisor) serve(ctx context.Context, key uint64, fd int) {
	s.mu.Lock()
	if s.live == nil {
		s.live = map[uint64]int{}
	}
	s.live[key] = fd
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		done := s.loop(ctx, key, fd)
		s.mu.Lock()
		delete(s.live, key)
		unix.Close(fd)
		s.mu.Unlock()
		if done && s.Drop != nil {
			s.Drop(key)
		}
	}()
}

// DupFds returns copies of the notify fds being served, by key: for a new
// keeper.
func (s *Supervisor) DupFds() (map[uint64]*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[uint64]*os.File{}
	for k, fd := range s.live {
		d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			for _, f := range out {
				f.Close()
			}
			return nil, fmt.Errorf("dup notify fd: %w", err)
		}
		out[k] = os.NewFile(uintptr(d), "notify")
	}
	return out, nil
}

// Adopt serves notify fds a predecessor served (key → fd), after
// answering the calls it left unanswered (pending, from its Inflight
// table) with EINTR: whether a performed call was done is not known, and
// the caller may try again. protection is what the predecessor saved
// (nil: none was, and every call is refused).
func (s *Supervisor) Adopt(ctx context.Context, fds map[uint64]int, pending []Pending, protection *Protection, initPid int) {
	s.mu.Lock()
	s.prot, s.initPid = protection, initPid
	for k := range fds {
		s.lastKey = max(s.lastKey, k)
	}
	s.mu.Unlock()
	for _, p := range pending {
		fd, ok := fds[p.Key]
		if !ok {
			continue
		}
		if err := libseccomp.NotifIDValid(libseccomp.ScmpFd(fd), p.ID); err != nil {
			continue // answered after all, or its caller is gone
		}
		if err := libseccomp.NotifRespond(libseccomp.ScmpFd(fd), deny(p.ID, unix.EINTR)); err == nil {
			s.Log.WithField("id", p.ID).Info("answered a call the previous supervisor left: EINTR")
		}
	}
	for k, fd := range fds {
		s.serve(ctx, k, fd)
	}
}

// AddMasks protects mounts made outside any trapped call (a successor's
// live copies of its predecessor's emulated files) as masks.
func (s *Supervisor) AddMasks(masks []Identity) {
	if len(masks) == 0 {
		return
	}
	s.mu.Lock()
	p := s.prot
	s.mu.Unlock()
	if p != nil {
		p.Update(nil, masks)
		s.saveProtection()
	}
}

// saveProtection hands the current protection to Save.
func (s *Supervisor) saveProtection() {
	if s.Save == nil {
		return
	}
	s.mu.Lock()
	p, pid := s.prot, s.initPid
	s.mu.Unlock()
	if p != nil {
		s.Save(pid, p.Snapshot())
	}
}

// ensureProtection snapshots the container's mounts when its init's fd
// arrives: the engine sends it after the last mount it makes, and no mount
// can change meanwhile since the family is trapped.
func (s *Supervisor) ensureProtection(initPid int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prot != nil {
		return nil
	}
	mounts, err := callerMounts(initPid)
	if err != nil {
		return err
	}
	s.prot, s.initPid = NewProtection(mounts, s.Masks.Paths()), initPid
	if s.Save != nil {
		s.Save(initPid, s.prot.Snapshot())
	}
	return nil
}

func (s *Supervisor) protection() *Protection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prot
}

// Wait waits for every notify loop to end.
func (s *Supervisor) Wait() { s.wg.Wait() }

func parseRights(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse control message: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		fds = append(fds, got...)
	}
	if len(fds) == 0 {
		return nil, errors.New("no fds in the message")
	}
	return fds, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// Listen opens the listener socket at path (0600, replacing a stale one).
func Listen(path string) (*net.UnixListener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	return ln, nil
}
