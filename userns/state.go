package userns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// stateVersion is the version of the state file format.
//
// Shared entries (Entry.SharesWith) came later without a new version: a
// file without them is unchanged, a reader that predates them refuses a
// file with them (unknown field) rather than misreading it, and this reader
// accepts both.
const stateVersion = 1

// state is the content of the allocator's state file.
type state struct {
	Version  int     `json:"version"`
	PoolUID  uint32  `json:"poolUID"`
	PoolGID  uint32  `json:"poolGID"`
	SlotSize uint32  `json:"slotSize"`
	Entries  []Entry `json:"entries"`
}

// newState returns an empty state for pool.
func newState(pool Pool) state {
	return state{Version: stateVersion, PoolUID: pool.UIDStart, PoolGID: pool.GIDStart, SlotSize: pool.SlotSize, Entries: []Entry{}}
}

// decodeState parses a state file and checks it against pool: the version is
// known, and every entry has a non-empty unique key and a slot of the pool
// with exactly that slot's range; entries share a slot only as checkEntries
// allows. A state with no entries that was
// written for another pool is taken over by pool; one with entries is an
// error.
func decodeState(data []byte, pool Pool) (state, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return state{}, errors.New("file is empty (truncated?)")
	}
	var st state
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return state{}, fmt.Errorf("parse json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return state{}, errors.New("parse json: unexpected data after the state object")
	}
	if st.Version != stateVersion {
		return state{}, fmt.Errorf("unsupported version %d (want %d)", st.Version, stateVersion)
	}
	if len(st.Entries) == 0 {
		return newState(pool), nil
	}
	if st.PoolUID != pool.UIDStart || st.PoolGID != pool.GIDStart || st.SlotSize != pool.SlotSize {
		return state{}, fmt.Errorf("it holds %d ranges of a pool of %d ids from uid %d, gid %d but the configured pool has %d ids from uid %d, gid %d: delete the containers or restore the configuration",
			len(st.Entries), st.SlotSize, st.PoolUID, st.PoolGID, pool.SlotSize, pool.UIDStart, pool.GIDStart)
	}
	if err := checkEntries(st.Entries, pool); err != nil {
		return state{}, err
	}
	return st, nil
}

// checkEntries reports the first entry that breaks the invariants: keys are
// non-empty and distinct; every slot is one of pool's, with exactly that
// slot's range (so entries of one slot have the same range and entries of
// different slots never overlap); a slot has at most one entry that is not
// marked shared (the one that allocated it), and a shared entry does not
// name itself.
func checkEntries(entries []Entry, pool Pool) error {
	keys := make(map[string]bool, len(entries))
	owners := make(map[uint32]string, len(entries)) // the unshared entry of each slot
	for _, e := range entries {
		switch {
		case e.Key == "":
			return fmt.Errorf("entry for slot %d has an empty key", e.Slot)
		case keys[e.Key]:
			return fmt.Errorf("key %q appears twice", e.Key)
		case e.Slot >= pool.Slots:
			return fmt.Errorf("entry %q: slot %d is outside the pool of %d slots", e.Key, e.Slot, pool.Slots)
		case e.Range != pool.Range(e.Slot):
			return fmt.Errorf("entry %q: range %+v does not match slot %d (%+v)", e.Key, e.Range, e.Slot, pool.Range(e.Slot))
		case e.SharesWith == e.Key:
			return fmt.Errorf("entry %q shares its slot with itself", e.Key)
		case e.SharesWith == "" && owners[e.Slot] != "":
			return fmt.Errorf("entries %q and %q share slot %d", owners[e.Slot], e.Key, e.Slot)
		}
		keys[e.Key] = true
		if e.SharesWith == "" {
			owners[e.Slot] = e.Key
		}
	}
	return nil
}

// encodeState renders st as the state file's content.
func encodeState(st state) ([]byte, error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode id allocation state: %w", err)
	}
	return append(data, '\n'), nil
}
