package install

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// SubIDUser is the subuid/subgid entry that holds sysbox-lite's ID pool
// (config's default idpool.subid_user).
const SubIDUser = "sysbox-lite"

// SubIDCount is the size of the pool install adds: 4096 ranges of 65536 IDs.
const SubIDCount = 4096 * 65536

// BinaryName is the file name of the runtime in BinDir.
const BinaryName = "sysbox-lite"

// ShimBinaryName is the file name of containerd-shim-sysbox-lite-v2 in
// BinDir (`make install` puts it next to sysbox-lite).
const ShimBinaryName = "containerd-shim-sysbox-lite-v2"

// The values of Options.ContainerdShim.
const (
	// ShimRunc registers containerd's runc shim with sysbox-lite as its
	// BinaryName (needs nothing on containerd's PATH).
	ShimRunc = "runc"
	// ShimSysboxLite registers runtime_type io.containerd.sysbox-lite.v2
	// (containerd finds the shim binary on its PATH).
	ShimSysboxLite = "sysbox-lite"
)

// Options says where everything lives. DefaultOptions fills in the real
// host's paths; tests point every path at a temporary directory.
type Options struct {
	// BinDir holds the sysbox-lite binary (already copied there).
	BinDir string
	// SubUIDFile and SubGIDFile are /etc/subuid and /etc/subgid.
	SubUIDFile string
	SubGIDFile string
	// DockerConfig is dockerd's daemon.json.
	DockerConfig string
	// ContainerdConfig is containerd's config.toml.
	ContainerdConfig string
	// ConfigDir holds sysbox-lite's config.toml.
	ConfigDir string
	// DockerdPidfile is where dockerd records its pid.
	DockerdPidfile string
	// RuntimeName is the name docker and containerd know the runtime by.
	RuntimeName string
	// ContainerdShim is the shim of containerd's CRI runtime: ShimRunc or
	// ShimSysboxLite.
	ContainerdShim string
	// Purge makes Uninstall also remove the subuid/subgid entries and the
	// config file.
	Purge bool

	// Out receives one line per thing done or left alone.
	Out io.Writer
	// ProcDir is the proc file system, searched for running dockerds.
	ProcDir string
	// Kill sends a signal to a process.
	Kill func(pid int, sig syscall.Signal) error
}

// DefaultOptions returns the options for the real host.
func DefaultOptions() Options {
	return Options{
		BinDir:           "/usr/local/bin",
		SubUIDFile:       "/etc/subuid",
		SubGIDFile:       "/etc/subgid",
		DockerConfig:     "/etc/docker/daemon.json",
		ContainerdConfig: "/etc/containerd/config.toml",
		ConfigDir:        "/etc/sysbox-lite",
		DockerdPidfile:   "/var/run/docker.pid",
		RuntimeName:      "sysbox-lite",
		ContainerdShim:   ShimRunc,
		Out:              os.Stdout,
		ProcDir:          "/proc",
		Kill:             kill,
	}
}

// Validate checks the options before anything is touched.
func (o Options) Validate() error {
	paths := []struct{ flag, value string }{
		{"bin-dir", o.BinDir},
		{"subuid", o.SubUIDFile},
		{"subgid", o.SubGIDFile},
		{"docker-config", o.DockerConfig},
		{"containerd-config", o.ContainerdConfig},
		{"sysbox-config-dir", o.ConfigDir},
	}
	for _, p := range paths {
		if !filepath.IsAbs(p.value) {
			return fmt.Errorf("--%s %q must be an absolute path", p.flag, p.value)
		}
		if strings.ContainsFunc(p.value, isControl) {
			return fmt.Errorf("--%s %q contains a control character", p.flag, p.value)
		}
	}
	if !validRuntimeName(o.RuntimeName) {
		return fmt.Errorf("--runtime-name %q must be letters, digits, '-' and '_'", o.RuntimeName)
	}
	if o.ContainerdShim != ShimRunc && o.ContainerdShim != ShimSysboxLite {
		return fmt.Errorf("--containerd-shim %q must be %s or %s", o.ContainerdShim, ShimRunc, ShimSysboxLite)
	}
	if o.Out == nil || o.Kill == nil || o.ProcDir == "" {
		return errors.New("options: Out, Kill and ProcDir must be set (start from DefaultOptions)")
	}
	return nil
}

// BinaryPath is the runtime binary that docker and containerd are told about.
func (o Options) BinaryPath() string { return filepath.Join(o.BinDir, BinaryName) }

// ShimPath is where containerd-shim-sysbox-lite-v2 is installed.
func (o Options) ShimPath() string { return filepath.Join(o.BinDir, ShimBinaryName) }

// ConfigPath is sysbox-lite's config file.
func (o Options) ConfigPath() string { return filepath.Join(o.ConfigDir, "config.toml") }

// validRuntimeName keeps the name a bare TOML key and an unsurprising docker
// runtime name: a letter or digit, then letters, digits, '-' and '_'.
func validRuntimeName(name string) bool {
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case (r == '-' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return name != ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// say prints one line of the report.
func (o Options) say(format string, args ...any) {
	fmt.Fprintf(o.Out, format+"\n", args...)
}
