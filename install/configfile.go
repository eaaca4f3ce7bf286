package install

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/config"
)

// configSetting is one documented key of the default config file.
type configSetting struct {
	doc   string // comment lines, without "# "
	key   string
	value string // TOML literal
	def   string // TOML literal of the default
}

// line renders the setting, commented out when it is the default.
func (s configSetting) line() string {
	var b strings.Builder
	for _, d := range strings.Split(s.doc, "\n") {
		b.WriteString("# " + d + "\n")
	}
	if s.value == s.def {
		b.WriteString("# ")
	}
	b.WriteString(s.key + " = " + s.value + "\n")
	return b.String()
}

// defaultConfigFile renders a config.toml that documents every key with its
// default. Keys are commented out, except the subuid/subgid files when opts
// points at other ones than the defaults, so that the runtime reads the
// files install added the pool to.
func defaultConfigFile(opts Options) []byte {
	def := config.Default()
	str := func(value, dflt string) (string, string) { return tomlString(value), tomlString(dflt) }
	setting := func(doc, key, value, dflt string) configSetting {
		v, d := str(value, dflt)
		return configSetting{doc: doc, key: key, value: v, def: d}
	}
	rangeSize := strconv.FormatUint(uint64(def.IDPool.RangeSize), 10)
	top := []configSetting{
		setting("The OCI runtime sysbox-lite drives: a path, or a name looked up in PATH\n(then /usr/sbin, /usr/bin, /usr/local/sbin, /usr/local/bin).",
			"engine", def.Engine, def.Engine),
		setting("Holds one directory per container (mounts, lock, state). It and its\nparents must be traversable (0711) by the containers' remapped roots.",
			"state_dir", def.StateDir, def.StateDir),
	}
	idpool := []configSetting{
		setting("The allocator's persistent state: which container holds which range.",
			"file", def.IDPool.File, def.IDPool.File),
		setting("The /etc/subuid and /etc/subgid entry whose IDs are cut into ranges.",
			"subid_user", def.IDPool.SubIDUser, def.IDPool.SubIDUser),
		setting("The subordinate UID file.", "subuid_file", opts.SubUIDFile, def.IDPool.SubUIDFile),
		setting("The subordinate GID file.", "subgid_file", opts.SubGIDFile, def.IDPool.SubGIDFile),
		{
			doc: fmt.Sprintf("IDs per container (at least %d). sysbox-lite-install gives %s\n%d IDs, i.e. %d ranges of %d.",
				config.MinRangeSize, SubIDUser, SubIDCount, SubIDCount/def.IDPool.RangeSize, def.IDPool.RangeSize),
			key: "range_size", value: rangeSize, def: rangeSize,
		},
	}
	var b strings.Builder
	b.WriteString(`# sysbox-lite host configuration, written by sysbox-lite-install.
#
# Every key is optional: a commented-out key has the default value shown.
# A file that does not parse, or that has an unknown key, is an error:
# sysbox-lite never falls back to permissive settings.
`)
	for _, s := range top {
		b.WriteString("\n" + s.line())
	}
	b.WriteString("\n# Who a container acts as on a bind mount of a host directory.\n[shared_dirs]\n")
	b.WriteString(setting("\"owner\": the directory's owner (a root-owned one gives nobody);\n\"nobody\"; or \"UID:GID\" of a host user. Never host root.",
		"identity", def.SharedDirs.Identity, def.SharedDirs.Identity).line())
	b.WriteString("# Trusted paths where the container's root is host root, as under runc\n# (a build cache, say); every container's choice is in the audit log:\n#   root_paths = [\"/srv/cache\"]\n")
	b.WriteString("\n# The exclusive ID range every container gets.\n[idpool]\n")
	for i, s := range idpool {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.line())
	}
	return []byte(b.String())
}

// installConfig writes the default config file unless one exists.
func installConfig(opts Options) error {
	path := opts.ConfigPath()
	data, exists, err := readOptional(path)
	if err != nil {
		return err
	}
	if exists {
		if _, err := config.Parse(path, data); err != nil {
			opts.say("config: warning: kept %s, but it is not valid: %v", path, err)
			return nil
		}
		opts.say("config: kept the existing %s", path)
		return nil
	}
	out := defaultConfigFile(opts)
	if _, err := config.Parse(path, out); err != nil {
		return fmt.Errorf("render default config: %w", err)
	}
	if err := os.MkdirAll(opts.ConfigDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", opts.ConfigDir, err)
	}
	if err := writeLike(path, out, 0o644); err != nil {
		return fmt.Errorf("write default config: %w", err)
	}
	opts.say("config: wrote the default %s", path)
	return nil
}
