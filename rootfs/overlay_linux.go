package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moby/sys/mountinfo"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// overlayRemount replaces the engine's overlay at mountpoint with one made
// of the same layers, each idmapped to the container's range. It must run
// under userns.AsContainerRoot with the cwd at dir (the container's state
// directory): the layer mounts live there under short relative names, so
// the mount data stays short whatever the number of layers.
type overlayRemount struct {
	dir        string
	mountpoint string
	info       *mountinfo.Info
	ns         *os.File
}

const (
	layersDir = "l" // idmapped lower layers: l/0, l/1, ...
	upperDir  = "u" // idmapped parent of upperdir and workdir
)

// run returns unmounted=true when the engine's overlay is gone from the
// mountpoint; if err is also set, the caller restores it (as real root:
// this thread's credentials would give that overlay the wrong owner).
func (o overlayRemount) run() (unmounted bool, err error) {
	// dockerd's relative paths are relative to its overlay2 home, the
	// grandparent of <home>/<id>/merged.
	cfg, err := ParseOverlayOptions(o.info.VFSOptions, filepath.Dir(filepath.Dir(o.mountpoint)))
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Join(o.dir, layersDir), 0o700); err != nil {
		return false, fmt.Errorf("create layer directory: %w", err)
	}
	var attached []string
	defer func() {
		// The overlay keeps private clones of its layers: the attached
		// copies are only needed while it is being mounted.
		for _, p := range attached {
			if uerr := unix.Unmount(p, unix.MNT_DETACH); uerr != nil && err == nil {
				err = fmt.Errorf("unmount layer %s: %w", p, uerr)
			}
		}
	}()
	attach := func(src, rel string) error {
		target := filepath.Join(o.dir, rel)
		if err := os.MkdirAll(target, 0o700); err != nil {
			return fmt.Errorf("create layer mountpoint: %w", err)
		}
		tree, err := userns.CloneMount(src, false, 0, o.ns)
		if err != nil {
			return fmt.Errorf("overlay layer: %w", err)
		}
		defer tree.Close()
		if err := userns.MoveMountPath(tree, target); err != nil {
			return err
		}
		attached = append(attached, target)
		return nil
	}
	lowers := make([]string, len(cfg.Lower))
	for i, l := range cfg.Lower {
		rel := filepath.Join(layersDir, strconv.Itoa(i))
		if err := attach(l, rel); err != nil {
			return false, err
		}
		lowers[i] = escapeLayer(rel)
	}
	data := []string{"lowerdir=" + strings.Join(lowers, ":")}
	if cfg.Upper != "" {
		upper, work, parent, err := commonParent(cfg.Upper, cfg.Work)
		if err != nil {
			return false, err
		}
		if err := attach(parent, upperDir); err != nil {
			return false, err
		}
		data = append(data,
			"upperdir="+escapeLayer(filepath.Join(upperDir, upper)),
			"workdir="+escapeLayer(filepath.Join(upperDir, work)))
	}
	data = append(data, cfg.Options...)
	flags := mountFlags(o.info.Options)
	if err := unix.Unmount(o.mountpoint, 0); err != nil {
		return false, fmt.Errorf("unmount the engine's overlay at %s: %w", o.mountpoint, err)
	}
	if err := unix.Mount("overlay", o.mountpoint, "overlay", flags, strings.Join(data, ",")); err != nil {
		return true, fmt.Errorf("mount idmapped overlay at %s: %w", o.mountpoint, err)
	}
	return true, nil
}

// restoreEngineOverlay puts the engine's own overlay back after a failed
// remount, so the engine finds what it mounted.
func restoreEngineOverlay(mountpoint string, info *mountinfo.Info) error {
	cfg, err := ParseOverlayOptions(info.VFSOptions, filepath.Dir(filepath.Dir(mountpoint)))
	if err != nil {
		return err
	}
	lowers := make([]string, len(cfg.Lower))
	for i, l := range cfg.Lower {
		lowers[i] = escapeLayer(l)
	}
	data := append([]string{"lowerdir=" + strings.Join(lowers, ":")}, cfg.Options...)
	if cfg.Upper != "" {
		data = append(data, "upperdir="+escapeLayer(cfg.Upper), "workdir="+escapeLayer(cfg.Work))
	}
	if err := unix.Mount("overlay", mountpoint, "overlay", mountFlags(info.Options), strings.Join(data, ",")); err != nil {
		return fmt.Errorf("restore the engine's overlay at %s: %w", mountpoint, err)
	}
	return nil
}

// commonParent returns upper and work relative to their common parent
// directory, which must be on one mount (overlayfs requires it).
func commonParent(upper, work string) (string, string, string, error) {
	ru, err := filepath.EvalSymlinks(upper)
	if err != nil {
		return "", "", "", fmt.Errorf("resolve upperdir: %w", err)
	}
	rw, err := filepath.EvalSymlinks(work)
	if err != nil {
		return "", "", "", fmt.Errorf("resolve workdir: %w", err)
	}
	parent := filepath.Dir(ru)
	for parent != "/" && !strings.HasPrefix(rw, parent+"/") {
		parent = filepath.Dir(parent)
	}
	relU, _ := filepath.Rel(parent, ru)
	relW, _ := filepath.Rel(parent, rw)
	return relU, relW, parent, nil
}

// mountFlags turns per-mount options from mountinfo into MS_* flags.
func mountFlags(options string) uintptr {
	o, _ := ParseOptions(strings.Split(options, ","))
	return o.Flags
}
