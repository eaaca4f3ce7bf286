package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"github.com/sysbox-lite/sysbox-lite/seccomp"
)

// resumeName is where, in a container's state directory, the supervisor
// keeps what a successor needs and the kernel cannot tell it: the
// protection (the container's initial mount table, as identities, and the
// masks made since), and the init it was read from.
const resumeName = "protection.json"

// resumeVersion is the layout of resumeName; a newer build reads every
// older one.
const resumeVersion = 1

type resumeState struct {
	Version    int              `json:"version"`
	InitPid    int              `json:"initPid"`
	InitStart  uint64           `json:"initStart"`
	Protection seccomp.Snapshot `json:"protection"`
}

func saveResume(dir string, initPid int, s seccomp.Snapshot) error {
	start, err := processStart(initPid)
	if err != nil {
		start = 0 // the init is gone: nothing will be reattached
	}
	data, err := json.Marshal(resumeState{Version: resumeVersion, InitPid: initPid, InitStart: start, Protection: s})
	if err != nil {
		return fmt.Errorf("encode the protection: %w", err)
	}
	return atomicfile.Write(filepath.Join(dir, resumeName), data, 0o600)
}

// loadResume reads what a predecessor saved; ok is false when there is
// nothing (a first start).
func loadResume(dir string) (r resumeState, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, resumeName))
	if errors.Is(err, os.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read %s: %w", resumeName, err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return resumeState{}, false, fmt.Errorf("decode %s: %w", resumeName, err)
	}
	if r.Version < 1 || r.Version > resumeVersion {
		return resumeState{}, false, fmt.Errorf("%s: version %d is not one this build reads", resumeName, r.Version)
	}
	return r, true, nil
}
