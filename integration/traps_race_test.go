//go:build linux

package integration

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrapsPathRewriteRace: while one thread calls umount2 on a buffer
// 2000 times, another keeps rewriting that buffer between a tmpfs the
// container may unmount (remounted after every success) and /proc/keys.
// The supervisor decides on its copy of the path and acts on that same
// copy, so whatever the timing, /proc/keys stays masked; the calls that
// read the tmpfs' path unmount the tmpfs, the others are denied.
func TestTrapsPathRewriteRace(t *testing.T) {
	s := setup(t)
	name, id := s.trapsStart(t, "")
	const tries = 2000
	got, lines := s.probeLines(t, name, "umount-race", strconv.Itoa(tries), "/mnt/own-tmpfs", "/proc/keys")
	require.Equal(t, "OK", got, "the race ran: %v", lines)
	counts := map[string]int{}
	for _, l := range lines {
		f := strings.Fields(l)
		require.Len(t, f, 2, "line %q of %v", l, lines)
		n, err := strconv.Atoi(f[1])
		require.NoError(t, err, "line %q", l)
		counts[f[0]] = n
	}
	t.Logf("umount2 × %d on a rewritten buffer: succeeded %d (the tmpfs), denied EPERM %d (/proc/keys), other %v; %d rewrites",
		tries, counts["OK"], counts["EPERM"], counts, counts["flips"])
	sum := 0
	for k, n := range counts {
		if k != "flips" && k != "remount-failed" && k != "mask-bytes" {
			sum += n
		}
	}
	assert.Equal(t, tries, sum, "every call is accounted for: %v", counts)
	assert.Equal(t, 0, counts["mask-bytes"], "/proc/keys still reads as empty after the race")
	assert.Zero(t, counts["remount-failed"], "the tmpfs could always be mounted again")
	assert.Positive(t, counts["EPERM"], "some calls read /proc/keys and were denied")
	if counts["OK"] == 0 {
		t.Log("no call read the tmpfs' path: the race never let one through (the mask's safety does not depend on it)")
	}
	for k := range counts {
		switch k {
		case "OK", "EPERM", "EINVAL", "ENOENT", "flips", "remount-failed", "mask-bytes":
		default:
			t.Errorf("unexpected outcome %s × %d (torn strings give ENOENT or EINVAL, nothing else)", k, counts[k])
		}
	}

	m, ok := s.trapsMountAt(t, name, "/proc/keys")
	if assert.True(t, ok, "/proc/keys is still masked") {
		assert.Equal(t, "/null", m.Root, "by /dev/null: %+v", m)
	}
	s.trapsRequireMasked(t, name, "/proc/keys")
	s.trapsRequireDenied(t, id, `umount2("/proc/keys", 0x0)`)
}
