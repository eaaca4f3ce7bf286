package confine

import (
	"errors"
	"os"
	"path/filepath"
)

// Node is a device node: its type ("c" or "b") and numbers.
type Node struct {
	Type         string
	Major, Minor int64
}

// Host is what the modifiers need to know about the host. RealHost asks the
// running system; tests pass fakes.
type Host struct {
	// Device returns the device node at path on the host; ok is false when
	// there is none (or it is not a character or block device).
	Device func(path string) (n Node, ok bool)
	// IsHostNamespace reports whether the namespace file at path is one of
	// the host's (nsType as in the OCI spec: pid, network, ipc, uts, mount,
	// user, cgroup).
	IsHostNamespace func(nsType, path string) (isHost bool, err error)
	// JoinedNamespace tells whose a namespace joined by path is (see
	// Namespaces). Only the runtime knows its containers: RealHost leaves
	// it nil, and every namespace joined by path is then refused.
	JoinedNamespace func(nsType, path string) (JoinedNamespace, error)
	// Resolve returns path with every symlink resolved on the host.
	Resolve func(path string) (string, error)
	// Inspect and RootSockets tell the host-paths rule what a bind source
	// is (see PathInfo, HostInspect, HostRootSockets; HostPaths.WithHost).
	// nil means the running system's: a Host that leaves them out does not
	// turn the checks off.
	Inspect     func(path string) (PathInfo, error)
	RootSockets func(dir string) ([]string, error)
	// Mounts returns the mount table (see Mount, HostMounts) for the same
	// rule; nil means the running system's.
	Mounts func() ([]Mount, error)
}

// RealHost returns the Host of the running system.
func RealHost() Host {
	return Host{Device: HostDevice, IsHostNamespace: IsHostNamespace, Resolve: ResolvePath}
}

// ResolvePath resolves every symlink in p like filepath.EvalSymlinks, but
// also for a path that does not exist (yet): the longest existing prefix is
// resolved and the rest appended, and a dangling symlink is followed to the
// path it names. So /var/run/docker.sock is /run/docker.sock whether or not
// the socket exists.
func ResolvePath(p string) (string, error) {
	return resolvePath(filepath.Clean(p), 0)
}

func resolvePath(p string, depth int) (string, error) {
	if depth > 40 {
		return "", &os.PathError{Op: "resolve", Path: p, Err: errors.New("too many levels of symbolic links")}
	}
	r, err := filepath.EvalSymlinks(p)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	dir, base := filepath.Split(p)
	dir = filepath.Clean(dir)
	if dir == p {
		return p, nil
	}
	if st, lerr := os.Lstat(p); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
		target, rerr := os.Readlink(p)
		if rerr != nil {
			return "", rerr
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		return resolvePath(filepath.Clean(target), depth+1)
	}
	rdir, err := resolvePath(dir, depth+1)
	if err != nil {
		return "", err
	}
	return filepath.Join(rdir, base), nil
}
