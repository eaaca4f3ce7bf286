//go:build linux

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpecMappingsExclusive: a range that came from a spec's own mappings
// (a user namespace the engine asked for, as containerd 2.x does for a pod
// with hostUsers: false, or docker's userns-remap) is as exclusive as one
// of the pool: a second container whose spec maps the same host IDs is
// refused while the first lives, although the pool's allocator never
// handed that range out. The control: plain runc runs the second one with
// the same mappings, sharing the first's host IDs.
func TestSpecMappingsExclusive(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sleep", "100")
	const host = 300000000 // outside the pool
	mapping := []map[string]any{{"containerID": 0, "hostID": host, "size": rangeSize}}
	withMappings := func(bundle string) {
		editSpec(t, bundle, func(spec map[string]any) {
			linux := spec["linux"].(map[string]any)
			linux["uidMappings"], linux["gidMappings"] = mapping, mapping
			nss := linux["namespaces"].([]any)
			linux["namespaces"] = append(nss, map[string]any{"type": "user"})
		})
	}
	withMappings(e.bundle)
	// no pipes for create's stdio: the container's init would hold them
	create := exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, "owner")
	require.NoError(t, create.Run())
	t.Cleanup(func() {
		r := e.sbl(t, s, "delete", "--force", "owner")
		assert.Zero(t, r.Code, "%s", r)
		e.requireNothingLeft(t)
	})
	st := e.engineState(t, s, "owner")
	require.Zero(t, st.Code, "%s", st)
	var state struct{ Pid int }
	require.NoError(t, json.Unmarshal([]byte(st.Stdout), &state))
	uidMap, _ := hostIDMaps(t, state.Pid)
	assert.Equal(t, []string{"0", fmt.Sprint(host), fmt.Sprint(rangeSize)}, strings.Fields(uidMap), "the spec's mappings are kept")
	assert.Zero(t, e.allocCount(t), "the pool's allocator never handed this range out")

	bundle2 := filepath.Join(e.dir, "bundle2")
	require.NoError(t, os.MkdirAll(bundle2, 0o755))
	out, err := exec.Command("runc", "spec", "--bundle", bundle2).CombinedOutput()
	require.NoError(t, err, "%s", out)
	rewriteSpec(t, bundle2, []string{"cat", "/proc/self/uid_map"})
	editSpec(t, bundle2, func(spec map[string]any) {
		spec["root"].(map[string]any)["path"] = filepath.Join(e.bundle, "rootfs")
	})
	withMappings(bundle2)
	r := e.sbl(t, s, "run", "--bundle", bundle2, "intruder")
	assert.Equal(t, 1, r.Code, "the same mappings while the owner lives: %s", r)
	assert.Contains(t, r.Stderr, fmt.Sprintf("sysbox-lite: the spec's id mappings (uid %d, gid %d, %d ids) overlap the range of container owner: ranges are exclusive", host, host, rangeSize), "%s", r)
	assert.Zero(t, e.engineState(t, s, "owner").Code, "the owner is still there")

	// the control: runc alone lets the second container share the host IDs
	ctl := s.run(t, "runc", "--root", filepath.Join(e.dir, "plain-runc"), "run", "--bundle", bundle2, "control")
	require.Zero(t, ctl.Code, "plain runc runs it: %s", ctl)
	assert.Equal(t, strings.Fields(uidMap), strings.Fields(ctl.Stdout), "under plain runc both containers map the same host IDs")
}
