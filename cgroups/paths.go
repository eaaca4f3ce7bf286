package cgroups

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// Membership is one line of /proc/PID/cgroup: the hierarchy's controllers
// (or "name=..." for a named v1 hierarchy; empty for the v2 hierarchy) and
// the process's cgroup path in it.
type Membership struct {
	Controllers []string
	Path        string
}

// Unified reports whether m is the cgroup v2 hierarchy.
func (m Membership) Unified() bool { return len(m.Controllers) == 0 }

// ParseMemberships reads the format of /proc/PID/cgroup.
func ParseMemberships(r io.Reader) ([]Membership, error) {
	var out []Membership
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			return nil, fmt.Errorf("parse cgroup line %q: want ID:CONTROLLERS:/PATH", line)
		}
		m := Membership{Path: path.Clean(parts[2])}
		if parts[1] != "" {
			m.Controllers = strings.Split(parts[1], ",")
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cgroup memberships: %w", err)
	}
	return out, nil
}

// Dir is a cgroup directory on the host and its hierarchy's version.
type Dir struct {
	Path    string
	Unified bool
}

// HostDirs maps each membership to its directory under the cgroup file
// system mounts of the caller's mount namespace. A hierarchy that is not
// mounted there (or whose mount does not reach the path) is skipped: there
// is nothing to delegate through it.
func HostDirs(members []Membership, mounts []*mountinfo.Info) []Dir {
	var out []Dir
	for _, m := range members {
		for _, mi := range mounts {
			if !mounts4(m, mi) {
				continue
			}
			rel, ok := within(m.Path, mi.Root)
			if !ok {
				continue
			}
			out = append(out, Dir{Path: path.Join(mi.Mountpoint, rel), Unified: m.Unified()})
			break
		}
	}
	return out
}

// mounts4 reports whether mi is a mount of m's hierarchy.
func mounts4(m Membership, mi *mountinfo.Info) bool {
	if m.Unified() {
		return mi.FSType == "cgroup2"
	}
	if mi.FSType != "cgroup" {
		return false
	}
	opts := map[string]bool{}
	for _, o := range strings.Split(mi.VFSOptions+","+mi.Options, ",") {
		opts[o] = true
	}
	for _, c := range m.Controllers {
		if !opts[c] {
			return false
		}
	}
	return true
}

// within returns p relative to root, if p is root or below it.
func within(p, root string) (string, bool) {
	root = path.Clean(root)
	if root == "/" {
		return p, true
	}
	if p == root {
		return "/", true
	}
	if strings.HasPrefix(p, root+"/") {
		return strings.TrimPrefix(p, root), true
	}
	return "", false
}
