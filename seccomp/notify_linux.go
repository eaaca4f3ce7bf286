package seccomp

import (
	"context"
	"errors"
	"fmt"
	"time"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// capSysAdmin is CAP_SYS_ADMIN's bit in /proc/PID/status CapEff.
const capSysAdmin = 21

// helperTimeout bounds one performed call.
const helperTimeout = 10 * time.Second

// maxHelpers bounds the helpers one container can have running at once.
const maxHelpers = 4

// loop answers the notifications of one fd until every process using its
// filter is gone (the fd hangs up: done is true) or ctx ends.
func (s *Supervisor) loop(ctx context.Context, key uint64, fd int) (done bool) {
	for ctx.Err() == nil {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 1000); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			s.Log.WithError(err).Warn("poll notify fd")
			return false
		}
		if pfd[0].Revents&unix.POLLIN == 0 {
			if pfd[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 {
				return true
			}
			continue
		}
		req, err := libseccomp.NotifReceive(libseccomp.ScmpFd(fd))
		if err != nil {
			if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EINTR) {
				continue // the caller died before we read it
			}
			s.Log.WithError(err).Warn("receive notification")
			continue
		}
		slot := -1
		if s.Inflight != nil {
			slot = s.Inflight.Begin(key, req.ID)
		}
		respond := func(resp *libseccomp.ScmpNotifResp) {
			if err := libseccomp.NotifRespond(libseccomp.ScmpFd(fd), resp); err != nil && !errors.Is(err, unix.ENOENT) {
				s.Log.WithError(err).Debug("respond to notification")
			}
			if slot >= 0 {
				s.Inflight.End(slot)
			}
		}
		// Decided here, on the receiving thread, unless a helper must
		// perform the call: a refusal costs no hand-off to another thread.
		resp, call, prot := s.decide(fd, req)
		if resp != nil {
			respond(resp)
			continue
		}
		go func() { respond(s.perform(ctx, req, call, prot)) }()
	}
	return false
}

func deny(id uint64, errno unix.Errno) *libseccomp.ScmpNotifResp {
	return &libseccomp.ScmpNotifResp{ID: id, Error: int32(errno)}
}

// decide answers what needs no helper (a refusal, sysinfo, a propagation
// change); otherwise it returns nil and what perform needs.
func (s *Supervisor) decide(fd int, req *libseccomp.ScmpNotifReq) (*libseccomp.ScmpNotifResp, Call, *Protection) {
	name, err := req.Data.Syscall.GetNameByArch(req.Data.Arch)
	if err != nil {
		return deny(req.ID, unix.ENOSYS), Call{}, nil
	}
	if name == "sysinfo" {
		return s.answerSysinfo(fd, req), Call{}, nil
	}
	call, err := copyCall(name, req)
	if err != nil {
		s.Log.WithError(err).WithField("syscall", name).Debug("copy arguments")
		return deny(req.ID, unix.EFAULT), Call{}, nil
	}
	// What was read from the caller's memory is only meaningful if the
	// caller is still the one that made this call.
	if err := libseccomp.NotifIDValid(libseccomp.ScmpFd(fd), req.ID); err != nil {
		return deny(req.ID, unix.ENOENT), Call{}, nil
	}
	if !hasCap(call.Pid, capSysAdmin) {
		return deny(req.ID, unix.EPERM), Call{}, nil // what the kernel says to a caller without CAP_SYS_ADMIN
	}
	prot := s.protection()
	if prot == nil {
		return deny(req.ID, unix.EPERM), Call{}, nil
	}
	if call.Syscall == "mount" && kindOf(call.Flags) == kindPropagation {
		// CONTINUE is safe here: the flags are in a register the caller
		// cannot change, and with them the kernel only changes the
		// propagation type of whatever the target names, which grants
		// nothing (no mount is made, moved, removed or weakened).
		return &libseccomp.ScmpNotifResp{ID: req.ID, Flags: libseccomp.NotifRespFlagContinue}, Call{}, nil
	}
	if reason := s.quickRefusal(call, prot); reason != "" {
		s.denied(call, reason)
		return deny(req.ID, unix.EPERM), Call{}, nil
	}
	return nil, call, prot
}

// perform has a helper perform a call that decide passed on.
func (s *Supervisor) perform(ctx context.Context, req *libseccomp.ScmpNotifReq, call Call, prot *Protection) *libseccomp.ScmpNotifResp {
	hctx, cancel := context.WithTimeout(ctx, helperTimeout)
	defer cancel()
	// Helpers are host processes, outside the container's cgroups: at most
	// maxHelpers at a time per container, the other calls wait their turn.
	select {
	case s.helpers() <- struct{}{}:
		defer func() { <-s.helpers() }()
	case <-hctx.Done():
		return deny(req.ID, unix.EAGAIN)
	}
	res, err := s.Helper(hctx, Request{Call: call, Protection: prot.Snapshot(), Masks: s.Masks})
	if err != nil {
		s.Log.WithError(err).WithField("call", describe(call)).Warn("mount helper failed")
		return deny(req.ID, unix.EPERM)
	}
	prot.Forget(res.Gone)
	prot.Update(res.Owned, res.Masks)
	s.saveProtection()
	if res.Errno != 0 {
		if res.Denied {
			s.denied(call, res.Reason)
		}
		return deny(req.ID, unix.Errno(res.Errno))
	}
	return &libseccomp.ScmpNotifResp{ID: req.ID}
}

func (s *Supervisor) denied(call Call, reason string) {
	ok, suppressed := s.auditor.allow(time.Now())
	if !ok {
		return
	}
	if suppressed > 0 {
		reason = fmt.Sprintf("%s (and %d more denials not logged: rate limit)", reason, suppressed)
	}
	s.Log.WithField("call", describe(call)).Info("denied: " + reason)
	s.Audit.Record(audit.Event{Asked: describe(call), Rule: audit.RuleMounts, Verdict: audit.Denied, Reason: reason})
}

func describe(c Call) string {
	if c.Syscall == "umount2" {
		return fmt.Sprintf("umount2(%q, %#x) by pid %d", c.Target, c.Flags, c.Pid)
	}
	return fmt.Sprintf("mount(%q, %q, %q, %#x, %q) by pid %d", c.Source, c.Target, c.FSType, c.Flags, c.Data, c.Pid)
}

// copyCall copies a trapped call's arguments out of the caller's memory.
func copyCall(name string, req *libseccomp.ScmpNotifReq) (Call, error) {
	c := Call{Pid: int(req.Pid)}
	a := req.Data.Args
	mem, err := openMemory(c.Pid)
	if err != nil {
		return c, err
	}
	defer mem.Close()
	switch name {
	case "mount":
		c.Syscall = "mount"
		if c.Source, c.HasSource, err = mem.String(a[0]); err != nil {
			return c, err
		}
		if c.Target, _, err = mem.String(a[1]); err != nil {
			return c, err
		}
		if c.FSType, c.HasFSType, err = mem.String(a[2]); err != nil {
			return c, err
		}
		c.Flags = normalizeFlags(a[3])
		if c.Data, c.HasData, err = mem.String(a[4]); err != nil {
			return c, err
		}
	case "umount2", "umount":
		c.Syscall = "umount2"
		if c.Target, _, err = mem.String(a[0]); err != nil {
			return c, err
		}
		if name == "umount2" {
			c.Flags = a[1]
		}
	default:
		return c, fmt.Errorf("%s is not handled", name)
	}
	return c, nil
}

// hasCap reports whether pid's effective set has capability bit (capget:
// one syscall, where /proc/PID/status is a file to render and parse).
func hasCap(pid, bit int) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3, Pid: int32(pid)}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	eff := uint64(data[0].Effective) | uint64(data[1].Effective)<<32
	return eff&(1<<bit) != 0
}

// quickRefusal refuses without a helper what the rules clearly refuse
// (a denied call should cost microseconds). Anything it cannot judge from
// outside, or allows, goes to the helper, which decides again on fds.
func (s *Supervisor) quickRefusal(c Call, prot *Protection) string {
	var path string
	var follow bool
	switch {
	case c.Syscall == "umount2":
		path, follow = c.Target, c.Flags&unix.UMOUNT_NOFOLLOW == 0
	case kindOf(c.Flags) == kindMove:
		path, follow = c.Source, true
	case kindOf(c.Flags) == kindRemount || kindOf(c.Flags) == kindReconfigure:
		path, follow = c.Target, true
	default:
		return ""
	}
	fd, err := openInCaller(c.Pid, path, follow)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	detach := c.Syscall == "umount2" || kindOf(c.Flags) == kindMove
	unique, isRoot, hasUnique := uniqueMountRoot(fd)
	if detach && hasUnique && isRoot {
		if reason, ok := s.refused.get(unique); ok {
			return reason
		}
	}
	mounts, err := callerMounts(c.Pid)
	if err != nil {
		return ""
	}
	m, isRoot, err := mountOfFd(fd, mounts)
	if err != nil || !isRoot {
		return ""
	}
	r := prot.Rules()
	if detach {
		if err := r.CanDetach(m, mounts); err != nil {
			if hasUnique {
				s.refused.put(unique, err.Error())
			}
			return err.Error()
		}
		return ""
	}
	if err := r.CanReconfigure(m, wantRestrictions(c.Flags)); err != nil {
		return err.Error()
	}
	return ""
}
