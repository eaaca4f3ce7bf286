package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sysbox-lite/sysbox-lite/config"
)

// checkNoRanges refuses a purge while the ID allocator (named by the config
// file, or the default) still records ranges: those containers own files
// in the pool, and a later pool at the same IDs would hand them to others.
func checkNoRanges(opts Options) error {
	cfg, err := config.Load(opts.ConfigPath(), false)
	if err != nil {
		return fmt.Errorf("find the id allocator's state: %w", err)
	}
	data, err := os.ReadFile(cfg.IDPool.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", cfg.IDPool.File, err)
	}
	var st struct {
		Entries []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("parse %s (cannot tell whether containers still hold id ranges): %w", cfg.IDPool.File, err)
	}
	if n := len(st.Entries); n > 0 {
		return fmt.Errorf("%d container(s) still hold id ranges in %s: delete them first (or run `sysbox-lite gc` for ones the engine no longer has)", n, cfg.IDPool.File)
	}
	return nil
}

// purgeConfig removes the config file and its directory if that is then
// empty.
func purgeConfig(opts Options) error {
	path := opts.ConfigPath()
	switch err := os.Remove(path); {
	case errors.Is(err, fs.ErrNotExist):
		opts.say("config: %s does not exist; nothing to remove", path)
	case err != nil:
		return fmt.Errorf("remove %s: %w", path, err)
	default:
		opts.say("config: removed %s", path)
	}
	switch err := os.Remove(opts.ConfigDir); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		opts.say("config: kept %s: %v", opts.ConfigDir, errors.Unwrap(err))
	default:
		opts.say("config: removed %s", opts.ConfigDir)
	}
	return nil
}
