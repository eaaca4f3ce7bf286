package hostcheck

import (
	"fmt"
	"strconv"
	"strings"
)

// MinKernel is the oldest kernel sysbox-lite runs on: overlayfs accepts
// idmapped layers from 5.19 on.
var MinKernel = KernelVersion{5, 19, 0}

// KernelVersion is the numeric part of a kernel release.
type KernelVersion struct{ Major, Minor, Patch int }

func (v KernelVersion) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less reports whether v is older than o.
func (v KernelVersion) Less(o KernelVersion) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// ParseKernelRelease reads the version out of a release string as uname -r
// prints it ("6.1.0-28-amd64", "6.18.44-fc-v1272", "5.19.0"). The patch
// level is optional.
func ParseKernelRelease(release string) (KernelVersion, error) {
	num := release
	if i := strings.IndexFunc(release, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		num = release[:i]
	}
	parts := strings.Split(strings.TrimSuffix(num, "."), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return KernelVersion{}, fmt.Errorf("kernel release %q: want MAJOR.MINOR[.PATCH]", release)
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return KernelVersion{}, fmt.Errorf("kernel release %q: %w", release, err)
		}
		v[i] = n
	}
	return KernelVersion{v[0], v[1], v[2]}, nil
}

// Kernel decides on the running kernel's release (uname -r).
func Kernel(release string) Result {
	const name = "kernel"
	v, err := ParseKernelRelease(release)
	if err != nil {
		return warn(name, err.Error(), fmt.Sprintf("make sure the kernel is %s or later", MinKernel))
	}
	if v.Less(MinKernel) {
		return missing(name, fmt.Sprintf("%s: older than %d.%d (overlayfs refuses idmapped layers before it)", release, MinKernel.Major, MinKernel.Minor),
			fmt.Sprintf("boot a kernel %d.%d or later (Debian 12's 6.1 and Debian 13's 6.12 are)", MinKernel.Major, MinKernel.Minor))
	}
	return ok(name, fmt.Sprintf("%s: %d.%d or later (idmapped overlay layers)", release, MinKernel.Major, MinKernel.Minor))
}
