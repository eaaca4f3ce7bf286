package confine

import (
	"fmt"
	"path/filepath"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

// CheckRoot refuses a container root (root.path, resolved on the host)
// that is a host system directory, lies inside one, or contains one or an
// engine's socket or state: sysbox-lite idmaps the root so that its
// root-owned files belong to the container's root, which would make any
// such directory the container's to rewrite (root.path "/" would be the
// whole host). The engines' own roots live inside their state directories
// (/var/lib/docker/overlay2/<id>/merged, a bundle's rootfs), which is fine:
// only system directories are checked "above" the root.
func CheckRoot(root string, sink audit.Sink) error {
	root = filepath.Clean(root)
	asked := "root.path " + root
	for _, s := range systemSensitive {
		if root == s.path || within(root, s.path) {
			return refuse(sink, audit.RuleHostPaths, asked,
				"the container root %s is refused: it is %s (%s)", root, inOrIs(root, s.path), s.what)
		}
	}
	for _, list := range [][]sensitivePath{systemSensitive, engineSensitive} {
		for _, s := range list {
			if within(s.path, root) {
				return refuse(sink, audit.RuleHostPaths, asked,
					"the container root %s is refused: it contains %s, %s", root, s.path, s.what)
			}
		}
	}
	return nil
}

func inOrIs(p, dir string) string {
	if p == dir {
		return dir
	}
	return fmt.Sprintf("inside %s", dir)
}
