// See doc.go. Runs before the Go runtime; a no-op unless _SBL_NSENTER_PID
// is set. On any failure the process exits with status 120 after writing
// one line to stderr: a helper that is only half inside must not run.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs_linux.h"

// Where the host's /proc is left for the Go side (see HostProc).
#define HOSTPROC_FD 3

static void die(const char *what, const char *arg) {
	fprintf(stderr, "nsenter: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	_exit(120);
}

static int openat_proc(int procfd, const char *pid, const char *rel, int flags) {
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", pid, rel);
	int fd = openat(procfd, path, flags | O_CLOEXEC);
	if (fd < 0)
		die("open /proc", path);
	return fd;
}

__attribute__((constructor)) static void sbl_nsenter(void) {
	const char *pid = getenv("_SBL_NSENTER_PID");
	if (pid == NULL || *pid == '\0')
		return;
	for (const char *p = pid; *p; p++)
		if (*p < '0' || *p > '9')
			die("invalid pid", pid);
	// A procfs context is wanted at this fd (see procfs_linux.h).
	int procfs_at = -1;
	const char *procfs = getenv("_SBL_NSENTER_PROCFS_FD");
	if (procfs != NULL && *procfs != '\0') {
		char *end;
		long n = strtol(procfs, &end, 10);
		if (*end != '\0' || n <= HOSTPROC_FD || n > 1024)
			die("invalid procfs fd", procfs);
		procfs_at = (int)n;
	}

	// Never dumpable: the container's root must not ptrace this process
	// or read its fds while it holds the host's /proc. (Changing the uid
	// below would clear the flag too; this does not rely on that.)
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("prctl", "PR_SET_DUMPABLE");

	// Helpers are started with stdio only, so fd 3 is free.
	// The host's /proc stays open (not close-on-exec: no exec follows) so
	// the helper can reach its own fds and mountinfo from inside the
	// container's root, where /proc belongs to another pid namespace.
	int procfd = open("/proc", O_PATH | O_DIRECTORY);
	if (procfd < 0)
		die("open", "/proc");

	// The user namespace last: as host root this process may join any
	// namespace, while after joining a user namespace it could join only
	// those that namespace owns (a caller in a nested user namespace still
	// lives in the container's network, IPC, UTS and cgroup namespaces). No
	// pid namespace: the helper must never appear in the container's.
	static const char *kinds[] = {"mnt", "net", "ipc", "cgroup", "uts", "user"};
	enum { nkinds = sizeof(kinds) / sizeof(kinds[0]) };
	int fds[nkinds];
	char rel[32];
	for (int i = 0; i < nkinds; i++) {
		snprintf(rel, sizeof(rel), "ns/%s", kinds[i]);
		fds[i] = openat_proc(procfd, pid, rel, O_RDONLY);
	}
	int rootfd = openat_proc(procfd, pid, "root", O_PATH | O_DIRECTORY);
	int cwdfd = openat_proc(procfd, pid, "cwd", O_PATH | O_DIRECTORY);

	// Still host root in the host's namespaces: make the procfs context
	// of the target's pid namespace now (it needs a short-lived child in
	// that namespace, and only host root can come back from it).
	int procfsfd = -1;
	if (procfs_at >= 0) {
		int pidns = openat_proc(procfd, pid, "ns/pid", O_RDONLY);
		int ownpidns = openat_proc(procfd, "self", "ns/pid", O_RDONLY);
		procfsfd = sbl_procfs_context(pidns, ownpidns, fds[0], fds[nkinds - 1]);
		if (procfsfd < 0)
			die("procfs context of pid", pid);
		close(pidns);
		close(ownpidns);
	}

	// No supplementary groups: dropped while still host root, since a user
	// namespace may forbid setgroups (unshare -r writes "deny").
	if (setgroups(0, NULL) < 0)
		die("setgroups", "");
	for (int i = 0; i < nkinds; i++) {
		if (setns(fds[i], 0) < 0)
			die("setns", kinds[i]);
		close(fds[i]);
	}
	if (setresgid(0, 0, 0) < 0)
		die("setresgid", "0");
	if (setresuid(0, 0, 0) < 0)
		die("setresuid", "0");
	if (fchdir(rootfd) < 0 || chroot(".") < 0)
		die("chroot", "to the target's root");
	if (fchdir(cwdfd) < 0)
		die("chdir", "to the target's cwd");
	close(rootfd);
	close(cwdfd);

	if (procfsfd >= 0 && procfsfd != procfs_at) {
		if (dup2(procfsfd, procfs_at) < 0)
			die("dup2", "procfs context");
		close(procfsfd);
	}

	// The Go runtime reads the environment from the original stack, not
	// from what setenv changes: hand the fd over at a fixed number.
	if (procfd != HOSTPROC_FD) {
		if (dup2(procfd, HOSTPROC_FD) < 0)
			die("dup2", "/proc");
		close(procfd);
	}
}
