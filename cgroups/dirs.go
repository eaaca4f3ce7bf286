package cgroups

import (
	"sort"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
)

// Dir is a cgroup directory on the host and its hierarchy's version.
type Dir struct {
	Path    string
	Unified bool
}

// Dirs returns the directories of a process's cgroups (procCgroup is its
// /proc/PID/cgroup) under the hierarchies of fs, each once (co-mounted
// controllers share one), sorted. A cgroup that is the top of its
// hierarchy as mounted here is left out: a container placed there shares
// it with the host, and it is never handed over.
func Dirs(fs fsemu.CgroupFS, procCgroup []byte) []Dir {
	cg := fs.Resolve(procCgroup)
	seen := map[string]bool{}
	var out []Dir
	for _, v1 := range []struct{ dirs, tops map[string]string }{{cg.V1, cg.V1Top}, {cg.Named, cg.NamedTop}} {
		for c, dir := range v1.dirs {
			if dir != v1.tops[c] && !seen[dir] {
				seen[dir] = true
				out = append(out, Dir{Path: dir})
			}
		}
	}
	if cg.V2 != "" && cg.V2 != cg.V2Top && !seen[cg.V2] {
		out = append(out, Dir{Path: cg.V2, Unified: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
