package fsemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Emulator holds what one container's emulated files share: where the
// host's files are, the container's sysctl values, the load averages.
type Emulator struct {
	// ID is the container's ID (product_uuid is derived from it).
	ID string
	// Host is where the host's procfs and sysfs are.
	Host Host
	// Cgroups is where the cgroup hierarchies are mounted.
	Cgroups CgroupFS
	// Now is the clock (time.Now unless a test sets it).
	Now func() time.Time

	files map[string]File

	mu      sync.Mutex
	sysctls map[string]string // path → value the container wrote

	loads *loadTracker
	inits *nsInits

	cgMu    sync.Mutex
	cgCache map[int]cachedCgroups // pid → its cgroups, briefly
}

// cgroupsTTL is how long a process's cgroups are remembered: a burst of
// reads (free, top) resolves them once; a process moved to another cgroup
// is seen after at most this long.
const cgroupsTTL = time.Second

type cachedCgroups struct {
	cg      *Cgroups
	expires time.Time
}

// New returns the emulator of container id serving files (usually
// AvailableFiles(host)).
func New(id string, host Host, cg CgroupFS, files []File) *Emulator {
	e := &Emulator{ID: id, Host: host, Cgroups: cg, Now: time.Now, files: map[string]File{}, sysctls: map[string]string{}, cgCache: map[int]cachedCgroups{}}
	for _, f := range files {
		e.files[f.Path] = f
	}
	e.loads = newLoadTracker(host)
	e.inits = newNSInits(host)
	return e
}

// Run keeps the load averages up to date until ctx ends.
func (e *Emulator) Run(ctx context.Context) { e.loads.Run(ctx, e.Now) }

// DetectCgroupFS reads the cgroup hierarchies from this process's mount
// table.
func DetectCgroupFS(host Host) (CgroupFS, error) {
	data, err := os.ReadFile(host.Proc + "/self/mountinfo")
	if err != nil {
		return CgroupFS{}, fmt.Errorf("read mountinfo: %w", err)
	}
	return ParseCgroupMounts(data), nil
}

// Caller is one process reading or writing an emulated file.
type Caller struct {
	Pid int
	e   *Emulator

	cg    *Cgroups
	cgErr error
}

// Caller returns the caller of pid (a host pid).
func (e *Emulator) Caller(pid int) *Caller { return &Caller{Pid: pid, e: e} }

// Cgroups returns the caller's cgroup directories.
func (c *Caller) Cgroups() (*Cgroups, error) {
	if c.cg == nil && c.cgErr == nil {
		c.cg, c.cgErr = c.e.cgroupsOf(c.Pid)
	}
	return c.cg, c.cgErr
}

func (e *Emulator) cgroupsOf(pid int) (*Cgroups, error) {
	now := time.Now()
	e.cgMu.Lock()
	if c, ok := e.cgCache[pid]; ok && now.Before(c.expires) {
		e.cgMu.Unlock()
		return c.cg, nil
	}
	e.cgMu.Unlock()
	data, err := readFile(e.Host.Proc + "/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroups of pid %d: %w", pid, err)
	}
	cg := e.Cgroups.Resolve(data)
	e.cgMu.Lock()
	defer e.cgMu.Unlock()
	if len(e.cgCache) > 4096 {
		for p, c := range e.cgCache {
			if now.After(c.expires) {
				delete(e.cgCache, p)
			}
		}
	}
	e.cgCache[pid] = cachedCgroups{cg: cg, expires: now.Add(cgroupsTTL)}
	return cg, nil
}

// hostFile reads one of the host's /proc or /sys files.
func (c *Caller) hostFile(p string) ([]byte, error) {
	return readFile(c.e.Host.Path(p))
}

// Read returns the content of the emulated file p for the caller pid.
func (e *Emulator) Read(p string, pid int) ([]byte, error) {
	f, ok := e.files[p]
	if !ok {
		return nil, syscall.ENOENT
	}
	return f.Read(e.Caller(pid))
}

// Write hands data, written at offset 0 by pid, to the emulated file p.
func (e *Emulator) Write(p string, pid int, data []byte) error {
	f, ok := e.files[p]
	if !ok {
		return syscall.ENOENT
	}
	if f.Write == nil {
		return syscall.EACCES
	}
	return f.Write(e.Caller(pid), data)
}

// File returns the emulated file at p.
func (e *Emulator) File(p string) (File, bool) {
	f, ok := e.files[p]
	return f, ok
}

// Errno is what a failed read or write returns to the caller: a bare
// errno (a refused sysctl value is EINVAL) as it is, EIO for anything else
// (a host or cgroup file that could not be read is the server's problem,
// not a missing file of the caller's).
func Errno(err error) syscall.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) && errors.Is(err, errno) && !isPathError(err) {
		return errno
	}
	return syscall.EIO
}

func isPathError(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe)
}
