// See procfs_linux.c.
#ifndef SBL_PROCFS_LINUX_H
#define SBL_PROCFS_LINUX_H

// sbl_procfs_context returns an fsopen("proc") context fd whose procfs
// shows the pid namespace pidns, or -1 with errno set. The calling process
// must be single-threaded and host root in the host's namespaces; ownpidns
// is its own pid namespace (restored for its future children), mntns and
// userns those of the target (joined by the short-lived child only).
int sbl_procfs_context(int pidns, int ownpidns, int mntns, int userns);

#endif
