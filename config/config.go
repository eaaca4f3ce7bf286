package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// DefaultPath is where the host configuration lives unless --sysbox-config
// or SYSBOX_LITE_CONFIG says otherwise.
const DefaultPath = "/etc/sysbox-lite/config.toml"

// EnvPath names the environment variable that can point at the config file.
const EnvPath = "SYSBOX_LITE_CONFIG"

// Config is the host-wide configuration.
type Config struct {
	// Engine is the OCI runtime sysbox-lite drives: a path, or a name
	// looked up in PATH (and then in /usr/sbin, /usr/bin, /usr/local/sbin, /usr/local/bin).
	Engine string `toml:"engine"`
	// StateDir holds one directory per container (mounts, lock, state).
	// It and its parents must be traversable (0711) by remapped roots.
	StateDir string `toml:"state_dir"`
	// IDPool says where container ID ranges come from.
	IDPool IDPool `toml:"idpool"`
	// Policy widens what containers may get from the host, and says where
	// refusals are logged.
	Policy Policy `toml:"policy"`
	// DataDirs lists the container paths that get a host-backed directory.
	DataDirs DataDirs `toml:"data_dirs"`
	// SharedDirs says who a container acts as on a bind mount of a host
	// directory (see SharedDirs).
	SharedDirs SharedDirs `toml:"shared_dirs"`
}

// IDPool configures the exclusive ID-range allocator.
type IDPool struct {
	// File is the allocator's persistent state.
	File string `toml:"file"`
	// SubIDUser names the /etc/subuid and /etc/subgid entry to use.
	SubIDUser  string `toml:"subid_user"`
	SubUIDFile string `toml:"subuid_file"`
	SubGIDFile string `toml:"subgid_file"`
	// RangeSize is the number of IDs per container (at least 65536).
	RangeSize uint32 `toml:"range_size"`
}

// Default returns the configuration used when no file exists.
func Default() Config {
	return Config{
		Engine:   "runc",
		StateDir: "/run/sysbox-lite",
		IDPool: IDPool{
			File:       "/var/lib/sysbox-lite/idranges.json",
			SubIDUser:  "sysbox-lite",
			SubUIDFile: "/etc/subuid",
			SubGIDFile: "/etc/subgid",
			RangeSize:  65536,
		},
		Policy:     Policy{AuditLog: DefaultAuditLog},
		DataDirs:   DataDirs{Paths: DefaultDataDirs()},
		SharedDirs: DefaultSharedDirs(),
	}
}

// MinRangeSize is the smallest range a container may get.
const MinRangeSize = 65536

// Load reads path over the defaults. A missing file at the default path
// yields the defaults; a missing file at an explicitly chosen path is an error.
func Load(path string, explicit bool) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return cfg, nil
		}
		return cfg, fmt.Errorf("read config %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse decodes data (named path in errors) over the defaults.
func Parse(path string, data []byte) (Config, error) {
	cfg := Default()
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return Config{}, fmt.Errorf("parse config %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, 0, len(undecoded))
		for _, k := range undecoded {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		return Config{}, fmt.Errorf("parse config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks the values a file could get wrong.
func (c Config) Validate() error {
	if c.Engine == "" {
		return errors.New("engine must not be empty")
	}
	if !strings.HasPrefix(c.StateDir, "/") {
		return fmt.Errorf("state_dir %q must be an absolute path", c.StateDir)
	}
	if !strings.HasPrefix(c.IDPool.File, "/") {
		return fmt.Errorf("idpool.file %q must be an absolute path", c.IDPool.File)
	}
	if c.IDPool.RangeSize < MinRangeSize {
		return fmt.Errorf("idpool.range_size %d is below the minimum of %d", c.IDPool.RangeSize, MinRangeSize)
	}
	if c.IDPool.SubIDUser == "" {
		return errors.New("idpool.subid_user must not be empty")
	}
	for key, p := range map[string]string{"idpool.subuid_file": c.IDPool.SubUIDFile, "idpool.subgid_file": c.IDPool.SubGIDFile} {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%s %q must be an absolute path", key, p)
		}
	}
	if err := c.DataDirs.Validate(); err != nil {
		return err
	}
	if err := c.SharedDirs.Validate(); err != nil {
		return err
	}
	return c.Policy.Validate()
}
