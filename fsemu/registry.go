package fsemu

import (
	"os"
	"path"
	"sort"
	"strings"
)

// File is one emulated path.
type File struct {
	// Path is where the file is in the container, e.g. "/proc/meminfo";
	// it is at the same path in the FUSE mount.
	Path string
	// Mode is its permission bits.
	Mode uint32
	// Read returns the content one open of the file shows the caller.
	Read func(c *Caller) ([]byte, error)
	// Write takes one write at offset 0; nil for a read-only file.
	Write func(c *Caller, data []byte) error
	// Available says whether a container on this host can have the file:
	// nil means "when the host has the path" (a bind needs a mountpoint
	// in the container's procfs or sysfs).
	Available func(h Host) bool
}

// runcProcMounts are the paths under /proc that runc accepts as spec
// mounts (its list for LXCFS); other /proc paths are bound by the hook.
var runcProcMounts = map[string]bool{
	"/proc/cpuinfo": true, "/proc/diskstats": true, "/proc/meminfo": true, "/proc/stat": true,
	"/proc/swaps": true, "/proc/uptime": true, "/proc/loadavg": true, "/proc/slabinfo": true,
	"/proc/sys/kernel/ns_last_pid": true,
}

// ByHook says whether the file is bound by the createContainer hook
// rather than by a spec mount.
func (f File) ByHook() bool {
	return strings.HasPrefix(f.Path, "/proc/") && !runcProcMounts[f.Path]
}

// IsAvailable applies Available, or its default.
func (f File) IsAvailable(h Host) bool {
	if f.Available != nil {
		return f.Available(h)
	}
	return h.Has(f.Path)
}

// Host names the host's procfs and sysfs (tests use directories of their own).
type Host struct {
	Proc string // "/proc"
	Sys  string // "/sys"
}

// RealHost is the machine's own /proc and /sys.
var RealHost = Host{Proc: "/proc", Sys: "/sys"}

// Path maps a /proc or /sys path to the host's.
func (h Host) Path(p string) string {
	switch {
	case p == "/proc" || strings.HasPrefix(p, "/proc/"):
		return h.Proc + strings.TrimPrefix(p, "/proc")
	case p == "/sys" || strings.HasPrefix(p, "/sys/"):
		return h.Sys + strings.TrimPrefix(p, "/sys")
	}
	return p
}

// Has reports whether the host has a /proc or /sys path.
func (h Host) Has(p string) bool {
	_, err := os.Stat(h.Path(p))
	return err == nil
}

// Files is the registry: every emulated path, sorted by path.
func Files() []File {
	files := []File{
		procMeminfo,
		procCpuinfo,
		procStatFile,
		procUptime,
		procLoadavg,
		procSwaps,
		procDiskstats,
		sysCPUOnline,
		sysProductUUID,
	}
	for _, s := range Sysctls() {
		files = append(files, s.File())
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// AvailableFiles are the files of the registry that h can have.
func AvailableFiles(h Host) []File {
	var out []File
	for _, f := range Files() {
		if f.IsAvailable(h) {
			out = append(out, f)
		}
	}
	return out
}

// Under returns the files below prefix ("/proc/" or "/sys/").
func Under(files []File, prefix string) []File {
	var out []File
	for _, f := range files {
		if strings.HasPrefix(f.Path, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// dirsOf lists every directory the paths need, parents first.
func dirsOf(files []File) []string {
	seen := map[string]bool{"/": true}
	var out []string
	for _, f := range files {
		var chain []string
		for d := path.Dir(f.Path); !seen[d]; d = path.Dir(d) {
			seen[d] = true
			chain = append(chain, d)
		}
		for i := len(chain) - 1; i >= 0; i-- {
			out = append(out, chain[i])
		}
	}
	return out
}
