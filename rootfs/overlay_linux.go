package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moby/sys/mountinfo"
	"github.com/sysbox-lite/sysbox-lite/internal/osthread"
	"github.com/sysbox-lite/sysbox-lite/userns"

	"github.com/sysbox-lite/sysbox-lite/internal/overlayopt"
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
		lowers[i] = overlayopt.Escape(rel)
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
			"upperdir="+overlayopt.Escape(filepath.Join(upperDir, upper)),
			"workdir="+overlayopt.Escape(filepath.Join(upperDir, work)))
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

// EngineOverlay is the engine's own overlay that sysbox-lite replaced: what
// it takes to mount it again exactly as the engine did.
type EngineOverlay struct {
	// Options is the superblock option string from mountinfo, verbatim.
	Options string `json:"options"`
	// Flags are the per-mount MS_* flags.
	Flags uintptr `json:"flags"`
	// Dir is what relative layer paths are relative to (dockerd's overlay2 home).
	Dir string `json:"dir"`
	// ReplacementID is the mount ID of the idmapped overlay put in its place.
	ReplacementID int `json:"replacementId"`
}

func engineOverlayOf(mountpoint string, info *mountinfo.Info) *EngineOverlay {
	return &EngineOverlay{
		Options: info.VFSOptions,
		Flags:   mountFlags(info.Options),
		Dir:     filepath.Dir(filepath.Dir(mountpoint)),
	}
}

// restoreEngineOverlay puts the engine's overlay back at mountpoint in
// place of ours (if ours is still there), so that the engine finds what it
// mounted: dockerd keeps the root mounted across `docker restart` and hands
// it to the next create. It runs with real root credentials, from the
// engine's directory, with the engine's option string verbatim (relative
// layer paths included).
func restoreEngineOverlay(mountpoint string, eo *EngineOverlay) error {
	info, err := mountAt(mountpoint)
	if err != nil {
		return err
	}
	if info != nil && info.ID == eo.ReplacementID && info.FSType == "overlay" {
		if err := unix.Unmount(mountpoint, 0); err != nil {
			if err := unix.Unmount(mountpoint, unix.MNT_DETACH); err != nil {
				return fmt.Errorf("unmount the idmapped overlay at %s: %w", mountpoint, err)
			}
		}
	} else if info != nil {
		return nil // the engine has already unmounted ours (and maybe mounted anew)
	}
	if _, err := os.Stat(eo.Dir); err != nil {
		return nil // the engine removed the layer store: nothing to restore into
	}
	return osthread.Run(eo.Dir, func() error {
		var err error
		// A lazily unmounted overlay may hold the upper dir for a moment.
		for i := 0; i < 50; i++ {
			if err = unix.Mount("overlay", mountpoint, "overlay", eo.Flags, eo.Options); !errors.Is(err, unix.EBUSY) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("restore the engine's overlay at %s: %w", mountpoint, err)
		}
		return nil
	})
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
