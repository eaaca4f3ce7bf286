package config

import (
	"fmt"
	"path"
	"strings"
)

// DataDirs is the [data_dirs] table: container paths where an inner
// container engine keeps its data and which get a host-backed directory of
// their own (package rootfs, DataDir), since an inner engine's overlay
// cannot have its upper layer on the container's overlay root.
//
//	[data_dirs]
//	paths = ["/var/lib/docker", "/var/lib/containerd"]   # [] turns it off
//
// A path is skipped for a container that mounts something at, above or
// below it itself (a volume at /var/lib/docker keeps the user's volume).
type DataDirs struct {
	Paths []string `toml:"paths"`
}

// DefaultDataDirs are dockerd's data root (which also holds the containerd
// that dockerd manages) and a standalone containerd's root (kind, k3s,
// nerdctl inside the container).
func DefaultDataDirs() []string { return []string{"/var/lib/docker", "/var/lib/containerd"} }

// Validate checks the paths: clean, absolute, not a kernel filesystem, none
// inside another.
func (d DataDirs) Validate() error {
	for i, p := range d.Paths {
		switch {
		case !strings.HasPrefix(p, "/") || path.Clean(p) != p:
			return fmt.Errorf("data_dirs.paths: %q must be a clean absolute path", p)
		case p == "/":
			return fmt.Errorf("data_dirs.paths: \"/\" is the root itself")
		}
		for _, k := range []string{"/proc", "/sys", "/dev"} {
			if p == k || strings.HasPrefix(p, k+"/") {
				return fmt.Errorf("data_dirs.paths: %q is under %s, which the engine mounts", p, k)
			}
		}
		for _, q := range d.Paths[:i] {
			if q == p || strings.HasPrefix(p, q+"/") || strings.HasPrefix(q, p+"/") {
				return fmt.Errorf("data_dirs.paths: %q and %q overlap", q, p)
			}
		}
	}
	return nil
}
