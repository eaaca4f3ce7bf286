//go:build linux

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/internal/testregistry"
)

// TestCRISharedDirs: in a pod of handler sysbox-lite (containerd 2.x and our
// shim, as a Kubernetes node runs it), a hostPath volume is a shared host
// directory — the container's root acts as its owner there, and cannot
// read root's file in it — while an emptyDir (a directory of kubelet's pod
// directory) is the pod's own: what its root writes is uid 0 on disk, as
// in the pod's range.
func TestCRISharedDirs(t *testing.T) {
	s := setup(t)
	opts := s.criVariants(t)["containerd-2.x"]
	d := s.startCRI(t, "shared", opts(t))
	d.must(t, "pull", testregistry.BusyboxImage)

	host := s.makeShare(t)
	podUID := "sbl-shared-" + strings.ToLower(filepath.Base(d.dir))
	podDir := filepath.Join("/var/lib/kubelet/pods", podUID)
	emptyDir := filepath.Join(podDir, "volumes", "kubernetes.io~empty-dir", "cache")
	if _, err := os.Stat("/var/lib/kubelet"); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll("/var/lib/kubelet") }) // made for this test
	}
	require.NoError(t, os.MkdirAll(emptyDir, 0o777))
	t.Cleanup(func() { os.RemoveAll(podDir) })

	podJSON := d.podConfig(t, "shared", nil)
	pod := d.runPod(t, "sysbox-lite", podJSON)
	ctr := d.writeJSON(t, "shared-ctr.json", map[string]any{
		"metadata": map[string]any{"name": "app"},
		"image":    map[string]any{"image": testregistry.BusyboxImage},
		"command":  []string{"sleep", "3600"},
		"log_path": "app.log",
		"mounts": []map[string]any{
			{"container_path": "/host", "host_path": host},
			{"container_path": "/cache", "host_path": emptyDir},
		},
		"linux": map[string]any{"security_context": map[string]any{
			"namespace_options": map[string]any{"pid": 1},
		}},
	})
	app := d.startContainer(t, pod, ctr, podJSON)

	out := d.must(t, "exec", app, "sh", "-c", "echo h > /host/from-pod && echo c > /cache/from-pod && cat /host/root-secret 2>&1; echo done")
	assert.Contains(t, out, "Permission denied", "root's file in the hostPath stays root's: %s", out)
	assert.NotContains(t, out, "secret\n", "%s", out)
	u, g := fileOwner(t, filepath.Join(host, "from-pod"))
	assert.Equal(t, [2]uint32{shareOwner, shareOwner}, [2]uint32{u, g}, "hostPath: the owner's on the host")
	u, g = fileOwner(t, filepath.Join(emptyDir, "from-pod"))
	assert.Equal(t, [2]uint32{0, 0}, [2]uint32{u, g}, "emptyDir: the pod root's, uid 0 on disk as in the pod's range")
	d.must(t, "rmp", "-f", pod)
}
