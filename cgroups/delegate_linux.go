package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Files lists what delegation hands over in a cgroup directory besides the
// directory itself (see the package doc): nothing that sets a limit.
func Files(unified bool) []string {
	if unified {
		return []string{"cgroup.procs", "cgroup.threads", "cgroup.subtree_control"}
	}
	return []string{"cgroup.procs", "tasks", "cgroup.clone_children"}
}

// Delegate gives dir, and its delegation files, to uid:gid. A file the
// kernel does not offer in that hierarchy is skipped.
func Delegate(dir Dir, uid, gid int) error {
	if err := unix.Lchown(dir.Path, uid, gid); err != nil {
		return fmt.Errorf("delegate cgroup %s: %w", dir.Path, err)
	}
	for _, f := range Files(dir.Unified) {
		p := filepath.Join(dir.Path, f)
		if err := unix.Lchown(p, uid, gid); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("delegate cgroup file %s: %w", p, err)
		}
	}
	return nil
}
