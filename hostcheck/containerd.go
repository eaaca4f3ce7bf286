package hostcheck

import (
	"fmt"

	"github.com/sysbox-lite/sysbox-lite/install"
)

// DefaultContainerdRoot is containerd's root when its config sets none.
const DefaultContainerdRoot = "/var/lib/containerd"

// ContainerdFacts is what the containerd probe saw.
type ContainerdFacts struct {
	Config ConfigFile // config.toml
	// Containerd is containerd's path ("" when not installed), Shim
	// containerd-shim-sysbox-lite-v2's ("" when not found).
	Containerd, Shim string
}

// Present reports whether containerd is installed (its daemon or its config).
func (f ContainerdFacts) Present() bool { return f.Containerd != "" || f.Config.Exists }

// ContainerdRoot returns containerd's root and where it comes from.
func ContainerdRoot(f ContainerdFacts) (dir, source string) {
	if f.Config.Exists {
		if c, err := install.InspectContainerdConfig(f.Config.Data, runtimeName); err == nil && c.Root != "" {
			return c.Root, "root in " + f.Config.Path
		}
	}
	return DefaultContainerdRoot, "default"
}

// Containerd decides whether containerd's CRI plugin knows the runtime.
// Without containerd it only warns.
func Containerd(f ContainerdFacts) Result {
	const name = "containerd"
	fix := "run `sysbox-lite-install install` (make install), then restart containerd: it adds the " + runtimeName + " CRI runtime to " + f.Config.Path
	if f.Config.ReadErr != nil {
		return missing(name, f.Config.ReadErr.Error(), "make "+f.Config.Path+" readable")
	}
	if !f.Present() {
		return warn(name, "not installed (no containerd, no "+f.Config.Path+")", "none needed unless you use containerd's CRI (Kubernetes): install containerd, then run `sysbox-lite-install install`")
	}
	daemon := "containerd " + f.Containerd
	status := Missing
	if f.Containerd == "" {
		daemon, status = "no containerd found", Warn
	}
	if !f.Config.Exists {
		return Result{Name: name, Status: status, Found: daemon + "; " + f.Config.Path + " does not exist: no " + runtimeName + " CRI runtime", Fix: fix}
	}
	c, err := install.InspectContainerdConfig(f.Config.Data, runtimeName)
	if err != nil {
		return missing(name, fmt.Sprintf("%s: %v", f.Config.Path, err), "correct "+f.Config.Path)
	}
	if c.Runtime == nil {
		return Result{Name: name, Status: status, Found: fmt.Sprintf("%s; %s (config version %d) defines no %s CRI runtime", daemon, f.Config.Path, c.Version, runtimeName), Fix: fix}
	}
	found := fmt.Sprintf("%s; [%s] in %s (config version %d", daemon, c.Runtime.Table, f.Config.Path, c.Version)
	if c.Runtime.Managed {
		found += ", sysbox-lite-install's block"
	}
	found += "): runtime_type " + c.Runtime.RuntimeType
	if c.CRIDisabled {
		found += "; the CRI plugin is disabled (disabled_plugins)"
	}
	switch {
	case c.Runtime.Shim:
		if f.Shim == "" {
			return missing(name, found+"; "+install.ShimBinaryName+" is not in PATH",
				"make install (puts "+install.ShimBinaryName+" in /usr/local/bin, where containerd finds it)")
		}
		found += ", shim " + f.Shim
	default:
		found += ", BinaryName " + c.Runtime.BinaryName
		if why := executable(c.Runtime.BinaryName); why != "" {
			return missing(name, found+": "+why, "make install (puts sysbox-lite in /usr/local/bin), or set BinaryName to the binary")
		}
	}
	if c.CRIDisabled {
		return warn(name, found, "enable the CRI plugin (remove it from disabled_plugins) to use the runtime from Kubernetes or crictl")
	}
	return ok(name, found+" (containerd reads it at start)")
}
