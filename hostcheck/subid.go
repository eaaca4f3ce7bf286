package hostcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/install"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

// SubIDPool checks the config's ID pool: the subid_user entry in the
// subuid and subgid files, big enough for one range of range_size (what
// create's allocator reads, userns.PoolFromSubID).
func SubIDPool(p config.IDPool) Result {
	const name = "subid pool"
	pool, err := userns.PoolFromSubID(p.SubUIDFile, p.SubGIDFile, p.SubIDUser, p.RangeSize)
	if err == nil {
		return ok(name, fmt.Sprintf("%q in %s and %s: %d ranges of %d IDs (uids from %d, gids from %d)",
			p.SubIDUser, p.SubUIDFile, p.SubGIDFile, pool.Slots, pool.SlotSize, pool.UIDStart, pool.GIDStart))
	}
	// userns's own hint ("run `sudo make install` or add one") is in the fix.
	msg, _, _ := strings.Cut(err.Error(), ": run `")
	return missing(name, msg, subIDFix(p))
}

// subIDFix says how to add the entry: the installer, when the entry is the
// one it adds, or the lines to add (what the installer would write: after
// the highest entry of each file).
func subIDFix(p config.IDPool) string {
	count := uint32(install.SubIDCount)
	if count < p.RangeSize {
		count = p.RangeSize
	}
	var lines []string
	for _, f := range []string{p.SubUIDFile, p.SubGIDFile} {
		start, err := suggestStart(f, p.SubIDUser, count)
		if err != nil {
			return fmt.Sprintf("correct %s: %v", f, err)
		}
		lines = append(lines, fmt.Sprintf("%q in %s", fmt.Sprintf("%s:%d:%d", p.SubIDUser, start, count), f))
	}
	add := fmt.Sprintf("put %s and %s (at least %d IDs each)", lines[0], lines[1], p.RangeSize)
	if p.SubIDUser == install.SubIDUser && p.SubUIDFile == "/etc/subuid" && p.SubGIDFile == "/etc/subgid" {
		return "run `sysbox-lite-install install` (make install), or " + add
	}
	return add
}

// suggestStart is the start EnsureSubIDEntry would give user in the file at
// path (the entry's own start when it has one), found on a copy.
func suggestStart(path, user string, count uint32) (uint32, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "sysbox-lite-check-subid-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	cp := filepath.Join(tmp, "subid")
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		return 0, err
	}
	start, _, err := userns.EnsureSubIDEntry(cp, user, count)
	return start, err
}
