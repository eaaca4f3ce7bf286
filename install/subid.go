package install

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// installSubIDs makes sure SubIDUser has SubIDCount IDs in both files.
// EnsureSubIDEntry puts a new entry after the highest existing one, so the
// two starts agree whenever the two files end at the same ID (as they do
// when both are managed by useradd); they need not agree.
func installSubIDs(opts Options) error {
	uid, err := ensureSubID(opts, "subuid", opts.SubUIDFile)
	if err != nil {
		return err
	}
	gid, err := ensureSubID(opts, "subgid", opts.SubGIDFile)
	if err != nil {
		return err
	}
	if uid != gid {
		opts.say("subid: note: the uid pool starts at %d and the gid pool at %d (fine: they are mapped independently)", uid, gid)
	}
	return nil
}

func ensureSubID(opts Options, kind, path string) (uint32, error) {
	start, created, err := userns.EnsureSubIDEntry(path, SubIDUser, SubIDCount)
	if err != nil {
		return 0, fmt.Errorf("ensure %s entry: %w", kind, err)
	}
	if created {
		opts.say("subid: added %s:%d:%d to %s", SubIDUser, start, SubIDCount, path)
	} else {
		opts.say("subid: %s already has an entry for %s starting at %d (kept)", path, SubIDUser, start)
	}
	return start, nil
}

// removeSubIDLines returns data without the lines of user's entries (lines
// whose first field is exactly user), and how many it removed.
func removeSubIDLines(data []byte, user string) ([]byte, int) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	out := make([]byte, 0, len(data))
	removed := 0
	for _, line := range lines {
		name, _, ok := strings.Cut(strings.TrimSpace(string(line)), ":")
		if ok && name == user {
			removed++
			continue
		}
		out = append(out, line...)
	}
	return out, removed
}

// purgeSubID removes SubIDUser's entries from the file at path.
func purgeSubID(opts Options, path string) error {
	data, exists, err := readOptional(path)
	if err != nil {
		return err
	}
	if !exists {
		opts.say("subid: %s does not exist; nothing to remove", path)
		return nil
	}
	out, n := removeSubIDLines(data, SubIDUser)
	if n == 0 {
		opts.say("subid: %s has no entry for %s; nothing to remove", path, SubIDUser)
		return nil
	}
	if err := writeLike(path, out, 0o644); err != nil {
		return fmt.Errorf("remove the %s entry: %w", SubIDUser, err)
	}
	opts.say("subid: removed the %s entry from %s", SubIDUser, path)
	return nil
}
