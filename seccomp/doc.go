// Package seccomp keeps the mounts a container starts with immutable from
// inside while letting it make (and undo) mounts of its own, and answers
// sysinfo(2) with the container's values.
//
// The modifier (modifier.go) merges rules for the whole mount family into
// the container's seccomp profile, fed by the registry (registry.go):
// mount, umount2 and umount are sent to the per-container supervisor with
// SCMP_ACT_NOTIFY; the new mount API (open_tree, move_mount, fsopen,
// fsconfig, fsmount, fspick, mount_setattr) is answered ENOSYS by the
// filter itself, as on a kernel that predates it, so every user of it
// (libmount, systemd) falls back to mount(2), where the rules apply.
//
// sysinfo is sent to the supervisor too, where the profile lets it
// through (a profile that refuses it keeps refusing it): the supervisor
// writes the caller's struct sysinfo (the 64-bit or the i386 layout) with
// the values of the container's emulated /proc/meminfo, /proc/uptime and
// /proc/loadavg (package fsemu), as the kernel would write the host's
// (sysinfo_linux.go). If they cannot be computed, it answers CONTINUE and
// the kernel writes the host's: sysinfo grants nothing.
//
// The supervisor (`sysbox-lite supervise`, one per container) receives the
// notify fd of init and of every exec'd process on the spec's
// listenerPath (agent_linux.go), decides on copied arguments
// (protect.go: which mounts are protected and why), and performs what it
// allows itself, through a helper that enters the caller's namespaces,
// root and cwd (helper_linux.go) but never its pid namespace. Of the
// mount family, only propagation changes are answered CONTINUE: their
// meaning is fixed by the flags, which the caller cannot change after the
// check.
package seccomp
