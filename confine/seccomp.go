package confine

import (
	goruntime "runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// baselineErrno is EPERM: what the kernel itself answers for an operation
// the caller lacks the privilege for, which programs handle best.
const baselineErrno = 1

// keyringErrno is ENOSYS, the answer of a kernel built without keyrings,
// for the keyring calls of the baseline: runc (an inner engine's, under
// Docker-in-Docker) and systemd go on without a session keyring on ENOSYS
// but fail on EPERM ("unable to join session keyring"). The calls stay
// denied either way; LXC's default profile answers keyctl the same way.
const keyringErrno = 38

// keyringSyscalls are the baseline calls answered with keyringErrno.
var keyringSyscalls = map[string]bool{"add_key": true, "request_key": true, "keyctl": true}

// baselineSyscalls stay denied (EPERM; ENOSYS for the keyring) in every container, whatever profile
// the spec brings (none under --privileged or seccomp=unconfined). Most of
// them the kernel already refuses to a user namespace's root, because they
// act on the whole host; denying them here as well keeps a kernel bug in
// those checks from becoming a way out, and keeps their attack surface
// (bpf, perf, keys, io_uring) out of reach. The mount family is not here:
// package seccomp traps it.
var baselineSyscalls = []string{
	"init_module",       // load a kernel module
	"finit_module",      // load a kernel module from a file
	"delete_module",     // unload a kernel module
	"kexec_load",        // replace the running kernel
	"kexec_file_load",   // replace the running kernel from a file
	"bpf",               // BPF programs and maps: kernel-wide, a steady source of kernel CVEs
	"perf_event_open",   // performance counters: observe the host, a steady source of kernel CVEs
	"add_key",           // kernel keyring: not fully namespaced, large attack surface
	"request_key",       // kernel keyring
	"keyctl",            // kernel keyring
	"lookup_dcookie",    // profiling cookies for the host's dentries
	"iopl",              // raw I/O port access
	"ioperm",            // raw I/O port access
	"swapon",            // host swap configuration
	"swapoff",           // host swap configuration
	"acct",              // process accounting: a kernel-wide switch
	"settimeofday",      // set the host's clock (time is not namespaced)
	"clock_settime",     // set the host's clock
	"stime",             // set the host's clock (32-bit x86)
	"syslog",            // read or clear the host kernel's log buffer
	"quotactl",          // host filesystem quotas
	"quotactl_fd",       // host filesystem quotas
	"nfsservctl",        // kernel NFS server control (gone since Linux 3.1)
	"open_by_handle_at", // open any file of a filesystem by handle, bypassing the mount namespace ("shocker")
	"userfaultfd",       // lets exploits stall the kernel in a page fault to win races
	"io_uring_setup",    // io_uring: large kernel attack surface (docker ≥ 25 blocks it too)
	"io_uring_enter",    // io_uring
	"io_uring_register", // io_uring
}

// Deliberately not in the baseline:
//   - adjtimex, clock_adjtime: with modes 0 they only read the clock's state
//     (ntp_gettime, chronyc, timedatectl); setting it needs CAP_SYS_TIME in
//     the host's user namespace, which the kernel checks. Docker allows them.
//   - reboot: in a pid namespace other than the host's (namespaces.go makes
//     sure of it) reboot(2) only ends the container's own pid namespace;
//     systemd's poweroff/reboot inside a system container rely on it.
//   - name_to_handle_at: only produces a handle; opening it is
//     open_by_handle_at, which is denied. systemd uses it to identify mounts.

// Seccomp keeps the baseline in force. Without a profile in the spec the
// container gets one that allows everything else (defaultAction
// SCMP_ACT_ALLOW); with one, the baseline is merged in: its syscalls are
// removed from every rule that could let them through, and when the default
// action lets unlisted syscalls through, one rule denies them.
type Seccomp struct {
	arches []specs.Arch
}

// NewSeccomp returns the modifier; a profile it creates lists the native
// architectures (docker's list for amd64 and arm64).
func NewSeccomp() Seccomp { return NewSeccompFor(nativeArches(goruntime.GOARCH)) }

// NewSeccompFor returns the modifier with the architectures a new profile lists.
func NewSeccompFor(arches []specs.Arch) Seccomp { return Seccomp{arches: arches} }

// Name implements runtime.SpecModifier.
func (Seccomp) Name() string { return "seccomp baseline" }

// nativeArches is what docker's default profile lists for goarch.
func nativeArches(goarch string) []specs.Arch {
	switch goarch {
	case "amd64":
		return []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}
	case "arm64":
		return []specs.Arch{specs.ArchAARCH64, specs.ArchARM}
	}
	return nil // libseccomp's native architecture only
}

// baselineRules deny names: EPERM, or ENOSYS for the keyring calls (one
// rule each, in that order, none when empty).
func baselineRules(names []string) []specs.LinuxSyscall {
	var perm, nosys []string
	for _, n := range names {
		if keyringSyscalls[n] {
			nosys = append(nosys, n)
		} else {
			perm = append(perm, n)
		}
	}
	var rules []specs.LinuxSyscall
	for _, g := range []struct {
		names []string
		errno uint
	}{{perm, baselineErrno}, {nosys, keyringErrno}} {
		if len(g.names) > 0 {
			errno := g.errno
			rules = append(rules, specs.LinuxSyscall{Names: g.names, Action: specs.ActErrno, ErrnoRet: &errno})
		}
	}
	return rules
}

// BaselineErrno returns the errno the baseline answers name with.
func BaselineErrno(name string) uint {
	if keyringSyscalls[name] {
		return keyringErrno
	}
	return baselineErrno
}

// denies reports whether an action keeps a syscall from running.
func denies(a specs.LinuxSeccompAction) bool {
	switch a {
	case specs.ActErrno, specs.ActKill, specs.ActKillThread, specs.ActKillProcess, specs.ActTrap:
		return true
	}
	return false
}

// Modify implements runtime.SpecModifier.
func (s Seccomp) Modify(spec *specs.Spec) error {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	if spec.Linux.Seccomp == nil {
		spec.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Architectures: append([]specs.Arch(nil), s.arches...),
			Syscalls:      baselineRules(baselineSyscalls),
		}
		return nil
	}
	prof := spec.Linux.Seccomp
	baseline := map[string]bool{}
	for _, n := range baselineSyscalls {
		baseline[n] = true
	}
	denied := map[string]bool{} // baseline syscalls the profile already denies unconditionally
	rules := make([]specs.LinuxSyscall, 0, len(prof.Syscalls)+1)
	for _, r := range prof.Syscalls {
		if denies(r.Action) && len(r.Args) == 0 {
			for _, n := range r.Names {
				if baseline[n] {
					denied[n] = true
				}
			}
			rules = append(rules, r)
			continue
		}
		// Any other rule (allow, log, notify, trace, or a denial only for
		// some arguments) loses the baseline's names; one rule lists many.
		names := make([]string, 0, len(r.Names))
		for _, n := range r.Names {
			if !baseline[n] {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		if len(names) != len(r.Names) {
			r.Names = names
		}
		rules = append(rules, r)
	}
	if !denies(prof.DefaultAction) {
		var missing []string
		for _, n := range baselineSyscalls {
			if !denied[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			rules = append(rules, baselineRules(missing)...)
		}
	}
	prof.Syscalls = rules
	return nil
}

// BaselineSyscalls returns the syscalls that stay denied in every container.
func BaselineSyscalls() []string { return append([]string(nil), baselineSyscalls...) }
