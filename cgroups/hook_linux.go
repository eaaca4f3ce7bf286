package cgroups

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// RunHook delegates the cgroups of the container whose state comes on
// stdin (the OCI state: its init's pid) to uid:gid, the host IDs of the
// container's root. The engine runs it on the host, after it has placed
// the init in its cgroups.
func RunHook(stdin io.Reader, uid, gid int) error {
	var state specs.State
	if err := json.NewDecoder(stdin).Decode(&state); err != nil {
		return fmt.Errorf("cgroup hook: read the container state: %w", err)
	}
	if state.Pid <= 0 {
		return fmt.Errorf("cgroup hook: the container state has no pid")
	}
	f, err := os.Open("/proc/" + strconv.Itoa(state.Pid) + "/cgroup")
	if err != nil {
		return fmt.Errorf("cgroup hook: %w", err)
	}
	defer f.Close()
	members, err := ParseMemberships(f)
	if err != nil {
		return fmt.Errorf("cgroup hook: %w", err)
	}
	mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		return fmt.Errorf("cgroup hook: list cgroup mounts: %w", err)
	}
	for _, d := range HostDirs(members, mounts) {
		if isHierarchyRoot(d, mounts) {
			// A container placed in a root cgroup (no cgroupsPath) shares
			// it with the host: never hand that over.
			continue
		}
		if err := Delegate(d, uid, gid); err != nil {
			return fmt.Errorf("cgroup hook: %w", err)
		}
	}
	return nil
}

// isHierarchyRoot reports whether d is the mountpoint of a cgroup mount
// (the root of the hierarchy as this mount namespace sees it).
func isHierarchyRoot(d Dir, mounts []*mountinfo.Info) bool {
	for _, m := range mounts {
		if m.Mountpoint == d.Path {
			return true
		}
	}
	return false
}
