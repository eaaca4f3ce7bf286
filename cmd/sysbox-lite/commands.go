package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/sysbox-lite/sysbox-lite/cgroups"
	"github.com/sysbox-lite/sysbox-lite/fsemu"
	"github.com/sysbox-lite/sysbox-lite/internal/nsenter"
	"github.com/sysbox-lite/sysbox-lite/runtime"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
)

// passThrough lists the engine commands sysbox-lite hands over unchanged.
var passThrough = []struct{ name, usage string }{
	{"start", "executes the user defined process in a created container"},
	{"exec", "execute new process inside the container"},
	{"kill", "kill sends the specified signal (default: SIGTERM) to the container's init process"},
	{"state", "output the state of a container"},
	{"list", "lists containers started by the engine with the given root"},
	{"ps", "ps displays the processes running inside a container"},
	{"pause", "pause suspends all processes inside the container"},
	{"resume", "resumes all processes that have been previously paused"},
	{"update", "update container resource constraints"},
	{"events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics"},
	{"spec", "create a new specification file"},
}

func commands() []*cli.Command {
	cmds := []*cli.Command{
		withUsage(command("create", "create a container in its own user namespace (rewrites the bundle)", runCode((*runtime.Runtime).Create)),
			"sysbox-lite [global options] create [--bundle DIR] [--console-socket PATH] [--pid-file PATH] [--no-pivot] [--no-new-keyring] [--preserve-fds N] <container-id>"),
		withUsage(command("run", "create and run a container in its own user namespace", runCode((*runtime.Runtime).Create)),
			"sysbox-lite [global options] run [--bundle DIR] [--console-socket PATH] [--pid-file PATH] [--detach] [--keep] [--no-subreaper] [--no-pivot] [--no-new-keyring] [--preserve-fds N] <container-id>"),
		withUsage(command("delete", "delete the container and undo what create set up", runCode((*runtime.Runtime).Delete)),
			"sysbox-lite [global options] delete [--force] <container-id>"),
		command("features", "show the enabled features (the engine's, adjusted to sysbox-lite)", features),
		command("checkpoint", "not supported by sysbox-lite", unsupported),
		command("restore", "not supported by sysbox-lite", unsupported),
		command("gc", "clean up after containers the engine no longer has (a crash, a lost delete)", gc),
		checkCommand(),
		command("reload", "serve running containers with the binary now installed (after an upgrade; make install runs it)", restartSupervisors),
		hidden(command(runtime.KeeperCommand, "hold a container's seccomp and listener fds, and restart its supervisor (started by create)", supervise(runtime.RunKeeper))),
		hidden(command(runtime.WorkerCommand, "serve a container's trapped calls and emulated files (started by its keeper)", supervise(runtime.RunWorker))),
		hidden(command(seccomp.HelperCommand, "perform one trapped mount call inside a container (started by the supervisor)", mountHelper)),
		hidden(command(cgroups.HookCommand, "delegate a container's cgroups to its root (its createRuntime hook)", cgroupHook)),
		hidden(command(fsemu.HookCommand, "bind emulated /proc files in a container being created (its createContainer hook)", fsemuHook)),
	}
	for _, p := range passThrough {
		cmds = append(cmds, command(p.name, p.usage+" (passed to the engine)", execEngine))
	}
	return cmds
}

func command(name, usage string, action cli.ActionFunc) *cli.Command {
	return &cli.Command{
		Name:            name,
		Usage:           usage,
		SkipFlagParsing: true, // the engine's flags travel untouched
		Action: func(c *cli.Context) error {
			if a := c.Args().First(); (a == "--help" || a == "-h") && !isPassThrough(name) {
				return cli.ShowCommandHelp(c.Lineage()[1], name)
			}
			return action(c)
		},
	}
}

func hidden(c *cli.Command) *cli.Command {
	c.Hidden = true
	return c
}

func supervise(run func(dir string) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().Len() != 1 {
			return fmt.Errorf("%s needs the container's state directory", c.Command.Name)
		}
		return run(c.Args().First())
	}
}

// mountHelper runs inside a container's namespaces and root: it must not
// read anything of the host's by path (the config file would be the
// container's).
func mountHelper(*cli.Context) error {
	return seccomp.RunHelper(os.Stdin, os.Stdout, nsenter.HostProc(), nsenter.ProcfsContext())
}

// fsemuHook runs inside a container's namespaces, before its root is
// pivoted to: FUSEDIR ROOTFS ENTRY... (see fsemu.RunHook).
func fsemuHook(c *cli.Context) error {
	if c.Args().Len() < 2 {
		return fmt.Errorf("%s needs the FUSE mount and the container's root", fsemu.HookCommand)
	}
	args := c.Args().Slice()
	return fsemu.RunHook(os.Stdin, args[0], args[1], args[2:])
}

// cgroupHook runs on the host while the engine creates a container: UID GID
// (see cgroups.RunHook).
func cgroupHook(c *cli.Context) error {
	if c.Args().Len() != 2 {
		return fmt.Errorf("%s needs the host uid and gid of the container's root", cgroups.HookCommand)
	}
	uid, err := strconv.ParseUint(c.Args().Get(0), 10, 32)
	if err != nil {
		return fmt.Errorf("%s: uid: %w", cgroups.HookCommand, err)
	}
	gid, err := strconv.ParseUint(c.Args().Get(1), 10, 32)
	if err != nil {
		return fmt.Errorf("%s: gid: %w", cgroups.HookCommand, err)
	}
	return cgroups.RunHook(os.Stdin, int(uid), int(gid))
}

func withUsage(c *cli.Command, usage string) *cli.Command {
	c.UsageText = usage + "\n\n   The options are the engine's (runc's); they are passed to it unchanged."
	return c
}

func isPassThrough(name string) bool {
	for _, p := range passThrough {
		if p.name == name {
			return true
		}
	}
	return false
}

func runCode(fn func(*runtime.Runtime) (int, error)) cli.ActionFunc {
	return func(*cli.Context) error {
		rt, err := loadRuntime()
		if err != nil {
			return err
		}
		code, err := fn(rt)
		if err != nil {
			return err
		}
		os.Exit(code)
		return nil
	}
}

func execEngine(*cli.Context) error {
	rt, err := loadRuntime()
	if err != nil {
		return err
	}
	if rt.Argv.Command == "exec" {
		return rt.Exec() // the engine may have to enter a pod's network namespace first
	}
	return rt.Engine.Exec(rt.Argv.EngineArgs())
}

func features(*cli.Context) error {
	rt, err := loadRuntime()
	if err != nil {
		return err
	}
	out, err := rt.Features(version)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

func unsupported(c *cli.Context) error {
	return fmt.Errorf("%s is not supported: a container in its own user namespace with host-assembled mounts cannot be checkpointed with CRIU", c.Command.Name)
}

func restartSupervisors(*cli.Context) error {
	rt, err := loadRuntime()
	if err != nil {
		return err
	}
	lines, err := rt.RestartSupervisors()
	for _, l := range lines {
		fmt.Println(l)
	}
	return err
}

func gc(*cli.Context) error {
	rt, err := loadRuntime()
	if err != nil {
		return err
	}
	cleaned, err := rt.GC()
	for _, k := range cleaned {
		fmt.Println("cleaned", k)
	}
	return err
}
