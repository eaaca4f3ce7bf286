package userns

import (
	"errors"
	"fmt"
	"github.com/sysbox-lite/sysbox-lite/internal/atomicfile"
	"io/fs"
	"math"
	"os"
	"strings"
)

// subIDMinStart is the lowest ID EnsureSubIDEntry hands out: well above the
// IDs of ordinary accounts.
const subIDMinStart = 1 << 20

// subIDAlign is the boundary EnsureSubIDEntry aligns new entries to.
const subIDAlign = 65536

// EnsureSubIDEntry makes sure user has an entry in the subuid/subgid file at
// path. If it has none, it appends "user:start:count" where start is the end
// of the highest existing entry (at least 1<<20), rounded up to a multiple
// of 65536, and rewrites the file atomically with its mode kept (0644 for a
// new file). It returns the start of the user's entry and whether it was
// created.
func EnsureSubIDEntry(path, user string, count uint32) (start uint32, created bool, err error) {
	if user == "" || strings.ContainsAny(user, ":#\n\r\t ") {
		return 0, false, fmt.Errorf("add subordinate ids to %s: invalid user name %q", path, user)
	}
	if count == 0 {
		return 0, false, fmt.Errorf("add subordinate ids for %q to %s: count is 0", user, path)
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, false, fmt.Errorf("read %s: %w", path, err)
	}
	entries, err := parseSubID(data)
	if err != nil {
		return 0, false, fmt.Errorf("parse %s: %w", path, err)
	}
	if e, ok := findSubID(entries, subIDNames(user)); ok {
		return e.Start, false, nil
	}
	next := nextSubIDStart(entries)
	if next+uint64(count) > math.MaxUint32 {
		return 0, false, fmt.Errorf("add subordinate ids for %q to %s: no room for %d ids after id %d", user, path, count, next)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	data = fmt.Appendf(data, "%s:%d:%d\n", user, next, count)
	if err := atomicfile.WriteLike(path, data, 0o644); err != nil {
		return 0, false, fmt.Errorf("add subordinate ids for %q: %w", user, err)
	}
	return uint32(next), true, nil
}

// nextSubIDStart is max(end of every entry, subIDMinStart) rounded up to
// subIDAlign.
func nextSubIDStart(entries []subIDEntry) uint64 {
	next := uint64(subIDMinStart)
	for _, e := range entries {
		next = max(next, e.end())
	}
	return (next + subIDAlign - 1) / subIDAlign * subIDAlign
}
