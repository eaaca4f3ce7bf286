package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Install registers sysbox-lite with the host. Every step is idempotent;
// it stops at the first error, and running it again resumes.
func Install(opts Options) error {
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if _, err := os.Stat(opts.BinaryPath()); errors.Is(err, fs.ErrNotExist) {
		opts.say("warning: %s does not exist (yet); docker and containerd will fail to start containers with it", opts.BinaryPath())
	}
	steps := []func(Options) error{installSubIDs, installConfig, installDocker, installContainerd}
	for _, step := range steps {
		if err := step(opts); err != nil {
			return fmt.Errorf("install: %w", err)
		}
	}
	return nil
}
