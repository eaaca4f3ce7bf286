package seccomp

// Action is what the filter does with a trapped syscall.
type Action int

const (
	// Notify sends the call to the supervisor.
	Notify Action = iota
	// NoSys fails the call with ENOSYS in the filter itself.
	NoSys
)

// Trap is one trapped syscall and how it is handled.
type Trap struct {
	Name   string
	Action Action
	// Emulated traps change what a call returns, not whether it is
	// allowed: they apply only where the container's profile lets the
	// call through (a profile that refuses sysinfo keeps refusing it).
	Emulated bool
}

// Traps returns the trapped syscalls, in a stable order: the mount family,
// and sysinfo, which the supervisor answers with the container's values
// (sysinfo_linux.go). "umount" exists only on 32-bit x86 (the compat ABI);
// the engine skips names an architecture lacks.
func Traps() []Trap {
	return []Trap{
		{"mount", Notify, false},
		{"umount2", Notify, false},
		{"umount", Notify, false},
		{"sysinfo", Notify, true},
		{"open_tree", NoSys, false},
		{"move_mount", NoSys, false},
		{"fsopen", NoSys, false},
		{"fsconfig", NoSys, false},
		{"fsmount", NoSys, false},
		{"fspick", NoSys, false},
		{"mount_setattr", NoSys, false},
	}
}

// Names returns the names of the traps with action a.
func Names(a Action) []string {
	var out []string
	for _, t := range Traps() {
		if t.Action == a {
			out = append(out, t.Name)
		}
	}
	return out
}
