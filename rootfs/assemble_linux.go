package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// RootDir is the name, inside a container's state directory, of the root
// handed to the engine.
const RootDir = "rootfs"

// Assembly records what Assemble mounted, so Teardown can undo it.
type Assembly struct {
	// Root is the assembled root the engine gets (<state>/rootfs).
	Root string `json:"root"`
	// EngineRoot is the spec's original root.path, made absolute.
	EngineRoot string `json:"engineRoot"`
	// EngineOverlay is set when the engine's overlay at EngineRoot was
	// replaced by an idmapped one; Teardown puts the engine's back.
	EngineOverlay *EngineOverlay `json:"engineOverlay,omitempty"`
	// Devices are the device nodes made in the host-side /dev (see
	// makeDevices); the engine must not make them again.
	Devices []string `json:"devices,omitempty"`
	// DataDirs are the host-backed directories bound over the container's
	// inner-engine data paths (see DataDir).
	DataDirs []DataDir `json:"dataDirs,omitempty"`
}

// Assembler builds a container's root under Dir, its state directory.
type Assembler struct {
	Dir   string
	Range userns.Range
	Log   logrus.FieldLogger
	// DataDirs are the container paths that get a host-backed directory
	// (see DataDir and DataDirPaths).
	DataDirs []string
}

// Assemble mounts the root and every pre-mountable mount of plan. On error,
// whatever it mounted is already undone.
func (a Assembler) Assemble(spec *specs.Spec, bundle string, plan Plan) (asm Assembly, err error) {
	engineRoot := spec.Root.Path
	if !filepath.IsAbs(engineRoot) {
		engineRoot = filepath.Join(bundle, engineRoot)
	}
	engineRoot, err = filepath.EvalSymlinks(engineRoot)
	if err != nil {
		return asm, fmt.Errorf("resolve root.path: %w", err)
	}
	asm = Assembly{Root: filepath.Join(a.Dir, RootDir), EngineRoot: engineRoot}
	if err := os.Mkdir(asm.Root, 0o711); err != nil && !errors.Is(err, os.ErrExist) {
		return asm, fmt.Errorf("create root mountpoint: %w", err)
	}
	ns, err := userns.OpenNamespace(a.Range)
	if err != nil {
		return asm, err
	}
	defer ns.Close()
	info, err := mountAt(engineRoot)
	if err != nil {
		return asm, err
	}
	defer func() {
		if err != nil {
			if terr := Teardown(asm); terr != nil {
				a.Log.WithError(terr).Warn("undo a failed rootfs assembly")
			}
		}
	}()
	err = userns.AsContainerRoot(a.Range, a.Dir, func() error {
		if info != nil && info.FSType == "overlay" {
			o := overlayRemount{dir: a.Dir, mountpoint: engineRoot, info: info, ns: ns}
			unmounted, oerr := o.run()
			if unmounted {
				asm.EngineOverlay = engineOverlayOf(engineRoot, info)
			}
			if oerr != nil {
				return oerr
			}
			ours, merr := mountAt(engineRoot)
			if merr != nil {
				return merr
			}
			if ours == nil {
				return fmt.Errorf("the idmapped overlay at %s vanished", engineRoot)
			}
			asm.EngineOverlay.ReplacementID = ours.ID
			return bindRoot(engineRoot, asm.Root, nil)
		}
		return bindRoot(engineRoot, asm.Root, ns)
	})
	if err != nil {
		return asm, err
	}
	if len(a.DataDirs) > 0 {
		if asm.DataDirs, err = a.prepareDataDirs(asm.Root, engineRoot, info); err != nil {
			return asm, err
		}
		plan = withDataDirs(plan, asm.DataDirs)
	}
	idmaps, err := openIdmaps(plan)
	if err != nil {
		return asm, err
	}
	defer idmaps.Close()
	err = userns.AsContainerRoot(a.Range, "", func() error {
		var perr error
		asm.Devices, perr = a.premount(asm.Root, plan, spec, ns, idmaps)
		return perr
	})
	return asm, err
}

// bindRoot attaches a copy of the root at target: idmapped when ns is set
// (a plain directory), as it is otherwise (an overlay already idmapped).
func bindRoot(src, target string, ns *os.File) error {
	tree, err := userns.CloneMount(src, false, 0, ns)
	if err != nil {
		if errors.Is(err, userns.ErrIdmapUnsupported) {
			return fmt.Errorf("the container root %s cannot be idmapped: sysbox-lite needs idmapped mount support (Linux >= 5.12) on the root's filesystem, or an overlay root (idmapped layers need Linux >= 5.19): %w", src, err)
		}
		return err
	}
	defer tree.Close()
	return userns.MoveMountPath(tree, target)
}

// premount makes every Bind and Tmpfs item of the plan inside root, then
// makes root read-only if the spec asks for it.
func (a Assembler) premount(root string, plan Plan, spec *specs.Spec, ns *os.File, idmaps namespaces) ([]string, error) {
	r, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var devices []string
	for _, it := range plan.Premounted() {
		var err error
		switch it.Kind {
		case Bind:
			bns := ns
			if it.Idmap != nil {
				bns = idmaps[it.Idmap.Key()]
			}
			err = a.bind(r, it, bns)
		case Tmpfs:
			err = a.tmpfs(r, it)
			if err == nil && it.Destination == "/dev" {
				devices, err = a.makeDevices(r, spec.Linux.Devices)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("mount %s: %w", it.Destination, err)
		}
	}
	return devices, a.readonlyRoot(r, root, plan, spec.Root.Readonly)
}

// readonlyRoot makes the root read-only on the host (so the kernel locks
// it) after creating the mountpoints the engine will need.
func (a Assembler) readonlyRoot(r *root, path string, plan Plan, readonly bool) error {
	if !readonly {
		return nil
	}
	// The engine can no longer create mountpoints in a read-only root.
	for _, it := range plan.Items {
		if it.Kind == Keep {
			h, err := r.mkdirAll(it.Destination)
			if err != nil {
				return fmt.Errorf("create mountpoint %s: %w", it.Destination, err)
			}
			h.Close()
		}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(unix.AT_FDCWD, path, 0, &attr); err != nil {
		return fmt.Errorf("make the root read-only: %w", err)
	}
	return nil
}

func (a Assembler) bind(r *root, it Item, ns *os.File) error {
	st, err := os.Stat(it.Mount.Source)
	if err != nil {
		return fmt.Errorf("bind source: %w", err)
	}
	target, err := r.mountpoint(it.Destination, st.IsDir())
	if err != nil {
		return err
	}
	defer target.Close()
	tree, err := userns.CloneMount(it.Mount.Source, it.Options.Recursive, MountAttrs(it.Options.RecursiveAttrs), ns)
	if errors.Is(err, userns.ErrIdmapUnsupported) && it.dataDir {
		return fmt.Errorf("the data directory %s needs idmapped mount support on its filesystem (or turn it off: [data_dirs] paths = []): %w", it.Mount.Source, err)
	}
	if errors.Is(err, userns.ErrIdmapUnsupported) {
		// Filesystems without idmap support (procfs, sysfs, FUSE, ...)
		// are bound as they are: their files show as nobody inside, as
		// they would under any user namespace.
		a.Log.WithField("source", it.Mount.Source).Debug("bind without idmap: not supported by the filesystem")
		tree, err = userns.CloneMount(it.Mount.Source, it.Options.Recursive, MountAttrs(it.Options.RecursiveAttrs), nil)
	}
	if err != nil {
		return err
	}
	defer tree.Close()
	if err := userns.SetTopAttrs(tree, MountAttrs(it.Options.Attrs)); err != nil {
		return err
	}
	return userns.MoveMount(tree, target)
}

// MountAttrs converts option attributes to the userns type.
func MountAttrs(a uint64) userns.MountAttrs { return userns.MountAttrs(a) }

func mountAt(path string) (*mountinfo.Info, error) {
	infos, err := mountinfo.GetMounts(mountinfo.SingleEntryFilter(path))
	if err != nil {
		return nil, fmt.Errorf("read mountinfo: %w", err)
	}
	if len(infos) == 0 {
		return nil, nil
	}
	return infos[len(infos)-1], nil
}
