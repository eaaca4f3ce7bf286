package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/internal/osthread"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// Network sysctls of a container in a pod's network namespace.
//
// A pod's network namespace belongs to the host's user namespace
// (confine.OwnedByHostPod): the container's root may not write its
// sysctls, and the engine, which runs inside it without joining it (see
// podnet_engine_linux.go), refuses every net.* sysctl ("not allowed in host
// network namespace"). containerd 2.x puts two in every sandbox spec
// (net.ipv4.ip_unprivileged_port_start=0, net.ipv4.ping_group_range), and
// kubelet passes a pod's own "safe" ones the same way. sysbox-lite writes
// them itself, as the host's root, from a thread inside the pod's network
// namespace, and takes them out of the spec; for a sandbox it adds
// containerd 2.x's two defaults when the spec lacks them
// (podDefaultSysctls). Only keys under /proc/sys/net
// that exist in that namespace (the per-namespace ones) can be written;
// a key with a path separator or an empty part is refused. The one value
// that names IDs, ping_group_range, is in the container's terms (see
// PingGroupRange) and is written in the host's: shifted by the range's
// first GID.

// podSysctlPath maps a net.* key to its file under /proc/sys, refusing
// anything that could name a file elsewhere.
func podSysctlPath(key string) (string, error) {
	parts := strings.Split(key, ".")
	if len(parts) < 2 || parts[0] != "net" {
		return "", fmt.Errorf("sysctl %q is not a network sysctl", key)
	}
	for _, p := range parts {
		if p == "" || p == ".." || strings.ContainsAny(p, "/\x00") {
			return "", fmt.Errorf("sysctl %q is refused: not a plain sysctl name", key)
		}
	}
	return filepath.Join(append([]string{"/proc/sys"}, parts...)...), nil
}

// podSysctlValue is value as the host must write it.
func podSysctlValue(key, value string, r userns.Range) (string, error) {
	if key != pingGroupRange {
		return value, nil
	}
	f := strings.Fields(value)
	if len(f) != 2 {
		return "", fmt.Errorf("sysctl %s: value %q is not two group IDs", key, value)
	}
	lo, err1 := strconv.ParseUint(f[0], 10, 32)
	hi, err2 := strconv.ParseUint(f[1], 10, 32)
	if err1 != nil || err2 != nil {
		return "", fmt.Errorf("sysctl %s: value %q is not two group IDs", key, value)
	}
	if lo > hi || lo >= uint64(r.Size) {
		return "1 0", nil // nobody
	}
	hi = min(hi, uint64(r.Size)-1)
	return fmt.Sprintf("%d %d", uint64(r.GID)+lo, uint64(r.GID)+hi), nil
}

// podDefaultSysctls are set in a pod's network namespace when its sandbox
// is created and its spec does not set them: what containerd 2.x does for
// every pod (enable_unprivileged_ports, enable_unprivileged_icmp), so that
// a container's root, which holds no capability over the pod's network
// namespace, can still bind ports below 1024 (a web server on port 80) and
// ping, as it can in a network namespace of its own. Both only concern that
// one namespace.
var podDefaultSysctls = map[string]string{
	"net.ipv4.ip_unprivileged_port_start": "0",
	pingGroupRange:                        "0 2147483647", // every group of the container (clamped to its range)
}

// applyPodSysctls writes spec's net.* sysctls inside netns and removes them
// from the spec (see above); for a pod's sandbox, the defaults above too.
// Nothing to do when netns is nil.
func applyPodSysctls(spec *specs.Spec, netns *os.File, r userns.Range, sandbox bool) error {
	if netns == nil || spec.Linux == nil {
		return nil
	}
	if sandbox {
		if spec.Linux.Sysctl == nil {
			spec.Linux.Sysctl = map[string]string{}
		}
		for k, v := range podDefaultSysctls {
			if _, ok := spec.Linux.Sysctl[k]; !ok {
				spec.Linux.Sysctl[k] = v
			}
		}
	}
	var keys []string
	for k := range spec.Linux.Sysctl {
		if strings.HasPrefix(k, "net.") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	type write struct{ path, value, key string }
	var writes []write
	for _, k := range keys {
		p, err := podSysctlPath(k)
		if err != nil {
			return err
		}
		v, err := podSysctlValue(k, spec.Linux.Sysctl[k], r)
		if err != nil {
			return err
		}
		writes = append(writes, write{p, v, k})
	}
	err := osthread.Run("", func() error {
		// This thread is never given back to the Go scheduler.
		if err := unix.Setns(int(netns.Fd()), unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("join the pod's network namespace: %w", err)
		}
		for _, w := range writes {
			fd, err := unix.Open(w.path, unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("set sysctl %s in the pod's network namespace: %w", w.key, err)
			}
			_, err = unix.Write(fd, []byte(w.value))
			unix.Close(fd)
			if err != nil {
				return fmt.Errorf("set sysctl %s=%q in the pod's network namespace: %w", w.key, w.value, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		delete(spec.Linux.Sysctl, k)
	}
	return nil
}
