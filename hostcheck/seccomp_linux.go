package hostcheck

import (
	"fmt"
	"os"
	"strings"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// SeccompFacts is what the seccomp probe saw.
type SeccompFacts struct {
	// ActionsAvail is /proc/sys/kernel/seccomp/actions_avail ("" when unreadable).
	ActionsAvail string
	// Library is libseccomp's version, API its API level (5+: notifications).
	Library string
	API     uint
	// Probe is what the child reported, ProbeErr why it failed.
	Probe    string
	ProbeErr error
}

// notifyAnswer is what the probe's supervisor makes getppid return.
const notifyAnswer = 424242

// ProbeSeccomp gathers SeccompFacts: a child installs a filter with
// SCMP_ACT_NOTIFY on getppid (through libseccomp, as the supervisor's
// filters are), answers its own notification from another thread, and
// checks that getppid returned the answer.
func ProbeSeccomp(actionsAvailPath string) SeccompFacts {
	var f SeccompFacts
	if data, err := os.ReadFile(actionsAvailPath); err == nil {
		f.ActionsAvail = strings.TrimSpace(string(data))
	}
	major, minor, micro := libseccomp.GetLibraryVersion()
	f.Library = fmt.Sprintf("%d.%d.%d", major, minor, micro)
	f.API, _ = libseccomp.GetAPI()
	f.Probe, f.ProbeErr = runChild("seccomp-notify", "", false)
	return f
}

// SeccompNotify decides on the facts.
func SeccompNotify(f SeccompFacts) Result {
	const name = "seccomp notify"
	lib := fmt.Sprintf("libseccomp %s (API %d)", f.Library, f.API)
	if f.ProbeErr == nil {
		return ok(name, f.Probe+"; "+lib)
	}
	found := fmt.Sprintf("%v; %s; kernel actions: %s", f.ProbeErr, lib, orNone(f.ActionsAvail))
	switch {
	case f.ActionsAvail != "" && !hasWord(f.ActionsAvail, "user_notif"):
		return missing(name, found, "the kernel has no SECCOMP_RET_USER_NOTIF: boot one built with CONFIG_SECCOMP_FILTER (5.0+)")
	case f.API < 5:
		return missing(name, found, "libseccomp is too old for notifications: install libseccomp 2.5 or later (apt-get install libseccomp2) and rebuild sysbox-lite")
	}
	return missing(name, found, "see why the filter or the notification fails (a seccomp filter on this process that denies seccomp(2)?)")
}

// seccompNotifyChild is ProbeSeccomp's child: the filter stays on it until
// it exits.
func seccompNotifyChild(string) (string, error) {
	filter, err := libseccomp.NewFilter(libseccomp.ActAllow)
	if err != nil {
		return "", fmt.Errorf("libseccomp filter: %w", err)
	}
	defer filter.Release()
	call, err := libseccomp.GetSyscallFromName("getppid")
	if err != nil {
		return "", err
	}
	if err := filter.AddRule(call, libseccomp.ActNotify); err != nil {
		return "", fmt.Errorf("add a SCMP_ACT_NOTIFY rule: %w", err)
	}
	if err := filter.Load(); err != nil {
		return "", fmt.Errorf("load a filter with SCMP_ACT_NOTIFY: %w", err)
	}
	fd, err := filter.GetNotifFd()
	if err != nil {
		return "", fmt.Errorf("get the notification fd: %w", err)
	}
	go func() {
		// getppid below waits for this answer: a failure here ends the child.
		req, err := libseccomp.NotifReceive(fd)
		if err == nil {
			err = libseccomp.NotifRespond(fd, &libseccomp.ScmpNotifResp{ID: req.ID, Val: notifyAnswer})
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "answer the notification: %v\n", err)
			os.Exit(1)
		}
	}()
	// Syscall, not RawSyscall: the receiving goroutine needs the scheduler
	// while this thread waits for the answer.
	got, _, errno := unix.Syscall(unix.SYS_GETPPID, 0, 0, 0)
	if errno != 0 || got != notifyAnswer {
		return "", fmt.Errorf("getppid under the filter returned %d (%v), want the supervisor's answer %d", got, errno, notifyAnswer)
	}
	return "a SCMP_ACT_NOTIFY filter's call was received and answered", nil
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if w == word {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
