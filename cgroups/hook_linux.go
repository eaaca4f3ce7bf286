package cgroups

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
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
	procCgroup, err := os.ReadFile("/proc/" + strconv.Itoa(state.Pid) + "/cgroup")
	if err != nil {
		return fmt.Errorf("cgroup hook: %w", err)
	}
	fs, err := fsemu.DetectCgroupFS(fsemu.RealHost)
	if err != nil {
		return fmt.Errorf("cgroup hook: list cgroup mounts: %w", err)
	}
	for _, d := range Dirs(fs, procCgroup) {
		if err := Delegate(d, uid, gid); err != nil {
			return fmt.Errorf("cgroup hook: %w", err)
		}
	}
	return nil
}
