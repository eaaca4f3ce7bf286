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
}

// Request is what the supervisor hands a helper.
type Request struct {
	Call       Call     `json:"call"`
	Protection Snapshot `json:"protection"`
	Masks      Masks    `json:"masks"`
}

// Response is what a helper did.
type Response struct {
	// Errno is 0 on success, else what the caller's syscall returns.
	Errno int `json:"errno"`
	// Reason explains a refusal (for the audit log).
	Reason string `json:"reason,omitempty"`
	// Owned are the IDs of the mounts the call made.
	Owned []int `json:"owned,omitempty"`
	// Masks are the identities of masks made over a new procfs or sysfs.
	Masks []Identity `json:"masks,omitempty"`
	// Gone are the IDs of mounts the call removed.
	Gone []int `json:"gone,omitempty"`
}
