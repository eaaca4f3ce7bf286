package install

import (
	"fmt"
	"os"
	"path/filepath"
)

// installDocker adds the runtime to daemon.json and makes dockerd reload it.
func installDocker(opts Options) error {
	path := opts.DockerConfig
	data, exists, err := readOptional(path)
	if err != nil {
		return err
	}
	out, change, err := addDockerRuntime(data, opts.RuntimeName, opts.BinaryPath())
	if err != nil {
		return fmt.Errorf("add runtime %q to %s (left unchanged): %w", opts.RuntimeName, path, err)
	}
	if change == dockerUnchanged {
		opts.say("docker: %s already has runtime %q with path %s", path, opts.RuntimeName, opts.BinaryPath())
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
		opts.say("docker: created %s with runtime %q (path %s)", path, opts.RuntimeName, opts.BinaryPath())
	case change == dockerUpdated:
		opts.say("docker: set the path of runtime %q in %s to %s", opts.RuntimeName, path, opts.BinaryPath())
	default:
		opts.say("docker: added runtime %q (path %s) to %s", opts.RuntimeName, opts.BinaryPath(), path)
	}
	return reloadDockerd(opts)
}

// uninstallDocker removes the runtime from daemon.json and makes dockerd
// reload it.
func uninstallDocker(opts Options) error {
	path := opts.DockerConfig
	data, exists, err := readOptional(path)
	if err != nil {
		return err
	}
	if !exists {
		opts.say("docker: %s does not exist; nothing to remove", path)
		return nil
	}
	out, change, err := removeDockerRuntime(data, opts.RuntimeName)
	if err != nil {
		return fmt.Errorf("remove runtime %q from %s (left unchanged): %w", opts.RuntimeName, path, err)
	}
	if change == dockerUnchanged {
		opts.say("docker: %s has no runtime %q; nothing to remove", path, opts.RuntimeName)
		return nil
	}
	if err := writeLike(path, out, 0o644); err != nil {
		return fmt.Errorf("remove runtime %q: %w", opts.RuntimeName, err)
	}
	opts.say("docker: removed runtime %q from %s", opts.RuntimeName, path)
	return reloadDockerd(opts)
}
