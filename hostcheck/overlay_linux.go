package hostcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// overlayTempPattern names the probe's temporary directory.
const overlayTempPattern = ".sysbox-lite-check-"

// ProbeOverlay mounts an overlay over idmapped layers on the location's
// file system the way create assembles an overlay root: in a temporary
// directory there, a lower and an upper layer are idmapped and attached,
// and an overlay over them is made as the container's root (fsuid = the
// range's first ID, full capabilities). All of it happens in a child with a
// mount namespace of its own, so nothing is ever attached in the host's;
// the directory is removed afterwards. It returns what the child saw.
func ProbeOverlay(l Location) (string, error) {
	dir, err := os.MkdirTemp(l.Probed, overlayTempPattern)
	if err != nil {
		return "", fmt.Errorf("make a temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	return runChild("overlay", dir, true)
}

// Overlay decides on ProbeOverlay's outcome.
func Overlay(l Location, found string, probeErr error, required bool) Result {
	name := "overlay " + l.Label
	if probeErr == nil {
		return ok(name, l.Describe()+": "+found)
	}
	fsType := l.FSType
	if fsType == "" {
		fsType = "this file system"
	}
	fix := fmt.Sprintf("overlayfs needs kernel %d.%d+ and layers on a file system with idmapped mounts (see the idmap line); put %s on ext4 or xfs", MinKernel.Major, MinKernel.Minor, l.Label)
	if l.Setting != "" {
		fix += " with " + l.Setting
	}
	r := Result{Name: name, Status: Missing, Found: fmt.Sprintf("%s: overlay over idmapped layers on %s failed: %v", l.Describe(), fsType, probeErr), Fix: fix}
	if !required {
		r.Status = Warn
	}
	return r
}

// overlayChild is ProbeOverlay's child, in its own mount namespace.
func overlayChild(dir string) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("overlay probe: directory %q is not absolute", dir)
	}
	// Nothing mounted here may propagate to the host's namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return "", fmt.Errorf("make this mount namespace private: %w", err)
	}
	for _, d := range []string{"lower", "upper/u", "upper/w", "l", "u"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "lower", "probe"), []byte("sysbox-lite check\n"), 0o644); err != nil {
		return "", err
	}
	ns, err := openProbeNamespace()
	if err != nil {
		return "", err
	}
	defer ns.Close()
	// Attached, as create attaches them: before 6.15 overlayfs refuses
	// layers that are detached mounts.
	for _, layer := range []struct{ src, target string }{{"lower", "l"}, {"upper", "u"}} {
		tree, err := userns.CloneMount(filepath.Join(dir, layer.src), false, 0, ns)
		if err != nil {
			return "", fmt.Errorf("idmap the %s layer: %w", layer.src, err)
		}
		err = userns.MoveMountPath(tree, filepath.Join(dir, layer.target))
		tree.Close()
		if err != nil {
			return "", err
		}
	}
	err = userns.AsContainerRoot(probeRange, dir, func() error {
		fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
		if err != nil {
			return fmt.Errorf("fsopen overlay: %w", err)
		}
		defer unix.Close(fsfd)
		for _, kv := range [][2]string{{"lowerdir", "l"}, {"upperdir", "u/u"}, {"workdir", "u/w"}} {
			if err := unix.FsconfigSetString(fsfd, kv[0], kv[1]); err != nil {
				return fmt.Errorf("overlay option %s: %w%s", kv[0], err, fsMessages(fsfd))
			}
		}
		if err := unix.FsconfigCreate(fsfd); err != nil {
			return fmt.Errorf("create the overlay: %w%s", err, fsMessages(fsfd))
		}
		mnt, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("fsmount the overlay: %w", err)
		}
		defer unix.Close(mnt)
		var st unix.Stat_t
		if err := unix.Fstatat(mnt, "probe", &st, 0); err != nil {
			return fmt.Errorf("stat a lower file through the overlay: %w", err)
		}
		if st.Uid != probeRange.UID {
			return fmt.Errorf("a lower file owned by uid 0 shows as uid %d through the overlay, want %d (the range's root)", st.Uid, probeRange.UID)
		}
		fd, err := unix.Openat(mnt, "made", unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return fmt.Errorf("create a file through the overlay as the container's root: %w", err)
		}
		return unix.Close(fd)
	})
	if err != nil {
		return "", err
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "upper", "u", "made"), &st); err != nil {
		return "", fmt.Errorf("the file made through the overlay is not in the upper layer: %w", err)
	}
	if st.Uid != 0 {
		return "", fmt.Errorf("the file the container's root made is uid %d on disk, want 0", st.Uid)
	}
	return "overlay over idmapped layers ok (the container's root writes files as uid 0 on disk)", nil
}

// fsMessages reads the kernel's messages about a failed fsconfig (since
// 6.5 for overlayfs), as ": msg; msg".
func fsMessages(fsfd int) string {
	var msgs []string
	buf := make([]byte, 1024)
	for len(msgs) < 8 {
		n, err := unix.Read(fsfd, buf)
		if err != nil || n <= 0 {
			break
		}
		m := strings.TrimSpace(string(buf[:n]))
		if len(m) > 2 && m[1] == ' ' { // "e overlay: ..."
			m = m[2:]
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return ""
	}
	return " (" + strings.Join(msgs, "; ") + ")"
}
