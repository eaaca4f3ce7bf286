// Command sysbox-lite-install registers sysbox-lite with the host's docker
// and containerd (`sudo make install`), or removes it (`sudo make uninstall`).
// All the work is in package install.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/sysbox-lite/sysbox-lite/install"
)

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "sysbox-lite-install: %v\n", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	return &cli.App{
		Name:  "sysbox-lite-install",
		Usage: "register sysbox-lite with docker and containerd, or remove it",
		Description: `install (idempotent):
  - adds a ` + install.SubIDUser + ` entry of 4096*65536 ids to the subuid and subgid files;
  - writes a commented default config.toml into --sysbox-config-dir if there is none;
  - adds the runtime to daemon.json (keeping every other key) and sends SIGHUP
    to a running dockerd that reads that file, so it reloads its runtimes;
  - adds the CRI runtime to containerd's config.toml in a marked block
    (config version 1, 2, 3 or 4; for containerd 1.x the block also keeps
    the default runc runtime defined); containerd must be restarted to see it.
uninstall removes the runtime from daemon.json (and signals dockerd) and the
marked block from containerd's config.toml. The subuid/subgid entries and the
config file stay unless --purge is given (refused while containers still hold
id ranges).`,
		HideVersion:     true,
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("unknown command %q: want install or uninstall", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			{
				Name:   "install",
				Usage:  "register sysbox-lite (idempotent)",
				Flags:  flags(),
				Action: run(install.Install),
			},
			{
				Name:  "uninstall",
				Usage: "unregister sysbox-lite (keeps the subuid/subgid entries and the config unless --purge)",
				Flags: append(flags(), &cli.BoolFlag{
					Name:  "purge",
					Usage: "also remove the subuid/subgid entries and the config file",
				}),
				Action: run(install.Uninstall),
			},
		},
	}
}

// run calls fn with the options the flags give.
func run(fn func(install.Options) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.NArg() > 0 {
			return fmt.Errorf("%s: unexpected argument %q", c.Command.Name, c.Args().First())
		}
		return fn(options(c))
	}
}

func flags() []cli.Flag {
	d := install.DefaultOptions()
	return []cli.Flag{
		&cli.StringFlag{Name: "bin-dir", Value: d.BinDir, Usage: "directory that holds the sysbox-lite binary"},
		&cli.StringFlag{Name: "subuid", Value: d.SubUIDFile, Usage: "subordinate uid file"},
		&cli.StringFlag{Name: "subgid", Value: d.SubGIDFile, Usage: "subordinate gid file"},
		&cli.StringFlag{Name: "docker-config", Value: d.DockerConfig, Usage: "dockerd's configuration file"},
		&cli.StringFlag{Name: "containerd-config", Value: d.ContainerdConfig, Usage: "containerd's configuration file"},
		&cli.StringFlag{Name: "sysbox-config-dir", Value: d.ConfigDir, Usage: "directory of sysbox-lite's config.toml"},
		&cli.StringFlag{Name: "dockerd-pidfile", Value: d.DockerdPidfile, Usage: "dockerd's pid file (running dockerds are also found in /proc)"},
		&cli.StringFlag{Name: "runtime-name", Value: d.RuntimeName, Usage: "name of the runtime in docker and containerd"},
		&cli.StringFlag{Name: "containerd-shim", Value: d.ContainerdShim, Usage: "shim of containerd's CRI runtime: " + install.ShimRunc + " (containerd's runc shim, BinaryName = the sysbox-lite binary) or " + install.ShimSysboxLite + " (runtime_type " + install.ShimRuntimeType + ": " + install.ShimBinaryName + " from --bin-dir, which containerd must find on its PATH)"},
	}
}

func options(c *cli.Context) install.Options {
	o := install.DefaultOptions()
	o.BinDir = c.String("bin-dir")
	o.SubUIDFile = c.String("subuid")
	o.SubGIDFile = c.String("subgid")
	o.DockerConfig = c.String("docker-config")
	o.ContainerdConfig = c.String("containerd-config")
	o.ConfigDir = c.String("sysbox-config-dir")
	o.DockerdPidfile = c.String("dockerd-pidfile")
	o.RuntimeName = c.String("runtime-name")
	o.ContainerdShim = c.String("containerd-shim")
	o.Purge = c.Bool("purge")
	return o
}
