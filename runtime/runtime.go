package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// Runtime carries what one sysbox-lite invocation works with.
type Runtime struct {
	Config config.Config
	Engine Engine
	Argv   Argv
	Log    *logrus.Logger
}

// New resolves the engine and returns a Runtime.
func New(cfg config.Config, argv Argv, log *logrus.Logger) (*Runtime, error) {
	eng, err := FindEngine(cfg.Engine)
	if err != nil {
		return nil, err
	}
	return &Runtime{Config: cfg, Engine: eng, Argv: argv, Log: log}, nil
}

// EngineRoot is the engine's state root for this invocation.
func (rt *Runtime) EngineRoot() string {
	if r := rt.Argv.GlobalValue("root"); r != "" {
		if abs, err := filepath.Abs(r); err == nil {
			return abs
		}
		return r
	}
	return rt.Engine.DefaultRoot()
}

// Store is the per-container state store.
func (rt *Runtime) Store() Store { return Store{Dir: rt.Config.StateDir} }

// engineHas reports whether the engine still has state for a container.
func engineHas(engineRoot, id string) bool {
	_, err := os.Lstat(filepath.Join(engineRoot, id))
	return err == nil || !errors.Is(err, os.ErrNotExist)
}

// Allocator opens the ID-range allocator over the configured pool.
func (rt *Runtime) Allocator() (*userns.FileAllocator, error) {
	p := rt.Config.IDPool
	pool, err := userns.PoolFromSubID(p.SubUIDFile, p.SubGIDFile, p.SubIDUser, p.RangeSize)
	if err != nil {
		return nil, fmt.Errorf("id pool: %w", err)
	}
	store := rt.Store()
	live := func(e userns.Entry) bool {
		if engineHas(e.Owner.EngineRoot, e.Owner.ID) {
			return true
		}
		// While the state directory exists, gc owns the entry: it releases
		// the range after unmounting what was mapped to it.
		_, err := os.Lstat(store.Path(e.Key))
		return !errors.Is(err, os.ErrNotExist)
	}
	return userns.NewFileAllocator(p.File, pool, live), nil
}
