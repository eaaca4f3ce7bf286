package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"github.com/sysbox-lite/sysbox-lite/rootfs"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// Container is what sysbox-lite remembers about one container, in
// <state_dir>/<key>/state.json.
type Container struct {
	// Version is the layout of this record (StateVersion); 0 in records
	// written before it had one (version 1: one supervisor process, no
	// keeper).
	Version    int             `json:"version,omitempty"`
	ID         string          `json:"id"`
	EngineRoot string          `json:"engineRoot"`
	Bundle     string          `json:"bundle"`
	Range      userns.Range    `json:"range"`
	Allocated  bool            `json:"allocated"` // the range is held in the pool under this key (allocated or shared), not taken from the spec
	Assembly   rootfs.Assembly `json:"assembly"`
	Created    time.Time       `json:"created"`
	// SharesWith is the key of the sysbox-lite container whose user
	// namespace (and range) this one joined; empty when it has its own.
	SharesWith string `json:"sharesWith,omitempty"`
	// InitPID and InitStart name the container's init process (its PID and
	// start time, see userns.ProcessStartTime) once the engine has created
	// it: how containers created later find its user namespace.
	InitPID   int    `json:"initPid,omitempty"`
	InitStart uint64 `json:"initStart,omitempty"`
	// Supervisor is the container's seccomp supervisor process.
	Supervisor Process `json:"supervisor,omitempty"`
}

// StateVersion is the layout of the state this build writes. A newer build
// reads every older layout: containers outlive an upgrade.
//
//   - 1: Supervisor is the container's one supervisor process.
//   - 2: Supervisor is the keeper create started; the keeper and worker
//     running now are in keeper.json and worker.json (see RunKeeper).
const StateVersion = 2

// Store is the directory of per-container state.
type Store struct{ Dir string }

var validID = regexp.MustCompile(`^[\w+\-.]+$`)

// ValidateID applies runc's rule for container IDs.
func ValidateID(id string) error {
	if id == "" || id == "." || id == ".." || len(id) > 1024 || !validID.MatchString(id) {
		return fmt.Errorf("invalid container id %q", id)
	}
	return nil
}

// Key names a container's state: its ID plus a digest of the engine root,
// since IDs are unique only per engine root.
func Key(engineRoot, id string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(engineRoot)))
	return id + "." + hex.EncodeToString(sum[:4])
}

// Path returns the state directory of key.
func (s Store) Path(key string) string { return filepath.Join(s.Dir, key) }

// Init creates the store directory, traversable by remapped roots.
func (s Store) Init() error {
	if err := os.MkdirAll(s.Dir, 0o711); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	if err := os.Chmod(s.Dir, 0o711); err != nil {
		return fmt.Errorf("chmod state directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, socketDir), 0o700); err != nil {
		return fmt.Errorf("create socket directory: %w", err)
	}
	return makePrivateMount(s.Dir)
}

// Save writes c's record atomically.
func (s Store) Save(key string, c Container) error {
	if c.Version == 0 {
		c.Version = StateVersion
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode container state: %w", err)
	}
	return atomicfile.Write(filepath.Join(s.Path(key), "state.json"), data, 0o600)
}

// Load reads a container's record; ok is false when there is none.
func (s Store) Load(key string) (c Container, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(s.Path(key), "state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read container state: %w", err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, false, fmt.Errorf("decode container state %s: %w", s.Path(key), err)
	}
	if c.Version == 0 {
		c.Version = 1
	}
	return c, true, nil
}

// Keys lists the containers that have state.
func (s Store) Keys() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list state directory: %w", err)
	}
	var keys []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != socketDir {
			keys = append(keys, e.Name())
		}
	}
	return keys, nil
}
