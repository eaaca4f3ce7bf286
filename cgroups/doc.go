// Package cgroups delegates a container's own cgroup subtree to its root.
//
// A container engine inside the container (dockerd, containerd, systemd)
// creates sub-cgroups for what it runs and sets their limits. The cgroups
// the outer engine made for the container are owned by host root, which the
// container's root (an unprivileged host user) cannot write. Delegation, as
// cgroup v2 defines it (cgroup-v2.rst, "Delegation"), hands over:
//
//   - the container's cgroup directory in every hierarchy, so that it can
//     make and remove sub-cgroups there (which it then owns);
//   - the files that move processes: cgroup.procs (and tasks, on cgroup v1;
//     cgroup.threads on v2), and cgroup.subtree_control on v2 to enable
//     controllers for its children; cgroup.clone_children on v1 so children
//     can inherit cpusets.
//
// Nothing else: the limit files of the container's own cgroup (memory.*,
// cpu.*, pids.max, cpuset.*, io.*, ...) stay host root's, which the
// container's root cannot write (its user namespace does not map host uid
// 0, so it gets EACCES). The kernel bounds every sub-cgroup by its
// ancestors, so what the container sets below cannot exceed what the engine
// set (docker run -m, --cpus, --pids-limit). Writes to devices.allow/deny
// need CAP_SYS_ADMIN in the initial user namespace anyway.
//
// The delegation runs as a createRuntime hook (`sysbox-lite cgroup-hook`):
// runc calls it on the host after it has put the container's init in its
// cgroups and before the container's process runs, for `create` and `run`
// alike. The engine removes the cgroups (with whatever the container made
// below) on delete, as it does for every container.
package cgroups
