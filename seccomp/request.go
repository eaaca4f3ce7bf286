package seccomp

// Call is a trapped mount(2) or umount2(2) with its arguments copied out of
// the caller's memory. A nil string pointer in the call is Has*=false.
type Call struct {
	Pid       int    `json:"pid"`
	Syscall   string `json:"syscall"` // "mount" or "umount2"
	Source    string `json:"source,omitempty"`
	HasSource bool   `json:"hasSource,omitempty"`
	Target    string `json:"target"`
	FSType    string `json:"fstype,omitempty"`
	HasFSType bool   `json:"hasFstype,omitempty"`
	Data      string `json:"data,omitempty"`
	HasData   bool   `json:"hasData,omitempty"`
	Flags     uint64 `json:"flags"`
}

// Masks are the container's masked and read-only paths, re-applied on
// every new procfs or sysfs it mounts.
type Masks struct {
	Masked   []string `json:"masked"`
	ReadOnly []string `json:"readonly"`
	// Emulated are the container's emulated /proc and /sys files (package
	// fsemu): protected as masks are (they hide the host's), and
	// re-applied on a new procfs or sysfs from the detached copies a
	// Request brings (Request.Emulated).
	Emulated []string `json:"emulated,omitempty"`
}

// Paths are every path whose mount hides or narrows something.
func (m Masks) Paths() []string {
	out := make([]string, 0, len(m.Masked)+len(m.ReadOnly)+len(m.Emulated))
	out = append(out, m.Masked...)
	out = append(out, m.ReadOnly...)
	return append(out, m.Emulated...)
}

// EmulatedFile is a detached copy of an emulated file (an open_tree clone
// of the supervisor's FUSE mount) handed to a helper as an inherited fd.
type EmulatedFile struct {
	Path string `json:"path"`
	FD   int    `json:"fd"`
}

// NewFilesystem returns "/proc/" or "/sys/" for a mount(2) that makes a new
// procfs or sysfs (where masks and emulated files are re-applied), else "".
func (c Call) NewFilesystem() string {
	if c.Syscall != "mount" || kindOf(c.Flags) != kindNew {
		return ""
	}
	switch c.FSType {
	case "proc":
		return "/proc/"
	case "sysfs":
		return "/sys/"
	}
	return ""
}

// Request is what the supervisor hands a helper.
type Request struct {
	Call       Call     `json:"call"`
	Protection Snapshot `json:"protection"`
	Masks      Masks    `json:"masks"`
	// Emulated are the emulated files to attach over a new procfs or
	// sysfs (after its masks), as fds the helper inherited.
	Emulated []EmulatedFile `json:"emulated,omitempty"`
	// Reattach, for a ReattachCall, are the dead emulated mounts to cover,
	// one for each of Emulated (in the same order).
	Reattach []Reattach `json:"reattach,omitempty"`
}

// ReattachCall is the Call.Syscall of a request no container makes: a
// supervisor that took over covers its predecessor's dead emulated mounts
// (their FUSE server is gone) with its own, in one mount namespace of the
// container.
const ReattachCall = "sbl-reattach"

// Reattach is one dead emulated mount: its ID and mountpoint in the mount
// table of the request's Call.Pid (relative to that process's root).
type Reattach struct {
	ID     int    `json:"id"`
	Target string `json:"target"`
}

// Response is what a helper did.
type Response struct {
	// Errno is 0 on success, else what the caller's syscall returns.
	Errno int `json:"errno"`
	// Reason explains a failure; Denied says a rule refused the call (only
	// those go to the audit log, not what the kernel itself refused).
	Reason string `json:"reason,omitempty"`
	Denied bool   `json:"denied,omitempty"`
	// Owned are the IDs of the mounts the call made.
	Owned []int `json:"owned,omitempty"`
	// Masks are the identities of masks made over a new procfs or sysfs.
	Masks []Identity `json:"masks,omitempty"`
	// Gone are the IDs of mounts the call removed.
	Gone []int `json:"gone,omitempty"`
}

// NewProcfs reports whether the call mounts a new procfs (whose helper then
// needs a procfs context of the caller's pid namespace: see RunHelper).
func (c Call) NewProcfs() bool {
	return c.Syscall == "mount" && kindOf(c.Flags) == kindNew && c.HasFSType && c.FSType == "proc"
}
