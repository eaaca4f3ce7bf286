package fsemu

import (
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Modifier puts a container's emulated files into its spec: spec bind
// mounts from the FUSE mount for what the engine accepts, and a
// createContainer hook for the rest (see package doc). It runs after the
// masks are decided: a file under a read-only path is bound read-only.
type Modifier struct {
	// FuseDir is where the container's supervisor mounts its FUSE file
	// system (a host path); empty disables the modifier.
	FuseDir string
	// Rootfs is the root the engine gets (the hook binds below it).
	Rootfs string
	// Self is sysbox-lite's binary, which the engine runs as the hook.
	Self string
	// Files are the emulated files (AvailableFiles on the host).
	Files []File
}

// Name implements runtime.SpecModifier.
func (Modifier) Name() string { return "fsemu" }

// hookTimeout bounds the hook (seconds).
const hookTimeout = 30

// Paths are the paths of the modifier's files (what the supervisor serves).
func (m Modifier) Paths() []string {
	out := make([]string, len(m.Files))
	for i, f := range m.Files {
		out[i] = f.Path
	}
	return out
}

// Modify implements runtime.SpecModifier. It is idempotent: mounts and the
// hook from an earlier run are replaced.
func (m Modifier) Modify(spec *specs.Spec) error {
	if m.FuseDir == "" || len(m.Files) == 0 {
		return nil
	}
	var mounts []specs.Mount
	taken := map[string]bool{}
	for _, mt := range spec.Mounts {
		if isUnder(path.Clean(mt.Source), m.FuseDir) {
			continue // ours, from an earlier run
		}
		mounts = append(mounts, mt)
		taken[path.Clean("/"+mt.Destination)] = true
	}
	var ro []string
	var masked []string
	if spec.Linux != nil {
		ro, masked = spec.Linux.ReadonlyPaths, spec.Linux.MaskedPaths
	}
	var hookArgs []string
	for _, f := range m.Files {
		if taken[f.Path] || coveredBy(f.Path, masked) {
			continue // the spec puts something else there
		}
		if f.ByHook() {
			mode := "rw"
			if f.ReadOnlyUnder(ro) {
				mode = "ro"
			}
			hookArgs = append(hookArgs, mode+":"+f.Path)
			continue
		}
		mounts = append(mounts, specs.Mount{
			Destination: f.Path,
			Type:        "bind",
			Source:      m.FuseDir + f.Path,
			// The FUSE mount is nosuid,nodev,noexec: a bind of it in a
			// user namespace must keep those (they are locked).
			Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"},
		})
	}
	spec.Mounts = mounts
	if spec.Hooks != nil {
		var kept []specs.Hook
		for _, h := range spec.Hooks.CreateContainer {
			if !m.isOurHook(h) {
				kept = append(kept, h)
			}
		}
		spec.Hooks.CreateContainer = kept
	}
	if len(hookArgs) > 0 {
		if spec.Hooks == nil {
			spec.Hooks = &specs.Hooks{}
		}
		timeout := hookTimeout
		spec.Hooks.CreateContainer = append(spec.Hooks.CreateContainer, specs.Hook{
			Path:    m.Self,
			Args:    append([]string{"sysbox-lite", HookCommand, m.FuseDir, m.Rootfs}, hookArgs...),
			Timeout: &timeout,
		})
	}
	return nil
}

func (m Modifier) isOurHook(h specs.Hook) bool {
	return h.Path == m.Self && len(h.Args) > 1 && h.Args[1] == HookCommand
}

// ReadOnlyUnder says whether a bind of the file is read-only in a
// container whose read-only paths are ro: when the file cannot be written,
// or when it is under one of them (as the file it covers would be).
func (f File) ReadOnlyUnder(ro []string) bool {
	return f.Write == nil || coveredBy(f.Path, ro)
}

// coveredBy reports whether p is one of paths or below one.
func coveredBy(p string, paths []string) bool {
	for _, q := range paths {
		if isUnder(p, path.Clean(q)) {
			return true
		}
	}
	return false
}

func isUnder(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}
