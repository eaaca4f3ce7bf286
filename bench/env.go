package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Images used by the measures (all imported into the private daemon).
const (
	imageBusybox = "sbl-bench/busybox" // hack/load-image.sh: the busybox rootfs
	imageProbe   = "sbl-bench/probe"   // the same with the probe in /usr/local/bin
	benchLabel   = "io.sysbox-lite.bench"
)

// Runtime is one side of every comparison.
type Runtime struct {
	Name string // as reported
}

// runtimes are compared in this order (runc first: it is the reference).
var runtimes = []Runtime{{Name: "runc"}, {Name: "sysbox-lite"}}

// Env is one private dockerd with sysbox-lite registered, and everything
// else a measure needs. All of it lives under Tmp.
type Env struct {
	Repo       string // module root (hack/ is there)
	Tmp        string // everything of this run lives below
	DaemonDir  string // hack/private-daemon.sh DIR
	StateDir   string // sysbox-lite's state_dir
	ConfigPath string // sysbox-lite's --sysbox-config
	Bin        string // the sysbox-lite binary (absolute)
	Runc       string // the runc binary (absolute)
	Probe      string // the static probe binary on the host
	DockerHost string
	dockerCfg  string
	logw       io.Writer

	mu       sync.Mutex
	cleanups []func() // LIFO, run by Teardown before the daemon stops
}

// NewEnv creates the working directory, writes sysbox-lite's configuration
// (its ID pool, state and audit log also live there: /etc is not touched),
// builds the probe, starts the private daemon pair and loads the images. It
// returns the Env as soon as there is something to tear down, even with an
// error.
func NewEnv(ctx context.Context, o Options, logw io.Writer) (*Env, error) {
	repo, err := filepath.Abs(o.Repo)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(repo, "hack", "private-daemon.sh")); err != nil {
		return nil, fmt.Errorf("%s is not the sysbox-lite repository (no hack/private-daemon.sh): run from the module root or pass -repo", repo)
	}
	bin, err := filepath.Abs(o.Bin)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		return nil, fmt.Errorf("sysbox-lite binary %s missing: run make build", bin)
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		return nil, fmt.Errorf("runc not found: run hack/install-deps.sh")
	}
	tmp, err := os.MkdirTemp("/tmp", "sbl-bench.")
	if err != nil {
		return nil, err
	}
	e := &Env{
		Repo:       repo,
		Tmp:        tmp,
		DaemonDir:  filepath.Join(tmp, "d"),
		StateDir:   filepath.Join(tmp, "state"),
		ConfigPath: filepath.Join(tmp, "config.toml"),
		Bin:        bin,
		Runc:       runc,
		Probe:      filepath.Join(tmp, "probe", "probe"),
		dockerCfg:  filepath.Join(tmp, "docker-config"),
		logw:       logw,
	}
	e.DockerHost = "unix://" + filepath.Join(e.DaemonDir, "docker.sock")
	// remapped container roots must traverse it (sysbox-lite's state, bundles)
	if err := os.Chmod(tmp, 0o711); err != nil {
		return e, err
	}
	for _, d := range []string{filepath.Dir(e.Probe), e.dockerCfg} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return e, err
		}
	}
	if err := e.writeConfig(); err != nil {
		return e, err
	}
	e.Logf("building the probe")
	if out, err := e.run(ctx, []string{"go", "build", "-o", e.Probe, "./integration/probe"}, "CGO_ENABLED=0", "GOFLAGS=-mod=mod"); err != nil {
		return e, fmt.Errorf("go build ./integration/probe: %w\n%s", err, out)
	}
	e.Logf("starting a private dockerd (network off) in %s", e.DaemonDir)
	if out, err := e.Hack(ctx, "private-daemon.sh", "start", e.DaemonDir, filepath.Join(tmp, "daemon.json")); err != nil {
		return e, fmt.Errorf("start the private daemons: %w\n%s", err, out)
	}
	e.Logf("importing %s and %s", imageBusybox, imageProbe)
	if out, err := e.Hack(ctx, "load-image.sh", imageBusybox); err != nil {
		return e, fmt.Errorf("load %s: %w\n%s", imageBusybox, err, out)
	}
	if out, err := e.Hack(ctx, "load-image.sh", imageProbe, filepath.Dir(e.Probe)); err != nil {
		return e, fmt.Errorf("load %s: %w\n%s", imageProbe, err, out)
	}
	return e, nil
}

// writeConfig writes sysbox-lite's configuration, its subordinate ID files
// and the daemon.json that registers it.
func (e *Env) writeConfig() error {
	subid := "sysbox-lite:1048576:268435456\n"
	cfg := e.sysboxConfig("")
	daemon, err := json.Marshal(map[string]any{
		"runtimes": map[string]any{
			"sysbox-lite": map[string]any{"path": e.Bin, "runtimeArgs": []string{"--sysbox-config", e.ConfigPath}},
		},
	})
	if err != nil {
		return err
	}
	for name, content := range map[string]string{
		"subuid": subid, "subgid": subid, "config.toml": cfg, "daemon.json": string(daemon),
	} {
		if err := os.WriteFile(filepath.Join(e.Tmp, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// sysboxConfig is the content of a sysbox-lite config file for this run;
// engine, when not empty, replaces runc as the engine.
func (e *Env) sysboxConfig(engine string) string {
	cfg := ""
	if engine != "" {
		cfg = fmt.Sprintf("engine = %q\n", engine)
	}
	return cfg + fmt.Sprintf("state_dir = %q\n\n[idpool]\nfile = %q\nsubuid_file = %q\nsubgid_file = %q\n\n[policy]\naudit_log = %q\n",
		e.StateDir, filepath.Join(e.Tmp, "idranges.json"), filepath.Join(e.Tmp, "subuid"),
		filepath.Join(e.Tmp, "subgid"), filepath.Join(e.Tmp, "audit.log"))
}

// Logf prints a progress line on the log writer (stderr).
func (e *Env) Logf(format string, args ...any) {
	fmt.Fprintf(e.logw, "bench: "+format+"\n", args...)
}

// OnTeardown registers f to run at teardown, before the daemons stop.
func (e *Env) OnTeardown(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cleanups = append(e.cleanups, f)
}

// run runs argv (in the repository, with the docker client pointed at the
// private daemon and extra environment) and returns its combined output.
func (e *Env) run(ctx context.Context, argv []string, extraEnv ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = e.Repo
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+e.DockerHost, "DOCKER_CONFIG="+e.dockerCfg)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// Hack runs a script of hack/.
func (e *Env) Hack(ctx context.Context, script string, args ...string) ([]byte, error) {
	return e.run(ctx, append([]string{filepath.Join(e.Repo, "hack", script)}, args...))
}

// Docker runs the docker client against the private daemon, with a timeout.
func (e *Env) Docker(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := e.run(ctx, append([]string{"docker"}, args...))
	if err != nil {
		return out, fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return out, nil
}

// Command runs a binary (runc, sysbox-lite) with a timeout; the output is
// returned, and put into the error when it fails.
func (e *Env) Command(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// The output goes to a file, not a pipe: `create` leaves the
	// container's init holding the stdio it inherited, and a pipe would
	// stay open (and the command unfinished) until the container exits.
	f, err := os.CreateTemp(e.Tmp, ".cmd-output.")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = e.Tmp
	cmd.Stdout, cmd.Stderr = f, f
	runErr := cmd.Run()
	out, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, err
	}
	if runErr != nil {
		return out, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), runErr, bytes.TrimSpace(out))
	}
	return out, nil
}

// Teardown removes every container of the private daemon, runs the
// registered cleanups, stops the daemons, unmounts whatever is left under
// Tmp (sysbox-lite's state_dir is bind-mounted onto itself) and removes
// Tmp. It is safe to call on a half-built Env.
func (e *Env) Teardown() error {
	if e == nil || e.Tmp == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var errs []error
	if _, err := os.Stat(filepath.Join(e.DaemonDir, "docker.sock")); err == nil {
		if out, err := e.Docker(ctx, "ps", "-aq"); err == nil && len(bytes.TrimSpace(out)) > 0 {
			ids := strings.Fields(string(out))
			e.Logf("teardown: removing %d leftover containers", len(ids))
			if _, err := e.Docker(ctx, append([]string{"rm", "-f"}, ids...)...); err != nil {
				errs = append(errs, err)
			}
		}
	}
	e.mu.Lock()
	cleanups := e.cleanups
	e.cleanups = nil
	e.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	if _, err := os.Stat(e.DaemonDir); err == nil {
		if out, err := e.Hack(ctx, "private-daemon.sh", "stop", e.DaemonDir); err != nil {
			errs = append(errs, fmt.Errorf("stop the private daemons: %w\n%s", err, out))
		}
	}
	if err := unmountUnder(e.Tmp); err != nil {
		errs = append(errs, fmt.Errorf("%w (keeping %s)", err, e.Tmp))
		return errors.Join(errs...)
	}
	if err := os.RemoveAll(e.Tmp); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
