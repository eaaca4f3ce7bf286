package hostcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
)

// CgroupFacts is what the cgroup probe saw.
type CgroupFacts struct {
	// Mounts are the hierarchies in this process's mountinfo.
	Mounts fsemu.CgroupFS
	// Controllers and SubtreeControl are the unified root's
	// cgroup.controllers and cgroup.subtree_control ("" without v2).
	Controllers, SubtreeControl string
}

// wantedV2 are the controllers whose limits the engine sets and whose
// values the emulated /proc files show (-m, --cpus, --cpuset-cpus, --pids-limit,
// the I/O view); wantedV1 the v1 hierarchies for the same, plus devices
// and freezer (runc's device rules, pause).
var (
	wantedV2 = []string{"cpu", "cpuset", "io", "memory", "pids"}
	wantedV1 = []string{"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"}
)

// ProbeCgroups reads the hierarchies from mountinfo and, under v2, the
// root's controller files.
func ProbeCgroups(mountinfoPath string) (CgroupFacts, error) {
	data, err := os.ReadFile(mountinfoPath)
	if err != nil {
		return CgroupFacts{}, err
	}
	f := CgroupFacts{Mounts: fsemu.ParseCgroupMounts(data)}
	if u := f.Mounts.Unified; u != nil {
		c, _ := os.ReadFile(filepath.Join(u.Dir, "cgroup.controllers"))
		s, _ := os.ReadFile(filepath.Join(u.Dir, "cgroup.subtree_control"))
		f.Controllers, f.SubtreeControl = strings.TrimSpace(string(c)), strings.TrimSpace(string(s))
	}
	return f, nil
}

// hybrid: v1 controllers are mounted (with or without a v2 hierarchy).
func (f CgroupFacts) hybrid() bool { return len(f.Mounts.V1) > 0 }

// Cgroup says which cgroup layout the host has; no cgroup file system at
// all is missing (the engine needs one).
func Cgroup(f CgroupFacts) Result {
	const name = "cgroup"
	u := f.Mounts.Unified
	switch {
	case u == nil && len(f.Mounts.V1) == 0:
		return missing(name, "no cgroup file system is mounted", "mount cgroup2 on /sys/fs/cgroup (systemd does), or the v1 hierarchies")
	case !f.hybrid():
		return ok(name, "v2 unified at "+u.Dir)
	case u == nil:
		return ok(name, fmt.Sprintf("v1 (no v2 hierarchy): %s", v1Summary(f.Mounts)))
	}
	return ok(name, fmt.Sprintf("v1 hybrid: %s; v2 at %s", v1Summary(f.Mounts), u.Dir))
}

// CgroupDelegation says whether the controllers sysbox-lite's containers
// use are there for them: under v2 enabled in the root's
// cgroup.subtree_control, under v1 mounted. Missing ones only warn: the
// containers run, without those limits and views.
func CgroupDelegation(f CgroupFacts) Result {
	const name = "cgroup delegation"
	if f.Mounts.Unified == nil && len(f.Mounts.V1) == 0 {
		return missing(name, "no cgroup file system is mounted", "see the cgroup line")
	}
	if f.hybrid() {
		var have, lack []string
		for _, c := range wantedV1 {
			if _, ok := f.Mounts.V1[c]; ok {
				have = append(have, c)
			} else {
				lack = append(lack, c)
			}
		}
		if len(lack) > 0 {
			return warn(name, fmt.Sprintf("v1 hierarchies mounted: %s; not mounted: %s", orNone(strings.Join(have, " ")), strings.Join(lack, " ")),
				"mount the missing v1 controllers under /sys/fs/cgroup (limits and /proc views that use them do not work without)")
		}
		return ok(name, "v1 hierarchies mounted: "+strings.Join(have, " ")+"; each container's root gets its own directory in each")
	}
	enabled := strings.Fields(f.SubtreeControl)
	available := strings.Fields(f.Controllers)
	var lack []string
	for _, c := range wantedV2 {
		if !slices.Contains(enabled, c) {
			lack = append(lack, c)
		}
	}
	found := fmt.Sprintf("root cgroup.subtree_control: %s (cgroup.controllers: %s)", orNone(f.SubtreeControl), orNone(f.Controllers))
	if len(lack) == 0 {
		return ok(name, found)
	}
	var fix []string
	for _, c := range lack {
		if slices.Contains(available, c) {
			fix = append(fix, "+"+c)
		}
	}
	hint := "the kernel lacks " + strings.Join(lack, " ")
	if len(fix) > 0 {
		hint = fmt.Sprintf("echo '%s' > %s (systemd enables what its units use)", strings.Join(fix, " "), filepath.Join(f.Mounts.Unified.Dir, "cgroup.subtree_control"))
	}
	return warn(name, found+"; not enabled for children: "+strings.Join(lack, " "), hint)
}

func v1Summary(fs fsemu.CgroupFS) string {
	var names []string
	for c := range fs.V1 {
		names = append(names, c)
	}
	slices.Sort(names)
	s := "controllers " + strings.Join(names, " ")
	var named []string
	for n := range fs.Named {
		named = append(named, n)
	}
	slices.Sort(named)
	if len(named) > 0 {
		s += " + " + strings.Join(named, " ")
	}
	return s
}
