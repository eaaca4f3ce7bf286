// Package seccomp will hold the seccomp user-notification supervisor that
// traps the mount family of syscalls (see DESIGN.md "Traps"). It is empty
// until that milestone: today the mounts sysbox-lite makes on the host are
// protected by the kernel's MNT_LOCKED, and mounts the engine makes inside
// the container are not yet guarded.
package seccomp
