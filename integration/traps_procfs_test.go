//go:build linux

package integration

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrapsProcfsChildUnreachable: a new procfs shows the caller's pid
// namespace on every kernel (not only those with procfs's pidns key, Linux
// 6.18): its context is opened by a short-lived child of the mount helper
// in that namespace. The container's root, watching for that child, stops
// it with SIGSTOP and tries every way into it (ptrace, its fds, root, cwd,
// environ, namespaces, pidfd_getfd): none may work. The control: the same
// attempts against a process of the container's own all work.
func TestTrapsProcfsChildUnreachable(t *testing.T) {
	s := setup(t)
	name, _ := s.trapsStart(t, "")

	status, lines := s.probeLines(t, name, "foreign-control")
	require.Equal(t, "OK", status, "control: %v", lines)
	require.NotEmpty(t, lines)
	n := grantedCount(t, lines[0])
	assert.GreaterOrEqual(t, n, 8, "control: the attempts reach a process of the container's own: %v", lines)

	// A background watcher, then proc mounts; the watcher stops when told.
	const mounts = 60
	script := `rm -f /tmp/watch.stop; probe foreign-watch /tmp/watch.stop sysbox-lite > /tmp/watch.out & w=$!
mkdir -p /mnt/pw
i=0; while [ $i -lt ` + strconv.Itoa(mounts) + ` ]; do
  mount -t proc proc /mnt/pw || { echo "mount $i failed"; touch /tmp/watch.stop; exit 1; }
  test "$(tr '\0' ' ' < /mnt/pw/1/cmdline)" = "sleep 100000 " || { echo "mount $i: pid 1 is not the container's init"; touch /tmp/watch.stop; exit 1; }
  umount /mnt/pw || exit 1
  i=$((i+1))
done
touch /tmp/watch.stop; wait $w; cat /tmp/watch.out`
	r := s.docker(t, "exec", name, "sh", "-c", script)
	require.Equal(t, 0, r.Code, "proc mounts under watch: %s %s", r.Stdout, r.Stderr)
	t.Logf("watcher: %s", strings.TrimSpace(r.Stdout))
	out := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	require.Equal(t, "OK", out[0], "watcher: %q", r.Stdout)
	require.GreaterOrEqual(t, len(out), 2, "watcher: %q", r.Stdout)
	for _, l := range out[2:] {
		assert.False(t, strings.HasPrefix(l, "granted "), "the procfs child of sysbox-lite was reachable: %s", l)
	}
	assert.Equal(t, 0, grantedCount(t, out[1]), "nothing granted: %s", out[1])
	f := strings.Fields(out[1])
	refused, err := strconv.Atoi(f[5])
	require.NoError(t, err)
	assert.Greater(t, refused, 0, "the watcher caught the child alive and was refused, so the attempts were made: %s", out[1])
}

func grantedCount(t *testing.T, summary string) int {
	t.Helper()
	f := strings.Fields(summary)
	require.Len(t, f, 8, "summary %q", summary)
	n, err := strconv.Atoi(f[7])
	require.NoError(t, err)
	return n
}
