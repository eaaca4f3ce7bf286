package userns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// NamespaceID identifies a namespace: the device and inode of its nsfs file.
type NamespaceID struct{ Dev, Ino uint64 }

func (id NamespaceID) String() string { return fmt.Sprintf("%d:%d", id.Dev, id.Ino) }

// NamespaceIDOf returns the identity of the namespace open as f.
func NamespaceIDOf(f *os.File) (NamespaceID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return NamespaceID{}, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	return NamespaceID{Dev: st.Dev, Ino: st.Ino}, nil
}

// NamespaceIDAt returns the identity of the namespace file at path.
func NamespaceIDAt(path string) (NamespaceID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return NamespaceID{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return NamespaceID{Dev: st.Dev, Ino: st.Ino}, nil
}

// cloneFlag is the CLONE_NEW* flag of each namespace type of the OCI spec.
var cloneFlag = map[specs.LinuxNamespaceType]int{
	specs.PIDNamespace:     unix.CLONE_NEWPID,
	specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.IPCNamespace:     unix.CLONE_NEWIPC,
	specs.UTSNamespace:     unix.CLONE_NEWUTS,
	specs.MountNamespace:   unix.CLONE_NEWNS,
	specs.UserNamespace:    unix.CLONE_NEWUSER,
	specs.CgroupNamespace:  unix.CLONE_NEWCGROUP,
	specs.TimeNamespace:    unix.CLONE_NEWTIME,
}

// OpenNamespaceFile opens the namespace file at path (e.g. /proc/PID/ns/net
// or a bind mount of one under /run/netns) and checks that it is a
// namespace of type t.
func OpenNamespaceFile(t specs.LinuxNamespaceType, path string) (*os.File, error) {
	want, ok := cloneFlag[t]
	if !ok {
		return nil, fmt.Errorf("unknown namespace type %q", t)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	got, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_NSTYPE)
	if err != nil {
		f.Close()
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("%s is not a namespace file", path)
		}
		return nil, fmt.Errorf("namespace type of %s: %w", path, err)
	}
	if got != want {
		f.Close()
		return nil, fmt.Errorf("%s is not a %s namespace", path, t)
	}
	return f, nil
}

// OwningUserNamespace returns the user namespace that owns the namespace
// open as f (ioctl NS_GET_USERNS). For a user namespace that is its parent;
// callers that want a user namespace itself use the file as it is.
func OwningUserNamespace(f *os.File) (*os.File, error) {
	fd, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_USERNS)
	if err != nil {
		return nil, fmt.Errorf("owning user namespace of %s: %w", f.Name(), err)
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "userns of "+f.Name()), nil
}

// HostUserNamespaces are the user namespaces that count as the host's: this
// process's and, when it can be read, PID 1's (they differ where
// sysbox-lite itself runs in a container, and then both are "the host" for
// its containers; some sandboxes hide PID 1's namespaces even from root).
// A namespace missing from this list is not thereby trusted: callers only
// ever accept a user namespace they positively identify.
func HostUserNamespaces() ([]NamespaceID, error) {
	self, err := NamespaceIDAt("/proc/self/ns/user")
	if err != nil {
		return nil, err
	}
	ids := []NamespaceID{self}
	if init, err := NamespaceIDAt("/proc/1/ns/user"); err == nil && init != self {
		ids = append(ids, init)
	}
	return ids, nil
}

// ProcessStartTime returns the start time of a process (field 22 of
// /proc/PID/stat, in clock ticks since boot): with the PID, it names one
// process for good, as PIDs are reused.
func ProcessStartTime(pid int) (uint64, error) {
	_, start, err := ProcessStat(pid)
	return start, err
}

// ProcessStat returns a process's state letter (field 3 of /proc/PID/stat:
// 'Z' for a zombie) and its start time.
func ProcessStat(pid int) (state byte, start uint64, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	return ParseStat(pid, data)
}

// ParseStat reads the state letter and start time out of the content of
// /proc/PID/stat.
func ParseStat(pid int, data []byte) (state byte, start uint64, err error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	// after "pid (comm)": state is field 3, starttime field 22
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 || len(f[0]) != 1 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return f[0][0], start, err
}

// ProcessRange reads the uid_map and gid_map of a process and returns them
// as a Range; ok is false when they are not a single mapping from
// container ID 0 of the same size.
func ProcessRange(pid int) (r Range, ok bool, err error) {
	var maps [2][3]uint64
	for i, name := range []string{"uid_map", "gid_map"} {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + name)
		if err != nil {
			return Range{}, false, err
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		f := strings.Fields(lines[0])
		if len(lines) != 1 || len(f) != 3 {
			return Range{}, false, nil
		}
		for j := range f {
			if maps[i][j], err = strconv.ParseUint(f[j], 10, 32); err != nil {
				return Range{}, false, nil
			}
		}
	}
	if maps[0][0] != 0 || maps[1][0] != 0 || maps[0][2] != maps[1][2] {
		return Range{}, false, nil
	}
	return Range{UID: uint32(maps[0][1]), GID: uint32(maps[1][1]), Size: uint32(maps[0][2])}, true, nil
}
