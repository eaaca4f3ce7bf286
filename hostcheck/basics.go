package hostcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sysbox-lite/sysbox-lite/config"
)

// Root decides on the effective uid: sysbox-lite runs as root (dockerd and
// containerd start it so), and most probes need root too.
func Root(euid int) Result {
	const name = "root"
	if euid != 0 {
		return missing(name, fmt.Sprintf("running as uid %d: the probes that need root are skipped", euid), "run sysbox-lite check as root (sudo sysbox-lite check)")
	}
	return ok(name, "running as root")
}

// needsRoot is the line of a probe skipped for want of root.
func needsRoot(name string) Result {
	return warn(name, "not probed: needs root", "run sysbox-lite check as root")
}

// LoadConfig loads the config as every command does (config.Load). A
// config that does not load is missing (every create fails with it); the
// other checks then go on with the defaults.
func LoadConfig(path string, explicit bool) (config.Config, Result) {
	const name = "config"
	cfg, err := config.Load(path, explicit)
	if err != nil {
		return config.Default(), missing(name, err.Error()+" (the other checks use the defaults)", "correct "+path+": every create fails until it loads")
	}
	if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
		return cfg, ok(name, path+" does not exist: the defaults apply (engine "+cfg.Engine+", state_dir "+cfg.StateDir+")")
	}
	return cfg, ok(name, path+" loads (engine "+cfg.Engine+", state_dir "+cfg.StateDir+")")
}
