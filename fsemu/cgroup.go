package fsemu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Unlimited is a limit that is not set.
const Unlimited = math.MaxUint64

// Hierarchy is one mounted cgroup hierarchy.
type Hierarchy struct {
	Dir  string // where it is mounted (a host path)
	Root string // the cgroup path its mount shows at Dir ("/" unless it is a bind of a sub-tree)
}

// CgroupFS says where the cgroup hierarchies are mounted.
type CgroupFS struct {
	V1      map[string]Hierarchy // v1 controller name → its hierarchy
	Named   map[string]Hierarchy // "name=X" of a named v1 hierarchy (name=systemd) → its hierarchy
	Unified *Hierarchy           // the v2 hierarchy, nil when not mounted
}

// v1Controllers are the v1 controllers fsemu knows by name in a cgroup
// mount's super options.
var v1Controllers = map[string]bool{
	"cpu": true, "cpuacct": true, "cpuset": true, "memory": true, "blkio": true, "pids": true,
	"devices": true, "freezer": true, "net_cls": true, "net_prio": true, "perf_event": true,
	"hugetlb": true, "rdma": true, "misc": true,
}

// ParseCgroupMounts finds the cgroup hierarchies in a mountinfo (the
// supervisor's own, which is the host's). The first mount of a hierarchy wins.
func ParseCgroupMounts(mountinfo []byte) CgroupFS {
	fs := CgroupFS{V1: map[string]Hierarchy{}, Named: map[string]Hierarchy{}}
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 3 {
			continue
		}
		h := Hierarchy{Dir: unescapeMountinfo(f[4]), Root: unescapeMountinfo(f[3])}
		switch g[0] {
		case "cgroup2":
			if fs.Unified == nil {
				fs.Unified = &h
			}
		case "cgroup":
			for _, o := range strings.Split(g[2], ",") {
				if _, seen := fs.V1[o]; v1Controllers[o] && !seen {
					fs.V1[o] = h
				}
				if _, seen := fs.Named[o]; strings.HasPrefix(o, "name=") && !seen {
					fs.Named[o] = h
				}
			}
		}
	}
	return fs
}

func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Cgroups are the cgroup directories of one process.
type Cgroups struct {
	// V1 maps a v1 controller to the process's directory in its hierarchy.
	V1 map[string]string
	// V1Top maps a v1 controller to the directory its hierarchy is
	// mounted at (walks up stop there).
	V1Top map[string]string
	// Named and NamedTop are the same for named v1 hierarchies (keys
	// "name=X"): no controller, but a place for processes (systemd's).
	Named, NamedTop map[string]string
	// V2 is the process's directory in the unified hierarchy ("" when
	// none), V2Top the unified mount.
	V2, V2Top string
}

// Resolve turns the content of /proc/PID/cgroup into directories.
// Controllers that are not mounted (or whose mount does not show the
// process's cgroup) are left out.
func (fs CgroupFS) Resolve(procCgroup []byte) *Cgroups {
	cg := &Cgroups{V1: map[string]string{}, V1Top: map[string]string{}, Named: map[string]string{}, NamedTop: map[string]string{}}
	for _, line := range strings.Split(string(procCgroup), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			if fs.Unified != nil {
				if dir, ok := under(*fs.Unified, parts[2]); ok {
					cg.V2, cg.V2Top = dir, fs.Unified.Dir
				}
			}
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if h, ok := fs.V1[c]; ok {
				if dir, ok := under(h, parts[2]); ok {
					cg.V1[c], cg.V1Top[c] = dir, h.Dir
				}
			}
			if h, ok := fs.Named[c]; ok {
				if dir, ok := under(h, parts[2]); ok {
					cg.Named[c], cg.NamedTop[c] = dir, h.Dir
				}
			}
		}
	}
	return cg
}

// under returns the directory of cgroup path p in hierarchy h.
func under(h Hierarchy, p string) (string, bool) {
	p = filepath.Clean("/" + p)
	root := filepath.Clean("/" + h.Root)
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return filepath.Join(h.Dir, rel), true
}

// controller returns the directory (and its hierarchy's top) that serves
// a controller: v1 when the controller is mounted as v1, else the unified
// hierarchy when the controller is enabled there (its interface file v2file
// exists in dir or, for the root cgroup, the controller is listed).
func (cg *Cgroups) controller(v1name, v2file string) (dir, top string, v2 bool, ok bool) {
	if d, ok := cg.V1[v1name]; ok {
		return d, cg.V1Top[v1name], false, true
	}
	if cg.V2 == "" {
		return "", "", false, false
	}
	if _, err := os.Stat(filepath.Join(cg.V2, v2file)); err == nil {
		return cg.V2, cg.V2Top, true, true
	}
	return "", "", false, false
}

// ancestors returns dir and its parents up to and including top.
func ancestors(dir, top string) []string {
	var out []string
	for d := dir; ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == top || d == "/" || d == "." || !strings.HasPrefix(d, top) {
			return out
		}
	}
}

// readString reads a small cgroup file, without its trailing newline.
func readString(dir, name string) (string, error) {
	data, err := readFile(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// readUint reads a cgroup file holding one unsigned number ("max" is
// Unlimited).
func readUint(dir, name string) (uint64, error) {
	s, err := readString(dir, name)
	if err != nil {
		return 0, err
	}
	return parseUintOrMax(s)
}

func parseUintOrMax(s string) (uint64, error) {
	if s == "max" {
		return Unlimited, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse %q: %w", s, err)
	}
	return v, nil
}

// readKV reads a flat-keyed cgroup file ("key value" lines, e.g. memory.stat).
func readKV(dir, name string) (map[string]uint64, error) {
	data, err := readFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return parseKV(data), nil
}

func parseKV(data []byte) map[string]uint64 {
	out := make(map[string]uint64, 48)
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		if n, ok := parseDecimal(line[sp+1:]); ok {
			out[string(line[:sp])] = n
		}
	}
	return out
}

// parseDecimal parses an unsigned decimal number (surrounding spaces allowed).
func parseDecimal(b []byte) (uint64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// errNoCgroup means the caller's cgroup does not give the value: fsemu
// shows the host's instead.
var errNoCgroup = errors.New("no cgroup data")

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
