package install

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// dockerdDefaultConfig is the daemon.json a rootful dockerd reads when it
// is not given --config-file.
const dockerdDefaultConfig = "/etc/docker/daemon.json"

// findDockerds returns the pids of the running dockerds that read
// configPath: the one in pidfile and any other process named dockerd. A
// dockerd whose configuration file is known to be another file (a private
// daemon, one in a container) is left out; one whose configuration file
// cannot be determined is only kept if the pidfile names it.
func findDockerds(procDir, pidfile, configPath string) []int {
	var pids []int
	fromPidfile := readPidfile(pidfile)
	candidates := scanDockerds(procDir)
	if fromPidfile > 0 && !slices.Contains(candidates, fromPidfile) && isDockerd(procDir, fromPidfile) {
		candidates = append(candidates, fromPidfile)
	}
	slices.Sort(candidates)
	for _, pid := range candidates {
		same, known := readsConfig(procDir, pid, configPath)
		if same || (!known && pid == fromPidfile) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// readPidfile returns the pid in path, or 0.
func readPidfile(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// scanDockerds returns the pids in procDir whose command name is dockerd.
func scanDockerds(procDir string) []int {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		if isDockerd(procDir, pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func isDockerd(procDir string, pid int) bool {
	comm, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "comm"))
	return err == nil && strings.TrimSpace(string(comm)) == "dockerd"
}

// readsConfig reports whether dockerd pid reads configPath (same), and
// whether that could be determined at all (known). The daemon's
// --config-file is resolved in its own root and working directory, so a
// dockerd in a container is not mistaken for the host's.
func readsConfig(procDir string, pid int, configPath string) (same, known bool) {
	dir := filepath.Join(procDir, strconv.Itoa(pid))
	cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return false, false
	}
	cfg := dockerdConfigFlag(cmdline)
	var theirs string
	if filepath.IsAbs(cfg) {
		theirs = filepath.Join(dir, "root", cfg)
	} else {
		theirs = filepath.Join(dir, "cwd", cfg)
	}
	ours, err := os.Stat(configPath)
	if err != nil {
		return false, false
	}
	fi, err := os.Stat(theirs)
	if errors.Is(err, fs.ErrNotExist) {
		return false, true
	}
	if err != nil {
		return false, false
	}
	return os.SameFile(ours, fi), true
}

// dockerdConfigFlag returns the --config-file of a NUL-separated command
// line, or dockerd's default.
func dockerdConfigFlag(cmdline []byte) string {
	args := strings.Split(string(bytes.TrimRight(cmdline, "\x00")), "\x00")
	cfg := dockerdDefaultConfig
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--config-file="); ok {
			cfg = v
		} else if a == "--config-file" && i+1 < len(args) {
			cfg = args[i+1]
			i++
		}
	}
	return cfg
}

// reloadDockerd sends SIGHUP to every dockerd that reads opts.DockerConfig,
// which makes it reload its runtimes.
func reloadDockerd(opts Options) error {
	pids := findDockerds(opts.ProcDir, opts.DockerdPidfile, opts.DockerConfig)
	if len(pids) == 0 {
		opts.say("docker: no running dockerd reads %s; it picks the change up when it starts", opts.DockerConfig)
		return nil
	}
	var errs []error
	for _, pid := range pids {
		if err := opts.Kill(pid, syscall.SIGHUP); err != nil {
			errs = append(errs, fmt.Errorf("signal dockerd (pid %d) to reload %s: %w", pid, opts.DockerConfig, err))
			continue
		}
		opts.say("docker: sent SIGHUP to dockerd (pid %d) to reload its runtimes", pid)
	}
	return errors.Join(errs...)
}
