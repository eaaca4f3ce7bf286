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
//
// A slot normally has one entry. Containers that join another container's
// user namespace share its range: each has an entry of its own for the same
// slot, marked with SharesWith (see FileAllocator.Share). A slot is free once
// no entry holds it, whichever entry goes first.
type Entry struct {
	Key     string    `json:"key"`
	Slot    uint32    `json:"slot"`
	Range   Range     `json:"range"`
	Owner   Owner     `json:"owner"`
	Created time.Time `json:"created"`
	// SharesWith is the key whose slot this entry joined; empty for the
	// entry that allocated the slot. The entry it names may be gone.
	SharesWith string `json:"sharesWith,omitempty"`
}

// Allocator hands out exclusive ID ranges.
type Allocator interface {
	// Allocate returns the range held by key, allocating the lowest free
	// slot if key holds none. It is idempotent per key.
	Allocate(key string, owner Owner) (Range, error)
	// Share gives key the range of withKey (which must hold one), for a
	// container that joins withKey's user namespace: the range stays
	// reserved while either of them holds it. It is idempotent per key.
	Share(key, withKey string, owner Owner) (Range, error)
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
