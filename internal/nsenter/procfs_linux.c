// A procfs shows the pid namespace of the process that calls fsopen. The
// mount helper must never be in the container's pid namespace, and the
// procfs "pidns" key that names another namespace exists only since Linux
// 6.18. So a child is forked into that pid namespace to make the context
// and hand it back; it is the only process of sysbox-lite that ever
// appears in a container's pid namespace, and while it does it:
//   - is not dumpable (set by the constructor before the fork; its mm
//     belongs to the host's user namespace, so the container's root can
//     neither ptrace it nor open its /proc files, fds or namespaces);
//   - holds no fd but the socket it answers on (everything else is closed
//     before it joins the container's user namespace);
//   - runs as the container's root, in its mount and user namespaces,
//     calls fsopen once and exits.
// Killing it costs the caller its mount (an error), nothing else.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs_linux.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif

// send_fd sends fd (or, when fd < 0, the errno err) over sock.
static void send_fd(int sock, int fd, int err) {
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	memset(cbuf, 0, sizeof(cbuf));
	if (fd >= 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	(void)sendmsg(sock, &msg, 0);
}

// recv_fd receives what send_fd sent: the fd, or -1 with errno set.
static int recv_fd(int sock) {
	int err = 0;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(err)) {
		errno = n < 0 ? errno : EPIPE;
		return -1;
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		errno = err ? err : EPROTO;
		return -1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

// enter_and_open is the child's work: the procfs context fd, or -1.
static int enter_and_open(int mntns, int userns) {
	if (setns(mntns, CLONE_NEWNS) < 0 || setns(userns, CLONE_NEWUSER) < 0)
		return -1;
	close(mntns);
	close(userns);
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
}

static void child(int sock, int mntns, int userns) {
	// Keep only the socket and the two namespace fds (stdio included:
	// nothing of the helper's goes into the container's pid namespace).
	for (int fd = 0; fd < 1024; fd++)
		if (fd != sock && fd != mntns && fd != userns)
			close(fd);
	int fd = enter_and_open(mntns, userns);
	send_fd(sock, fd, fd < 0 ? (errno ? errno : EIO) : 0);
	_exit(fd < 0);
}

int sbl_procfs_context(int pidns, int ownpidns, int mntns, int userns) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	// pid_for_children only: this process stays where it is.
	if (setns(pidns, CLONE_NEWPID) < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		child(sv[1], mntns, userns);
	int forkerr = errno;
	// Back to the own pid namespace for every later child (and thread:
	// the kernel refuses CLONE_THREAD while the two differ).
	if (setns(ownpidns, CLONE_NEWPID) < 0)
		return -1; // the caller dies: a helper that cannot start threads
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		errno = forkerr;
		return -1;
	}
	int fd = recv_fd(sv[0]);
	int e = errno;
	close(sv[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	errno = e;
	return fd;
}
