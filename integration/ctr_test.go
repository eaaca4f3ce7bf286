//go:build linux

package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContainerdCtr: containerd 1.6 through ctr (no dockerd) with
// sysbox-lite as the runc binary (a wrapper that adds --sysbox-config, as
// ctr cannot pass runtime arguments): the container runs in a range of the
// pool on an idmapped snapshot, its exit code comes back, and nothing stays
// behind.
func TestContainerdCtr(t *testing.T) {
	s := setup(t)
	ref := "docker.io/library/" + testImage
	tarball := filepath.Join(s.mkTempDir(t, "ctr-"), "image.tar")
	s.mustDocker(t, "save", "-o", tarball, testImage)
	r := s.ctr(t, "images", "import", tarball)
	require.Zero(t, r.Code, "%s", r)
	t.Cleanup(func() { s.ctr(t, "images", "rm", ref) })
	r = s.ctr(t, "images", "ls", "-q")
	require.Zero(t, r.Code, "%s", r)
	require.Contains(t, strings.Fields(r.Stdout), ref)

	ctrRun := func(id string, cmd ...string) result {
		t.Cleanup(func() {
			s.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
			s.ctr(t, "tasks", "rm", "-f", id)
			s.ctr(t, "containers", "rm", id)
		})
		args := []string{"run", "--rm", "--net-host=false",
			"--runc-binary", s.wrapper,
			"--runc-root", filepath.Join(s.daemonDir, "ctr-runc"),
			"--fifo-dir", filepath.Join(s.daemonDir, "fifo"),
			ref, id}
		return s.ctr(t, append(args, cmd...)...)
	}

	r = ctrRun("sbl-ctr-1", "sh", "-c", "cat /proc/self/uid_map; echo ---; cat /proc/self/gid_map; echo ---; id -u; stat -c %u:%g /bin/busybox /home/tester; touch /new && stat -c %u /new")
	require.Zero(t, r.Code, "%s", r)
	parts := strings.Split(r.Stdout, "---")
	require.Len(t, parts, 3, "%s", r)
	requirePoolRange(t, "uid_map under ctr", parts[0])
	requirePoolRange(t, "gid_map under ctr", parts[1])
	assert.Equal(t, []string{"0", "0:0", "1000:1000", "0"}, strings.Fields(parts[2]),
		"id -u, owners of /bin/busybox and /home/tester, owner of a new file")

	r = ctrRun("sbl-ctr-2", "sh", "-c", "exit 5")
	assert.Equal(t, 5, r.Code, "exit code through ctr: %s", r)

	// Parallel ctr runs get pairwise disjoint ranges.
	const n = 8
	maps := make([]result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each stays up a while, so that all are alive at once: a
			// range is given again once its container is gone, and a
			// loaded machine can start short runs one after another.
			maps[i] = ctrRun(fmt.Sprintf("sbl-ctr-p%d", i), "sh", "-c", "cat /proc/self/uid_map; sleep 4")
		}()
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for i, r := range maps {
		require.Zero(t, r.Code, "parallel ctr run %d: %s", i, r)
		m := requirePoolRange(t, "parallel ctr uid_map", r.Stdout)
		assert.False(t, seen[m.Outside], "range %d given twice", m.Outside)
		seen[m.Outside] = true
	}

	r = s.ctr(t, "containers", "ls", "-q")
	require.Zero(t, r.Code, "%s", r)
	assert.Empty(t, strings.TrimSpace(r.Stdout), "ctr run --rm left containers")
	s.requireNoContainerState(t, "after ctr run --rm")
}
