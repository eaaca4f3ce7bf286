package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// prepareDataDirs finds or creates the host directory of every data
// directory path (see DataDir); in a plain-directory root only for paths
// that are directories there already. A directory made now gets what the image
// has at that path, copied out of the assembled root (owners shifted back
// from the range to what they are on disk). info is the engine's root
// mount as it was before Assemble replaced it (nil for a plain directory).
func (a Assembler) prepareDataDirs(root, engineRoot string, info *mountinfo.Info) ([]DataDir, error) {
	base, withEngine := a.Dir, false
	if info != nil && info.FSType == "overlay" {
		cfg, err := ParseOverlayOptions(info.VFSOptions, filepath.Dir(filepath.Dir(engineRoot)))
		if err == nil {
			if dir := engineLayerDir(engineRoot, cfg.Upper); dir != "" {
				base, withEngine = dir, true
			}
		}
	}
	plain := info == nil || info.FSType != "overlay"
	var dirs []DataDir
	for _, p := range a.DataDirs {
		if plain && !isDirIn(root, p) {
			// A plain directory root is the caller's own (an OCI bundle's
			// rootfs): no directory is made in it, so a data directory
			// goes only where the image has the path already.
			a.Log.WithField("path", p).Debug("data directory skipped: not in the plain-directory root")
			continue
		}
		d := DataDir{Path: p, Host: dataDirHost(base, p), WithEngine: withEngine}
		if err := a.ensureDataDir(root, d); err != nil {
			return nil, fmt.Errorf("data directory for %s: %w", p, err)
		}
		dirs = append(dirs, d)
	}
	return dirs, nil
}

// ensureDataDir makes d.Host unless it exists (a restarted container keeps
// its data). It is filled in a temporary directory renamed into place, so
// a crash half-way leaves no partial copy that a later create would trust.
func (a Assembler) ensureDataDir(root string, d DataDir) error {
	st, err := os.Lstat(d.Host)
	switch {
	case err == nil && st.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("%s exists and is not a directory", d.Host)
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if err := os.MkdirAll(filepath.Dir(d.Host), 0o700); err != nil {
		return err
	}
	tmp := d.Host + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	src, err := securejoin.SecureJoin(root, d.Path)
	if err != nil {
		return fmt.Errorf("resolve %s in the root: %w", d.Path, err)
	}
	if st, err := os.Lstat(src); err == nil && st.IsDir() {
		c := treeCopier{shift: a.Range.UID, shiftGID: a.Range.GID, size: a.Range.Size, log: a.Log}
		if err := c.copyTree(src, tmp); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("copy the image's %s: %w", d.Path, err)
		}
		a.Log.WithField("path", d.Path).Debug("data directory filled from the image")
	}
	if err := os.Rename(tmp, d.Host); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// isDirIn reports whether p, resolved inside root, is a directory.
func isDirIn(root, p string) bool {
	full, err := securejoin.SecureJoin(root, p)
	if err != nil {
		return false
	}
	st, err := os.Lstat(full)
	return err == nil && st.IsDir()
}

// withDataDirs returns plan with an idmapped bind for every data directory
// appended (after the spec's own mounts, none of which is at, above or
// below a data directory: see DataDirPaths).
func withDataDirs(plan Plan, dirs []DataDir) Plan {
	items := append([]Item(nil), plan.Items...)
	for _, d := range dirs {
		items = append(items, Item{
			Mount:       specs.Mount{Destination: d.Path, Type: "bind", Source: d.Host, Options: []string{"rbind", "rw"}},
			Destination: d.Path,
			Kind:        Bind,
			Options:     MountOptions{Bind: true},
			dataDir:     true,
		})
	}
	return Plan{Items: items}
}
