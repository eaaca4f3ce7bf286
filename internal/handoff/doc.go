// Package handoff carries the kernel handles of a running container's
// supervision from one process to the next: the listener socket the engine
// connects to, the seccomp notify fds of the container's processes and the
// table of calls in flight. The kernel keeps a seccomp listener alive as
// long as some process holds its fd; a keeper process (see
// runtime.RunKeeper) holds a copy of every one, so that a supervisor that
// dies (SIGKILL, a crash, the OOM killer) is replaced by one that takes
// them over, and the container's trapped calls wait for it instead of
// failing for good.
//
// A Set goes to a new process as inherited fds named in one environment
// variable (Set.Files, Inherit); while a supervisor runs, it tells its
// keeper of each notify fd it gets and of each one it is done with over a
// SOCK_SEQPACKET socket pair (Put, Del, Read).
package handoff
