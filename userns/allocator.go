package userns

import (
	"errors"
	"time"
)

// ErrExhausted is wrapped by the error Allocate returns when every slot of
// the pool is held by a live container.
var ErrExhausted = errors.New("id pool exhausted")

// Owner records which container holds a range.
type Owner struct {
	EngineRoot string `json:"engineRoot"`
	ID         string `json:"id"`
}

// Entry is one allocated range.
type Entry struct {
	Key     string    `json:"key"`
	Slot    uint32    `json:"slot"`
	Range   Range     `json:"range"`
	Owner   Owner     `json:"owner"`
	Created time.Time `json:"created"`
}

// Allocator hands out exclusive ID ranges.
type Allocator interface {
	// Allocate returns the range held by key, allocating the lowest free
	// slot if key holds none. It is idempotent per key.
	Allocate(key string, owner Owner) (Range, error)
	// Release frees the range held by key; releasing an unknown key is not
	// an error.
	Release(key string) error
	// List returns every allocated entry, ordered by slot.
	List() ([]Entry, error)
}

// LiveFunc reports whether the entry's container still exists. Allocate
// drops every entry for which it returns false before it picks a slot, so it
// must report true for a container that is still being created (for example
// by trusting entries whose Created time is recent).
type LiveFunc func(Entry) bool
