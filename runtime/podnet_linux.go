package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// A pod's network namespace (confine.OwnedByHostPod says what qualifies
// and why it is safe to join): made on the host by the CRI for CNI, owned
// by the host's user namespace, not the host's own, and used by no process
// but those of the sysbox-lite container group that joins it.

// podNetwork tells whether the network namespace open as f, which the host's
// user namespace owns, is a pod's that a container joining the sysbox-lite
// user namespace group (nil: none, a pod's sandbox) may join. It returns
// why not when it is not.
func podNetwork(f *os.File, group *userns.NamespaceID) (ok bool, why string, err error) {
	id, err := userns.NamespaceIDOf(f)
	if err != nil {
		return false, "", err
	}
	hosts, err := hostNetworks()
	if err != nil {
		return false, "", err
	}
	if slices.Contains(hosts, id) {
		return false, "it is the host's network namespace", nil
	}
	if group != nil {
		hostUsers, err := userns.HostUserNamespaces()
		if err != nil {
			return false, "", err
		}
		if slices.Contains(hostUsers, *group) {
			return false, "the host's user namespace is no pod's", nil
		}
	}
	users, err := tasksInNetwork(id)
	if err != nil {
		return false, "", err
	}
	for _, u := range users {
		if group == nil || u.userns != *group {
			return false, fmt.Sprintf("process %d, which is not of the pod's sysbox-lite containers, is in it", u.pid), nil
		}
	}
	return true, "", nil
}

// gone tells whether err says that a task exited while it was looked at,
// or is one whose namespaces the runtime may not see: the kernel's ptrace
// access check (EACCES) fails only for a task holding capabilities that
// the runtime, which runs as the host's root, lacks. Such a task is above
// every engine and container on the machine (a sandbox's supervisor, as
// PID 1 of a VM manager can be), not a party the check guards against.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH) || errors.Is(err, fs.ErrPermission)
}

// initNetIno is the inode number the kernel gives the initial network
// namespace (PROC_NET_INIT_INO, include/linux/proc_ns.h).
const initNetIno = 0xEFFFFFF9

// hostNetworks identifies the host's network namespace: the kernel's
// initial one, the caller's (/proc/self/ns/net) and PID 1's. PID 1's may be
// unreadable (a PID 1 holding capabilities the caller lacks fails the
// kernel's ptrace access check: EACCES); the other two are always known.
func hostNetworks() ([]userns.NamespaceID, error) {
	self, err := userns.NamespaceIDAt("/proc/self/ns/net")
	if err != nil {
		return nil, fmt.Errorf("identify the host's network namespace: %w", err)
	}
	ids := []userns.NamespaceID{self, {Dev: self.Dev, Ino: initNetIno}}
	init, err := userns.NamespaceIDAt("/proc/1/ns/net")
	switch {
	case err == nil:
		ids = append(ids, init)
	case !errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("identify the host's network namespace: %w", err)
	}
	return ids, nil
}

// netUser is a task in a network namespace, with its user namespace.
type netUser struct {
	pid    int
	userns userns.NamespaceID
}

// tasksInNetwork lists every task (thread) on the machine whose network
// namespace is id. A task that exits while it is looked at is skipped.
func tasksInNetwork(id userns.NamespaceID) ([]netUser, error) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []netUser
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid <= 0 {
			continue
		}
		tasks, err := os.ReadDir(filepath.Join("/proc", p.Name(), "task"))
		if err != nil {
			continue // it exited
		}
		for _, t := range tasks {
			dir := filepath.Join("/proc", p.Name(), "task", t.Name(), "ns")
			net, err := userns.NamespaceIDAt(filepath.Join(dir, "net"))
			if gone(err) {
				continue
			}
			if err != nil {
				return nil, err // fail closed: a task nobody can tell about
			}
			if net != id {
				continue
			}
			user, err := userns.NamespaceIDAt(filepath.Join(dir, "user"))
			if gone(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, netUser{pid: pid, userns: user})
		}
	}
	return out, nil
}
