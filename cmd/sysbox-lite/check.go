package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/hostcheck"
)

// checkCommand is `sysbox-lite check`: whether this host can run
// sysbox-lite, and what to do if not (package hostcheck).
func checkCommand() *cli.Command {
	d := hostcheck.DefaultOptions()
	return &cli.Command{
		Name:      "check",
		Usage:     "tell whether this host can run sysbox-lite, and what to fix if not",
		UsageText: "sysbox-lite [--sysbox-config FILE] check [--json] [--docker-config FILE] [--containerd-config FILE]",
		Description: `Probes what sysbox-lite needs, one line per check: "ok", "warn" (optional,
or not confirmed) or "missing" (required), with what was found and, when
not ok, how to fix it. The exit status is 1 when anything required is
missing, 0 otherwise.

   root               running as root (most probes need it)
   config             the sysbox-lite config loads (--sysbox-config, $` + config.EnvPath + `, ` + config.DefaultPath + `)
   kernel             5.19 or later (overlayfs with idmapped layers)
   user namespaces    one is created with a 65536-ID mapping, as create does
   idmap LOCATION     open_tree + mount_setattr(MOUNT_ATTR_IDMAP) on the file system
                      of state_dir, docker's data-root and containerd's root
                      (a detached copy, never attached)
   overlay LOCATION   an overlay over idmapped layers in a temporary directory there,
                      mounted as the container's root in a private mount namespace;
                      a file it writes must be uid 0 on disk
   seccomp notify     a child's SCMP_ACT_NOTIFY filter is received and answered
   fuse               /dev/fuse opens and the kernel has fuse (the emulated /proc files)
   cgroup             v2 unified, v1 hybrid or v1
   cgroup delegation  v2: controllers in the root's cgroup.subtree_control;
                      v1: the hierarchies mounted
   state_dir access   state_dir and its parents are traversable (o+x)
   subid pool         idpool.subid_user in the subuid and subgid files, at least one range
   engine             found, its --version, and its features (user namespaces,
                      SCMP_ACT_NOTIFY)
   docker             runtimes.sysbox-lite in daemon.json (warn when docker is absent)
   containerd         the sysbox-lite CRI runtime in config.toml (warn when absent)

Nothing on the host is changed: the temporary directories are removed and
no mount is left.`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the results as one JSON document"},
			&cli.StringFlag{Name: "docker-config", Value: d.DockerConfig, Usage: "dockerd's configuration file"},
			&cli.StringFlag{Name: "containerd-config", Value: d.ContainerdConfig, Usage: "containerd's configuration file"},
		},
		Action: runCheck,
	}
}

func runCheck(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("check: unexpected argument %q", c.Args().First())
	}
	o := hostcheck.DefaultOptions()
	if p := os.Getenv(config.EnvPath); p != "" {
		o.ConfigPath, o.Explicit = p, true
	}
	if p := c.String("sysbox-config"); p != "" {
		o.ConfigPath, o.Explicit = p, true
	}
	o.DockerConfig = c.String("docker-config")
	o.ContainerdConfig = c.String("containerd-config")
	report := hostcheck.Run(o)
	var err error
	if c.Bool("json") {
		err = report.WriteJSON(os.Stdout)
	} else {
		err = report.WriteText(os.Stdout)
	}
	if err != nil {
		return err
	}
	if !report.OK() {
		os.Exit(1)
	}
	return nil
}
