// Package fsemu emulates parts of /proc and /sys per container, over FUSE
// (LXCFS parity): the container's supervisor serves one FUSE file system
// per container (server_linux.go), whose files are bind-mounted over the
// container's own /proc and /sys files.
//
// One file per emulated path (proc_*.go, sys_*.go), each a File in the
// registry (registry.go), which feeds the spec modifier (modifier.go), the
// FUSE tree, the createContainer hook (hook_linux.go) and the re-application
// on a new procfs or sysfs (Detached, used by the seccomp mount helper).
//
// How a file reaches the container:
//   - the paths runc accepts under /proc (its LXCFS list: meminfo, cpuinfo,
//     stat, uptime, loadavg, swaps, diskstats) and anything under /sys are
//     spec bind mounts from the FUSE mount, made by the engine;
//   - other /proc paths (the /proc/sys sysctls) are bound by a
//     createContainer hook, `sysbox-lite fsemu-hook`, which runc runs in the
//     container's namespaces after its mounts and before pivot_root, so
//     the FUSE mount is still reachable by path. Both kinds are thus in the
//     container's initial mount table, which the seccomp supervisor
//     snapshots and protects (no umount, no remount, no move);
//   - a procfs or sysfs the container mounts later gets the same files
//     through the seccomp supervisor's mount helper, from detached copies
//     the supervisor makes of its FUSE files (Detached).
//
// Values are computed at read (open) time from the caller's cgroups: the
// FUSE request names the calling process (host pid), whose
// /proc/PID/cgroup leads to its cgroup directories (v1 or v2). Files are
// opened with direct I/O: nothing is cached by the kernel.
//
// Files report size 0 (as /proc's do) and are opened with direct I/O, so
// read(2) always asks the server. sendfile and splice (busybox cat, Go's
// io.Copy) go through the page cache instead, bounded by the inode's size:
// each open therefore stores its content in the kernel's cache
// (FUSE_NOTIFY_STORE), which sets the size to at least the content's.
//
// sysinfo(2), which busybox free and uptime read instead of /proc, shows
// the same values: the seccomp supervisor traps it and fills the caller's
// struct from Emulator.Sysinfo (sysinfo.go).
//
// Limits:
//   - /proc/uptime counts from the container's start, but process start
//     times (/proc/PID/stat) still count from the host's boot: ps's ELAPSED
//     and STIME are off, as under LXCFS.
//   - a read costs FUSE round trips (open, read, read of EOF, release) plus
//     the cgroup files it is computed from: about 0.1-0.3 ms, tens of times
//     a native /proc read (measured by integration's TestFsemuReadCost).
//   - sysctl values live in the supervisor's memory: they are lost when the
//     container is deleted (restart included), as a VM's are at reboot.
//
// If the FUSE server dies (the supervisor is killed), every emulated file
// fails with ENOTCONN ("Transport endpoint is not connected") and the
// container keeps running. A new supervisor cannot repair a running
// container: its binds point at the dead connection, and the seccomp traps
// protect them from being replaced. Restarting the container (docker
// restart: delete + create) gives it a new supervisor and new mounts.
package fsemu
