package seccomp

// Action is what the filter does with a trapped syscall.
type Action int

const (
	// Notify sends the call to the supervisor.
	Notify Action = iota
	// NoSys fails the call with ENOSYS in the filter itself.
	NoSys
)

// Trap is one syscall of the mount family and how it is handled.
type Trap struct {
	Name   string
	Action Action
}

// Traps returns the mount family, in a stable order. "umount" exists only
// on 32-bit x86 (the compat ABI); the engine skips names an architecture
// lacks.
func Traps() []Trap {
	return []Trap{
		{"mount", Notify},
		{"umount2", Notify},
		{"umount", Notify},
		{"open_tree", NoSys},
		{"move_mount", NoSys},
		{"fsopen", NoSys},
		{"fsconfig", NoSys},
		{"fsmount", NoSys},
		{"fspick", NoSys},
		{"mount_setattr", NoSys},
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
