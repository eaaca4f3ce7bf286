package hostcheck

import (
	"os"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/install"
)

// Options are the inputs of Run.
type Options struct {
	// ConfigPath is sysbox-lite's config file; Explicit when the caller
	// chose it (then it must exist).
	ConfigPath string
	Explicit   bool
	// DockerConfig and ContainerdConfig are the daemons' config files.
	DockerConfig, ContainerdConfig string
}

// DefaultOptions are the host's real paths.
func DefaultOptions() Options {
	d := install.DefaultOptions()
	return Options{ConfigPath: config.DefaultPath, DockerConfig: d.DockerConfig, ContainerdConfig: d.ContainerdConfig}
}

// Host's fixed paths.
const (
	procDir      = "/proc"
	fuseDevice   = "/dev/fuse"
	seccompAvail = "/proc/sys/kernel/seccomp/actions_avail"
	maxUserNS    = "/proc/sys/user/max_user_namespaces"
)

// Run runs every check on this host.
func Run(o Options) Report {
	var r Report
	root := os.Geteuid() == 0
	r.Add(Root(os.Geteuid()))
	cfg, res := LoadConfig(o.ConfigPath, o.Explicit)
	r.Add(res)

	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		r.Add(warn("kernel", "uname: "+err.Error(), "check the kernel is 5.19 or later"))
	} else {
		r.Add(Kernel(unix.ByteSliceToString(uts.Release[:])))
	}

	var ns *os.File
	if root {
		var err error
		ns, err = openProbeNamespace()
		limit, _ := os.ReadFile(maxUserNS)
		r.Add(UserNamespaces(err, string(limit)))
		if ns != nil {
			defer ns.Close()
		}
	} else {
		r.Add(needsRoot("user namespaces"))
	}

	docker := DockerFacts{Config: ReadConfigFile(o.DockerConfig), Dockerd: FindBinary("dockerd")}
	containerd := ContainerdFacts{Config: ReadConfigFile(o.ContainerdConfig), Containerd: FindBinary("containerd"), Shim: FindBinary(install.ShimBinaryName)}
	r.Add(locationChecks(cfg, o.ConfigPath, docker, containerd, ns, root)...)

	r.Add(SeccompNotify(ProbeSeccomp(seccompAvail)))
	if root {
		r.Add(Fuse(ProbeFuse(fuseDevice, procDir+"/filesystems")))
	} else {
		r.Add(needsRoot("fuse"))
	}
	if f, err := ProbeCgroups(procDir + "/self/mountinfo"); err != nil {
		r.Add(missing("cgroup", err.Error(), "mount /proc"))
	} else {
		r.Add(Cgroup(f), CgroupDelegation(f))
	}
	r.Add(StateDirAccess(cfg.StateDir))
	r.Add(SubIDPool(cfg.IDPool))
	r.Add(Engine(ProbeEngine(cfg.Engine), o.ConfigPath))
	r.Add(Docker(docker), Containerd(containerd))
	return r
}

// target is one location to probe, and whether it is required.
type target struct {
	loc      Location
	err      error
	required bool
}

// locationChecks are the idmap and overlay lines of the state dir and of
// the data roots of the engines that are installed.
func locationChecks(cfg config.Config, configPath string, docker DockerFacts, containerd ContainerdFacts, ns *os.File, root bool) []Result {
	mounts, _ := mountinfo.GetMounts(nil)
	var targets []target
	add := func(label, dir, source, setting string, required bool) {
		l, err := ResolveLocation(label, dir, source, setting, mounts)
		targets = append(targets, target{l, err, required})
	}
	source := "default"
	if cfg.StateDir != config.Default().StateDir {
		source = "from " + configPath
	}
	add("state_dir", cfg.StateDir, source, "state_dir in "+configPath, true)
	if docker.Present() {
		dir, src := DockerDataRoot(docker)
		add("docker data-root", dir, src, "data-root in "+docker.Config.Path, docker.Dockerd != "")
	}
	if containerd.Present() {
		dir, src := ContainerdRoot(containerd)
		add("containerd root", dir, src, "root in "+containerd.Config.Path, containerd.Containerd != "")
	}
	var idmaps, overlays []Result
	for _, t := range targets {
		idName, ovName := "idmap "+t.loc.Label, "overlay "+t.loc.Label
		switch {
		case !root:
			idmaps, overlays = append(idmaps, needsRoot(idName)), append(overlays, needsRoot(ovName))
		case t.err != nil:
			r := Result{Name: idName, Status: Missing, Found: t.err.Error(), Fix: "set " + t.loc.Setting + " to a directory"}
			if !t.required {
				r.Status = Warn
			}
			idmaps = append(idmaps, r)
			r.Name = ovName
			overlays = append(overlays, r)
		case ns == nil:
			r := Result{Name: idName, Status: Missing, Found: t.loc.Describe() + ": not probed: no user namespace to map with", Fix: "see the user namespaces line"}
			idmaps = append(idmaps, r)
			r.Name = ovName
			overlays = append(overlays, r)
		default:
			idmaps = append(idmaps, Idmap(t.loc, ProbeIdmap(t.loc, ns), t.required))
			found, err := ProbeOverlay(t.loc)
			overlays = append(overlays, Overlay(t.loc, found, err, t.required))
		}
	}
	return append(idmaps, overlays...)
}
