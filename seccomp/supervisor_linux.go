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

	mu      sync.Mutex
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
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.loop(ctx, fd)
	}()
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
	s.prot = NewProtection(mounts, s.Masks.Paths())
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
