package hostcheck

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sysbox-lite/sysbox-lite/config"
)

func idpool(uid, gid string) config.IDPool {
	p := config.Default().IDPool
	p.SubUIDFile, p.SubGIDFile = uid, gid
	return p
}

func TestSubIDPool(t *testing.T) {
	dir := t.TempDir()
	users := "alice:100000:65536\nbob:165536:65536\n"
	uid := writeFile(t, dir, "subuid", users+"sysbox-lite:1048576:268435456\n", 0o644)
	gid := writeFile(t, dir, "subgid", users+"sysbox-lite:2097152:131072\n", 0o644)
	r := SubIDPool(idpool(uid, gid))
	assert.Equal(t, OK, r.Status)
	assert.Contains(t, r.Found, "2 ranges of 65536 IDs (uids from 1048576, gids from 2097152)")

	// No entry: the lines to add, after the highest entry of each file.
	none := writeFile(t, dir, "none", users+"carol:2000000:65536\n", 0o644)
	r = SubIDPool(idpool(none, gid))
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, `no entry for "sysbox-lite" in `+none)
	assert.NotContains(t, r.Found, "run `sudo make install`", "the hint is in the fix")
	assert.Contains(t, r.Fix, `"sysbox-lite:2097152:268435456" in `+none)
	assert.Contains(t, r.Fix, `"sysbox-lite:2097152:268435456" in `+gid, "the existing gid entry's start")
	assert.NotContains(t, r.Fix, "sysbox-lite-install", "the installer writes /etc/subuid, not these files")

	// The real files' names: the installer is the fix.
	r = Result{Fix: subIDFix(config.Default().IDPool)}
	assert.Contains(t, r.Fix, "run `sysbox-lite-install install`")

	// Too small.
	small := writeFile(t, dir, "small", "sysbox-lite:1048576:1000\n", 0o644)
	r = SubIDPool(idpool(small, small))
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "too small for one range of 65536")
	assert.Contains(t, r.Fix, `"sysbox-lite:1048576:268435456"`)

	// Absent files: the pool starts at 1<<20.
	absent := filepath.Join(dir, "absent")
	r = SubIDPool(idpool(absent, absent))
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, `"sysbox-lite:1048576:268435456" in `+absent)

	// Malformed.
	bad := writeFile(t, dir, "bad", "sysbox-lite:x:1\n", 0o644)
	r = SubIDPool(idpool(bad, bad))
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "correct "+bad)
}
