package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestOCIRecursiveReadOnlyBind: containerd 2.x gives read-only volumes the
// option "rro" (runc's recursive read-only). The volume, and a mount below
// it, must be read-only inside: writes fail with EROFS. Plain runc, on the
// same bundle, is the reference.
func TestOCIRecursiveReadOnlyBind(t *testing.T) {
	s := setup(t)
	vol := s.mkTempDir(t, "rro-")
	sub := filepath.Join(vol, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"))
	t.Cleanup(func() { _ = unix.Unmount(sub, unix.MNT_DETACH) })

	script := "for f in /vol/top /vol/sub/below; do if touch $f 2>/dev/null; then echo $f writable; else echo $f refused; fi; done"
	want := "/vol/top refused\n/vol/sub/below refused\n"
	e := s.newOCIEnv(t, "runc", "sh", "-c", script)
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["mounts"] = append(spec["mounts"].([]any), map[string]any{"destination": "/vol", "type": "bind", "source": vol, "options": []string{"rbind", "rro"}})
	})

	r := e.sbl(t, s, "run", "--bundle", e.bundle, "oci-rro")
	require.Zero(t, r.Code, "%s", r)
	assert.Equal(t, want, r.Stdout, "sysbox-lite")
	e.requireNothingLeft(t)
	// Nothing of the container keeps a copy of the submount: the host can
	// take it away and remove its mountpoint at once (critest does).
	require.NoError(t, unix.Unmount(sub, 0))
	require.NoError(t, os.Remove(sub), "the submount's mountpoint, once the container is gone")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"))

	// The reference: plain runc on the same bundle.
	root := filepath.Join(e.dir, "runc-root")
	out, err := exec.Command("runc", "--root", root, "run", "--bundle", e.bundle, "oci-rro-runc").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, want, strings.ReplaceAll(string(out), "\r", ""), "plain runc")
	_, statErr := os.Stat(filepath.Join(vol, "top"))
	assert.True(t, os.IsNotExist(statErr), "nothing was written to the volume")
}
