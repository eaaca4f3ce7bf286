package hostcheck

import (
	"fmt"
	"os"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// probeRange is the mapping of the user namespaces the probes create (the
// first range install's pool gives). No process runs in it and nothing it
// owns is left behind: it only gives idmapped mounts their mapping.
var probeRange = userns.Range{UID: 1 << 20, GID: 1 << 20, Size: 65536}

// openProbeNamespace creates a user namespace mapped to probeRange in a
// short-lived child (userns.OpenNamespace, as create does) and returns its fd.
func openProbeNamespace() (*os.File, error) { return userns.OpenNamespace(probeRange) }

// ProbeUserNamespace creates a user namespace the way create does.
func ProbeUserNamespace() error {
	ns, err := openProbeNamespace()
	if err != nil {
		return err
	}
	return ns.Close()
}

// UserNamespaces decides on the probe's error; maxUserNS is the content of
// /proc/sys/user/max_user_namespaces ("" when it cannot be read).
func UserNamespaces(probeErr error, maxUserNS string) Result {
	const name = "user namespaces"
	limit := strings.TrimSpace(maxUserNS)
	if probeErr == nil {
		found := fmt.Sprintf("created one with %d IDs mapped from host ID %d (as create does)", probeRange.Size, probeRange.UID)
		if limit != "" {
			found += "; user.max_user_namespaces = " + limit
		}
		return ok(name, found)
	}
	found := "cannot create a user namespace: " + probeErr.Error()
	switch limit {
	case "":
		return missing(name, found, "build the kernel with CONFIG_USER_NS=y (there is no /proc/sys/user/max_user_namespaces)")
	case "0":
		return missing(name, found+"; user.max_user_namespaces = 0",
			"sysctl -w user.max_user_namespaces=15000, and keep it in /etc/sysctl.d/")
	}
	return missing(name, found+"; user.max_user_namespaces = "+limit,
		"see why the kernel refuses (a security module, a seccomp filter on this process, the namespace limit reached)")
}
