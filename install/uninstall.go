package install

import "fmt"

// Uninstall removes the runtime from docker and containerd. The subuid and
// subgid entries and the config file stay (containers may still own files
// in the ID pool) unless opts.Purge is set, which refuses while the
// allocator still records ranges.
func Uninstall(opts Options) error {
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("uninstall: %w", err)
	}
	if opts.Purge {
		if err := checkNoRanges(opts); err != nil {
			return fmt.Errorf("uninstall --purge: %w", err)
		}
	}
	for _, step := range []func(Options) error{uninstallDocker, uninstallContainerd} {
		if err := step(opts); err != nil {
			return fmt.Errorf("uninstall: %w", err)
		}
	}
	if !opts.Purge {
		opts.say("subid: kept the %s entries in %s and %s: files of containers may still be owned by those ids (--purge removes them)", SubIDUser, opts.SubUIDFile, opts.SubGIDFile)
		opts.say("config: kept %s (--purge removes it)", opts.ConfigDir)
		return nil
	}
	for _, path := range []string{opts.SubUIDFile, opts.SubGIDFile} {
		if err := purgeSubID(opts, path); err != nil {
			return fmt.Errorf("uninstall --purge: %w", err)
		}
	}
	if err := purgeConfig(opts); err != nil {
		return fmt.Errorf("uninstall --purge: %w", err)
	}
	return nil
}
