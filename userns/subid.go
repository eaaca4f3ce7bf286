package userns

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// subIDEntry is one "name:start:count" line of /etc/subuid or /etc/subgid.
type subIDEntry struct {
	Name  string
	Start uint32
	Count uint32
}

// end is the first ID after the entry.
func (e subIDEntry) end() uint64 { return uint64(e.Start) + uint64(e.Count) }

// parseSubID parses the content of a subuid/subgid file. Blank lines and
// lines starting with '#' are ignored; any other malformed line is an error
// naming its line number.
func parseSubID(data []byte) ([]subIDEntry, error) {
	var entries []subIDEntry
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseSubIDLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func parseSubIDLine(line string) (subIDEntry, error) {
	fields := strings.Split(line, ":")
	if len(fields) != 3 || fields[0] == "" {
		return subIDEntry{}, fmt.Errorf("parse %q: want name:start:count", line)
	}
	start, err := strconv.ParseUint(fields[1], 10, 32)
	if err != nil {
		return subIDEntry{}, fmt.Errorf("parse start of %q: %w", line, err)
	}
	count, err := strconv.ParseUint(fields[2], 10, 32)
	if err != nil {
		return subIDEntry{}, fmt.Errorf("parse count of %q: %w", line, err)
	}
	if start+count > math.MaxUint32 {
		return subIDEntry{}, fmt.Errorf("parse %q: range ends past id %d", line, uint32(math.MaxUint32-1))
	}
	return subIDEntry{Name: fields[0], Start: uint32(start), Count: uint32(count)}, nil
}

// readSubID reads and parses a subuid/subgid file.
func readSubID(path string) ([]subIDEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	entries, err := parseSubID(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return entries, nil
}

// subIDNames returns the names an entry for user may be written under: the
// user as given and, when the account exists, its numeric uid or its name.
func subIDNames(name string) []string {
	names := []string{name}
	if _, err := strconv.ParseUint(name, 10, 32); err == nil {
		if u, err := user.LookupId(name); err == nil && u.Username != name {
			names = append(names, u.Username)
		}
		return names
	}
	if u, err := user.Lookup(name); err == nil && u.Uid != name {
		names = append(names, u.Uid)
	}
	return names
}

// findSubID returns the first entry written for any of names.
func findSubID(entries []subIDEntry, names []string) (subIDEntry, bool) {
	for _, e := range entries {
		for _, n := range names {
			if e.Name == n {
				return e, true
			}
		}
	}
	return subIDEntry{}, false
}
