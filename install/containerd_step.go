package install

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// containerdRestartHint is printed whenever containerd's file changes:
// containerd reads it only at start, and install does not restart it.
const containerdRestartHint = "containerd: restart containerd to pick this up (e.g. sudo systemctl restart containerd); sysbox-lite-install does not restart it"

// installContainerd adds our block to containerd's config.toml.
func installContainerd(opts Options) error {
	path := opts.ContainerdConfig
	data, exists, err := readOptional(path)
	if err != nil {
		return err
	}
	entry := containerdEntry{shim: opts.ContainerdShim == ShimSysboxLite, binary: opts.BinaryPath()}
	if entry.shim {
		if _, err := os.Stat(opts.ShimPath()); err != nil {
			opts.say("containerd: warning: %s: %v; containerd must find %s on its PATH", opts.ShimPath(), err, ShimBinaryName)
		}
	}
	out, c, err := addContainerdEntry(data, exists, opts.RuntimeName, entry)
	if errors.Is(err, errUserDefined) {
		opts.say("containerd: %s already defines runtime %q itself; left unchanged", path, opts.RuntimeName)
		return nil
	}
	if err != nil {
		return fmt.Errorf("add runtime %q to %s (left unchanged): %w", opts.RuntimeName, path, err)
	}
	if c.criDisabled {
		opts.say("containerd: note: %s disables the CRI plugin (disabled_plugins); the runtime is used once CRI is enabled", path)
	}
	if exists && string(out) == string(data) {
		opts.say("containerd: %s already has runtime %q (config version %d)", path, opts.RuntimeName, c.version)
		return nil
	}
	if !exists {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
		}
	}
	if err := writeLike(path, out, 0o644); err != nil {
		return fmt.Errorf("add runtime %q: %w", opts.RuntimeName, err)
	}
	switch {
	case !exists:
		opts.say("containerd: created %s (version 2) with runtime %q (%s)", path, opts.RuntimeName, entry.describe())
	case c.blockPresent:
		opts.say("containerd: updated runtime %q in %s (config version %d, %s)", opts.RuntimeName, path, c.version, entry.describe())
	default:
		opts.say("containerd: added runtime %q to %s (config version %d, %s)", opts.RuntimeName, path, c.version, entry.describe())
	}
	opts.say(containerdRestartHint)
	return nil
}

// uninstallContainerd removes our block from containerd's config.toml.
func uninstallContainerd(opts Options) error {
	path := opts.ContainerdConfig
	data, exists, err := readOptional(path)
	if err != nil {
		return err
	}
	if !exists {
		opts.say("containerd: %s does not exist; nothing to remove", path)
		return nil
	}
	out, removed, err := removeContainerdRuntime(data)
	if err != nil {
		return fmt.Errorf("remove the sysbox-lite block from %s (left unchanged): %w", path, err)
	}
	if !removed {
		opts.say("containerd: %s has no sysbox-lite block; nothing to remove (a runtime defined by hand stays)", path)
		return nil
	}
	if err := writeLike(path, out, 0o644); err != nil {
		return fmt.Errorf("remove the sysbox-lite block: %w", err)
	}
	opts.say("containerd: removed the sysbox-lite block from %s", path)
	opts.say(containerdRestartHint)
	return nil
}
