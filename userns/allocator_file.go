package userns

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// FileAllocator is an Allocator whose state lives in a JSON file. Every
// operation holds an flock on path+".lock", so allocators in any number of
// goroutines and processes may share one file.
type FileAllocator struct {
	path string
	pool Pool
	live LiveFunc
	mu   sync.Mutex // spares goroutines of one allocator the flock wait
}

var _ Allocator = (*FileAllocator)(nil)

// NewFileAllocator returns an allocator of pool's slots that keeps its state
// in path. live decides which entries are reclaimed; nil keeps them all.
func NewFileAllocator(path string, pool Pool, live LiveFunc) *FileAllocator {
	return &FileAllocator{path: path, pool: pool, live: live}
}

// Allocate returns key's range, giving key the lowest free slot if it holds
// none, after dropping the entries that live reports gone.
func (a *FileAllocator) Allocate(key string, owner Owner) (Range, error) {
	if key == "" {
		return Range{}, errors.New("allocate id range: empty key")
	}
	var r Range
	err := a.update(func(st *state) (bool, error) {
		if i := slices.IndexFunc(st.Entries, func(e Entry) bool { return e.Key == key }); i >= 0 {
			r = st.Entries[i].Range
			return false, nil
		}
		changed := a.reclaim(st)
		slot, ok := lowestFreeSlot(st.Entries, a.pool.Slots)
		if !ok {
			return changed, fmt.Errorf("%w: all %d ranges of %d IDs are in use", ErrExhausted, a.pool.Slots, a.pool.SlotSize)
		}
		r = a.pool.Range(slot)
		st.Entries = append(st.Entries, Entry{Key: key, Slot: slot, Range: r, Owner: owner, Created: time.Now().UTC()})
		return true, nil
	})
	if err != nil {
		return Range{}, err
	}
	return r, nil
}

// ErrNotHeld is wrapped by the error Share returns when the key to share
// with holds no range (its container is gone, or never had one of the pool).
var ErrNotHeld = errors.New("holds no id range")

// Share records an entry for key on withKey's slot and returns that range.
// If key already shares that slot, its range is returned; if key holds
// another slot, that is an error (a container cannot change ranges). Share
// reclaims nothing: withKey's entry is used as long as it is there.
func (a *FileAllocator) Share(key, withKey string, owner Owner) (Range, error) {
	switch {
	case key == "" || withKey == "":
		return Range{}, errors.New("share id range: empty key")
	case key == withKey:
		return Range{}, fmt.Errorf("share id range: %q cannot share with itself", key)
	}
	var r Range
	err := a.update(func(st *state) (bool, error) {
		w := slices.IndexFunc(st.Entries, func(e Entry) bool { return e.Key == withKey })
		if w < 0 {
			return false, fmt.Errorf("share id range of %q: %w", withKey, ErrNotHeld)
		}
		with := st.Entries[w]
		if i := slices.IndexFunc(st.Entries, func(e Entry) bool { return e.Key == key }); i >= 0 {
			if st.Entries[i].Slot != with.Slot {
				return false, fmt.Errorf("share id range of %q: %q already holds another range (%+v)", withKey, key, st.Entries[i].Range)
			}
			r = st.Entries[i].Range
			return false, nil
		}
		r = with.Range
		st.Entries = append(st.Entries, Entry{Key: key, Slot: with.Slot, Range: r, Owner: owner, Created: time.Now().UTC(), SharesWith: withKey})
		return true, nil
	})
	if err != nil {
		return Range{}, err
	}
	return r, nil
}

// Release frees key's range; an unknown key is not an error. A range that
// other keys share stays theirs.
func (a *FileAllocator) Release(key string) error {
	return a.update(func(st *state) (bool, error) {
		n := len(st.Entries)
		st.Entries = slices.DeleteFunc(st.Entries, func(e Entry) bool { return e.Key == key })
		return len(st.Entries) != n, nil
	})
}

// List returns every entry, ordered by slot.
func (a *FileAllocator) List() ([]Entry, error) {
	var entries []Entry
	err := a.locked(false, func() error {
		st, err := a.load()
		entries = st.Entries
		return err
	})
	return entries, err
}

// reclaim drops the entries whose container is gone and reports whether it
// dropped any.
func (a *FileAllocator) reclaim(st *state) bool {
	if a.live == nil {
		return false
	}
	n := len(st.Entries)
	st.Entries = slices.DeleteFunc(st.Entries, func(e Entry) bool { return !a.live(e) })
	return len(st.Entries) != n
}

// lowestFreeSlot returns the lowest slot below slots that no entry holds
// (a shared slot is held as long as one of its entries is there).
func lowestFreeSlot(entries []Entry, slots uint32) (uint32, bool) {
	used := make(map[uint32]bool, len(entries))
	for _, e := range entries {
		used[e.Slot] = true
	}
	for s := uint32(0); s < slots; s++ {
		if !used[s] {
			return s, true
		}
	}
	return 0, false
}

// update runs fn on the state under an exclusive lock and writes the state
// back if fn reports a change, even when fn also returns an error.
func (a *FileAllocator) update(fn func(*state) (bool, error)) error {
	return a.locked(true, func() error {
		st, err := a.load()
		if err != nil {
			return err
		}
		changed, fnErr := fn(&st)
		if changed {
			if err := a.store(st); err != nil {
				return errors.Join(fnErr, err)
			}
		}
		return fnErr
	})
}

// locked runs fn holding the allocator's flock, exclusive or shared.
func (a *FileAllocator) locked(exclusive bool, fn func() error) error {
	if err := a.pool.Validate(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(a.path), 0o700); err != nil {
		return fmt.Errorf("create directory for %s: %w", a.path, err)
	}
	unlock, err := lockFile(a.path+".lock", exclusive)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// load reads the state file; a missing file is an empty state.
func (a *FileAllocator) load() (state, error) {
	data, err := os.ReadFile(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(a.pool), nil
	}
	if err != nil {
		return state{}, fmt.Errorf("read id allocation state: %w", err)
	}
	st, err := decodeState(data, a.pool)
	if err != nil {
		return state{}, fmt.Errorf("load id allocation state %s: %w", a.path, err)
	}
	return st, nil
}

// store writes st atomically, entries ordered by slot (the entries of a
// shared slot in the order they were made).
func (a *FileAllocator) store(st state) error {
	slices.SortStableFunc(st.Entries, func(x, y Entry) int { return cmp.Compare(x.Slot, y.Slot) })
	data, err := encodeState(st)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(a.path, data, 0o600); err != nil {
		return fmt.Errorf("store id allocation state: %w", err)
	}
	return nil
}
