package seccomp

import (
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// enosys is the errno the filter returns for the new mount API.
const enosys = 38

// Architectures are the ABIs a container on x86_64 can make syscalls with;
// the rules must cover each (a syscall number means something else in each).
var architectures = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}

// Modifier merges the mount-family rules into the spec's seccomp profile
// (creating one that allows everything else if there is none) and points
// the engine at the supervisor's socket.
type Modifier struct {
	listener string
	metadata string
}

// NewModifier returns the modifier for a supervisor listening at listener;
// metadata is handed to it by the engine with every fd.
func NewModifier(listener, metadata string) Modifier {
	return Modifier{listener: listener, metadata: metadata}
}

// Name implements runtime.SpecModifier.
func (Modifier) Name() string { return "seccomp mount traps" }

// Modify implements runtime.SpecModifier.
func (m Modifier) Modify(spec *specs.Spec) error {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	sc := spec.Linux.Seccomp
	if sc == nil {
		sc = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
		spec.Linux.Seccomp = sc
	}
	if err := m.refuseOwnAgent(sc); err != nil {
		return err
	}
	for _, a := range architectures {
		if !slices.Contains(sc.Architectures, a) {
			sc.Architectures = append(sc.Architectures, a)
		}
	}
	trapped := map[string]bool{}
	var notify, nosys []string
	for _, t := range Traps() {
		if t.Emulated && !allows(sc, t.Name) {
			continue // the profile's rules for it stay as they are
		}
		trapped[t.Name] = true
		if t.Action == Notify {
			notify = append(notify, t.Name)
		} else {
			nosys = append(nosys, t.Name)
		}
	}
	// A name may appear in one rule only: the caller's own rules for the
	// family (docker allows mount and umount2 to CAP_SYS_ADMIN holders) give
	// way to ours.
	kept := sc.Syscalls[:0]
	for _, r := range sc.Syscalls {
		names := r.Names[:0:0]
		for _, n := range r.Names {
			if !trapped[n] {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			r.Names = names
			kept = append(kept, r)
		}
	}
	errno := uint(enosys)
	sc.Syscalls = append(kept,
		specs.LinuxSyscall{Names: notify, Action: specs.ActNotify},
		specs.LinuxSyscall{Names: nosys, Action: specs.ActErrno, ErrnoRet: &errno},
	)
	sc.ListenerPath = m.listener
	sc.ListenerMetadata = m.metadata
	return nil
}

// refuseOwnAgent refuses a profile that sends calls to an agent of the
// caller's own (SCMP_ACT_NOTIFY rules, a listenerPath): a container has one
// seccomp listener, and it is sysbox-lite's supervisor, which would answer
// the caller's calls in its place. (Rules a previous pass of this modifier
// added, with its own listener, are not the caller's.)
func (m Modifier) refuseOwnAgent(sc *specs.LinuxSeccomp) error {
	ours := map[string]bool{}
	for _, t := range Traps() {
		ours[t.Name] = true
	}
	own := sc.DefaultAction == specs.ActNotify || (sc.ListenerPath != "" && sc.ListenerPath != m.listener)
	for _, r := range sc.Syscalls {
		if r.Action != specs.ActNotify {
			continue
		}
		for _, n := range r.Names {
			if !ours[n] {
				own = true
			}
		}
	}
	if own {
		return fmt.Errorf("a seccomp profile with notify rules of its own (SCMP_ACT_NOTIFY, listenerPath %q) is refused: a container's seccomp listener is sysbox-lite's supervisor, which traps the mount family; a seccomp agent of the caller's cannot be served beside it", sc.ListenerPath)
	}
	return nil
}

// allows reports whether the profile lets every call of name through:
// the rules that name it allow it (or send it to the supervisor: the
// rule a previous pass added) whatever its arguments, or none names it
// and the default allows.
func allows(sc *specs.LinuxSeccomp, name string) bool {
	named := false
	for _, r := range sc.Syscalls {
		if !slices.Contains(r.Names, name) {
			continue
		}
		if (r.Action != specs.ActAllow && r.Action != specs.ActNotify) || len(r.Args) > 0 {
			return false
		}
		named = true
	}
	return named || sc.DefaultAction == specs.ActAllow
}
