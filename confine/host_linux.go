package confine

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// HostDevice stats path on the host.
func HostDevice(path string) (Node, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Node{}, false
	}
	n := Node{Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev))}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		n.Type = "c"
	case unix.S_IFBLK:
		n.Type = "b"
	default:
		return Node{}, false
	}
	return n, true
}

// nsFile is the name of a namespace type under /proc/PID/ns.
var nsFile = map[string]string{
	"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts",
	"mount": "mnt", "user": "user", "cgroup": "cgroup", "time": "time",
}

// IsHostNamespace compares the namespace at path (device and inode of what
// it resolves to) with PID 1's and sysbox-lite's own namespace of that type.
// Both count as the host's: where sysbox-lite itself runs in a container
// (a Kubernetes-in-Docker node, a VM's system container), "the host" is the
// namespace the engine runs in. A PID 1 whose namespaces cannot be read is
// an error: the caller refuses rather than guesses.
func IsHostNamespace(nsType, path string) (bool, error) {
	name, ok := nsFile[nsType]
	if !ok {
		return false, fmt.Errorf("unknown namespace type %q", nsType)
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return false, fmt.Errorf("stat %s: %w", path, err)
	}
	for _, host := range []string{"/proc/self/ns/" + name, "/proc/1/ns/" + name} {
		var hst unix.Stat_t
		if err := unix.Stat(host, &hst); err != nil {
			return false, fmt.Errorf("stat %s: %w", host, err)
		}
		if st.Dev == hst.Dev && st.Ino == hst.Ino {
			return true, nil
		}
	}
	return false, nil
}
