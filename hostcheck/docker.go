package hostcheck

import (
	"fmt"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/install"
)

// DefaultDockerDataRoot is dockerd's data root when daemon.json sets none.
const DefaultDockerDataRoot = "/var/lib/docker"

// DockerFacts is what the docker probe saw.
type DockerFacts struct {
	Config ConfigFile // daemon.json
	// Dockerd is dockerd's path ("" when not installed).
	Dockerd string
}

// Present reports whether docker is installed (its daemon or its config).
func (f DockerFacts) Present() bool { return f.Dockerd != "" || f.Config.Exists }

// DockerDataRoot returns dockerd's data root and where it comes from; a
// daemon.json that does not parse gives the default (Docker reports it).
func DockerDataRoot(f DockerFacts) (dir, source string) {
	if f.Config.Exists {
		if c, err := install.InspectDockerConfig(f.Config.Data, runtimeName); err == nil && c.DataRoot != "" {
			return c.DataRoot, "data-root in " + f.Config.Path
		}
	}
	return DefaultDockerDataRoot, "default"
}

// runtimeName is the name sysbox-lite-install registers.
var runtimeName = install.DefaultOptions().RuntimeName

// Docker decides whether dockerd knows the runtime. Without docker it only
// warns; with docker, a missing or broken registration is missing.
func Docker(f DockerFacts) Result {
	const name = "docker"
	fix := "run `sysbox-lite-install install` (make install): it adds runtimes." + runtimeName + " to " + f.Config.Path + " and reloads dockerd"
	if f.Config.ReadErr != nil {
		return missing(name, f.Config.ReadErr.Error(), "make "+f.Config.Path+" readable")
	}
	if !f.Present() {
		return warn(name, "not installed (no dockerd, no "+f.Config.Path+")", "none needed unless you want docker run --runtime="+runtimeName+": install docker, then run `sysbox-lite-install install`")
	}
	daemon := "dockerd " + f.Dockerd
	if f.Dockerd == "" {
		daemon = "no dockerd found"
	}
	status := Missing
	if f.Dockerd == "" {
		status = Warn
	}
	if !f.Config.Exists {
		return Result{Name: name, Status: status, Found: daemon + "; " + f.Config.Path + " does not exist: runtime " + runtimeName + " is not registered", Fix: fix}
	}
	c, err := install.InspectDockerConfig(f.Config.Data, runtimeName)
	if err != nil {
		return Result{Name: name, Status: Missing, Found: fmt.Sprintf("%s does not parse: %v", f.Config.Path, err), Fix: "correct " + f.Config.Path + " (dockerd does not start with it either)"}
	}
	if c.Runtime == nil {
		return Result{Name: name, Status: status, Found: daemon + "; " + f.Config.Path + " has no runtimes." + runtimeName, Fix: fix}
	}
	found := fmt.Sprintf("%s; runtimes.%s in %s: path %s", daemon, runtimeName, f.Config.Path, c.Runtime.Path)
	if len(c.Runtime.Args) > 0 {
		found += ", runtimeArgs " + strings.Join(c.Runtime.Args, " ")
	}
	if why := executable(c.Runtime.Path); why != "" {
		return Result{Name: name, Status: Missing, Found: found + ": " + why, Fix: "make install (puts sysbox-lite in /usr/local/bin), or point runtimes." + runtimeName + ".path at the binary"}
	}
	return ok(name, found+" (dockerd reads it at start and on SIGHUP)")
}
