// Command sysbox-lite is a runc-compatible OCI runtime that runs every
// container in its own user namespace with an exclusive ID range, on a root
// assembled and locked on the host, and hands the rest to the engine (runc).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/runtime"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	app := newApp()
	if err := app.Run(os.Args); err != nil {
		fatal(err)
	}
}

func newApp() *cli.App {
	app := cli.NewApp()
	app.Name = "sysbox-lite"
	app.Usage = "a runc-compatible OCI runtime that confines every container in its own user namespace"
	app.Description = `sysbox-lite wraps an OCI engine (runc by default). For create and run it
gives the container a user namespace with an exclusive range of 65536 host
IDs, assembles its root on the host (idmapped overlay layers, idmapped bind
mounts that the kernel then locks), rewrites the bundle, and runs the engine
with the caller's arguments. delete undoes all of it. Every other command is
passed to the engine unchanged.

Host configuration: ` + config.DefaultPath + ` (or --sysbox-config, or $` + config.EnvPath + `).`
	app.Version = version
	app.HideVersion = false
	cli.VersionPrinter = printVersion
	app.Flags = globalFlags()
	app.Commands = commands()
	app.Before = setupLogging
	app.ExitErrHandler = func(*cli.Context, error) {} // errors go through fatal
	return app
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "debug", Usage: "enable debug logging"},
		&cli.StringFlag{Name: "log", Usage: "set the log file to write sysbox-lite's and the engine's logs to (default: stderr)"},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "set the log format ('text' or 'json')"},
		&cli.StringFlag{Name: "root", Usage: "root directory for the engine's container state (default: the engine's own, /run/runc for runc)"},
		&cli.StringFlag{Name: "criu", Usage: "path to the criu binary (passed to the engine; checkpoint is not supported)"},
		&cli.BoolFlag{Name: "systemd-cgroup", Usage: "use systemd cgroup management (passed to the engine)"},
		&cli.StringFlag{Name: "rootless", Value: "auto", Usage: "ignore cgroup permission errors ('true', 'false', or 'auto'; passed to the engine)"},
		&cli.StringFlag{Name: "sysbox-config", Usage: "path of sysbox-lite's host configuration (default: " + config.DefaultPath + ")"},
	}
}

func setupLogging(c *cli.Context) error {
	log := logrus.StandardLogger()
	if c.Bool("debug") {
		log.SetLevel(logrus.DebugLevel)
	} else {
		log.SetLevel(logrus.InfoLevel)
	}
	switch f := c.String("log-format"); f {
	case "text", "":
		log.SetFormatter(&logrus.TextFormatter{DisableColors: true})
	case "json":
		log.SetFormatter(&logrus.JSONFormatter{})
	default:
		return fmt.Errorf("invalid log-format %q: use text or json", f)
	}
	if path := c.String("log"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		log.SetOutput(f)
		logToFile = true
	} else {
		log.SetOutput(io.Discard) // stderr gets the fatal error only, as with runc
	}
	return nil
}

// logToFile records whether logrus writes to a file (set once in Before).
var logToFile bool

// fatal reports err the way runc does: an error line in the log (the last
// error line is what containerd shows as "OCI runtime ... failed: <msg>")
// and the message on stderr, then exits 1.
func fatal(err error) {
	msg := err.Error()
	if !strings.HasPrefix(msg, "sysbox-lite: ") {
		msg = "sysbox-lite: " + msg
	}
	logrus.Error(msg)
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

// loadRuntime builds the Runtime from the raw command line.
func loadRuntime() (*runtime.Runtime, error) {
	argv, err := runtime.ParseArgv(os.Args[1:])
	if err != nil {
		return nil, err
	}
	path, explicit := config.DefaultPath, false
	if p := os.Getenv(config.EnvPath); p != "" {
		path, explicit = p, true
	}
	if p := argv.Own["sysbox-config"]; p != "" {
		path, explicit = p, true
	}
	cfg, err := config.Load(path, explicit)
	if err != nil {
		return nil, err
	}
	return runtime.New(cfg, argv, logrus.StandardLogger())
}
