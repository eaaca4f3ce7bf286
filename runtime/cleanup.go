package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"

	"github.com/sysbox-lite/sysbox-lite/rootfs"
)

// cleanup undoes everything create did for key: unmounts, range, state.
// The caller holds key's lock. It is idempotent.
func (rt *Runtime) cleanup(key string) error {
	store := rt.Store()
	c, ok, err := store.Load(key)
	if err != nil {
		rt.Log.WithError(err).Warn("cleanup: unreadable container state, removing it")
	}
	var errs []error
	if ok {
		if err := stopSupervision(store.Path(key), c.Supervisor); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(store.ListenerPath(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("remove listener socket: %w", err))
	}
	if ok && c.Assembly.Root != "" {
		err = rootfs.Teardown(c.Assembly)
	} else {
		err = rootfs.UnmountAllUnder(store.Path(key))
	}
	if err != nil {
		errs = append(errs, err)
	}
	if ok && c.Allocated || !ok {
		alloc, err := rt.Allocator()
		if err == nil {
			err = alloc.Release(key)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("release id range: %w", err))
		}
	}
	if ok {
		restoreBundle(store.Path(key), c.Bundle)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := os.RemoveAll(store.Path(key)); err != nil {
		return fmt.Errorf("remove container state: %w", err)
	}
	return nil
}

// GC cleans up after every container whose engine state is gone and that
// no create or delete is working on: what a crash or a lost delete left.
func (rt *Runtime) GC() (cleaned []string, err error) {
	store := rt.Store()
	keys, err := store.Keys()
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, key := range keys {
		l, ok, err := store.TryLock(key)
		if err != nil || !ok {
			continue
		}
		c, has, _ := store.Load(key)
		if has && engineHas(c.EngineRoot, c.ID) {
			l.Unlock()
			continue
		}
		if err := rt.cleanup(key); err != nil {
			errs = append(errs, fmt.Errorf("gc %s: %w", key, err))
		} else {
			cleaned = append(cleaned, key)
		}
		l.Unlock()
	}
	return cleaned, errors.Join(errs...)
}

// originalConfigName is the bundle's config.json as it came, in the state
// directory.
const originalConfigName = "config.orig.json"

// restoreBundle puts the bundle's original config.json back, if the bundle
// is still there (engines often remove it first): best effort.
func restoreBundle(stateDir, bundle string) {
	data, err := os.ReadFile(filepath.Join(stateDir, originalConfigName))
	if err != nil || bundle == "" {
		return
	}
	if _, err := os.Stat(ConfigPath(bundle)); err != nil {
		return
	}
	_ = atomicfile.Write(ConfigPath(bundle), data, 0o600)
}
