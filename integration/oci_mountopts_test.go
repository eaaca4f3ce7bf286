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
// it, must be read-only inside: writes fail with EROFS. "rbind,ro" (docker
// 20.10's :ro, runc's plain form) makes the volume's own mount read-only
// and leaves the mount below it as it is. Plain runc, on the same bundle, is
// the reference. The volume is a user's (a shared host directory acts as
// its owner: the writes that work are the owner's).
func TestOCIRecursiveReadOnlyBind(t *testing.T) {
	for _, tc := range []struct{ opt, want string }{
		{"rro", "/vol/top refused\n/vol/sub/below refused\n"},
		{"ro", "/vol/top refused\n/vol/sub/below writable\n"},
	} {
		t.Run(tc.opt, func(t *testing.T) { testReadOnlyBind(t, tc.opt, tc.want) })
	}
}

func testReadOnlyBind(t *testing.T, opt, want string) {
	s := setup(t)
	vol := s.mkTempDir(t, "rro-")
	require.NoError(t, os.Chown(vol, 1000, 1000))
	sub := filepath.Join(vol, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m,uid=1000,gid=1000"))
	t.Cleanup(func() { _ = unix.Unmount(sub, unix.MNT_DETACH) })

	script := "for f in /vol/top /vol/sub/below; do if touch $f 2>/dev/null; then echo $f writable; else echo $f refused; fi; done"
	e := s.newOCIEnv(t, "runc", "sh", "-c", script)
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["mounts"] = append(spec["mounts"].([]any), map[string]any{"destination": "/vol", "type": "bind", "source": vol, "options": []string{"rbind", opt}})
	})

	r := e.sbl(t, s, "run", "--bundle", e.bundle, "oci-"+opt)
	require.Zero(t, r.Code, "%s", r)
	assert.Equal(t, want, r.Stdout, "sysbox-lite")
	e.requireNothingLeft(t)
	// Nothing of the container keeps a copy of the submount: the host can
	// take it away and remove its mountpoint at once (critest does).
	require.NoError(t, unix.Unmount(sub, 0))
	require.NoError(t, os.Remove(sub), "the submount's mountpoint, once the container is gone")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, unix.Mount("tmpfs", sub, "tmpfs", 0, "size=1m,uid=1000,gid=1000"))

	// The reference: plain runc on the same bundle.
	root := filepath.Join(e.dir, "runc-root")
	out, err := exec.Command("runc", "--root", root, "run", "--bundle", e.bundle, "oci-"+opt+"-runc").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, want, strings.ReplaceAll(string(out), "\r", ""), "plain runc")
	_, statErr := os.Stat(filepath.Join(vol, "top"))
	assert.True(t, os.IsNotExist(statErr), "nothing was written to the volume's own mount")
}

// TestOCITmpfsSource: a tmpfs shows the spec's source in the mount table,
// as under plain runc (runc's "[ro tmpfs mount]" test reads it).
func TestOCITmpfsSource(t *testing.T) {
	s := setup(t)
	script := "grep -E ' /tmpx ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1,2"
	e := s.newOCIEnv(t, "runc", "sh", "-c", script)
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["mounts"] = append(spec["mounts"].([]any), map[string]any{"destination": "/tmpx", "type": "tmpfs", "source": "mytmp", "options": []any{"ro", "nosuid"}})
	})
	want := "tmpfs mytmp\n"
	r := e.sbl(t, s, "run", "--bundle", e.bundle, "oci-tmpsrc")
	require.Zero(t, r.Code, "%s", r)
	assert.Equal(t, want, r.Stdout, "sysbox-lite")
	e.requireNothingLeft(t)
	out, err := exec.Command("runc", "--root", filepath.Join(e.dir, "runc-root"), "run", "--bundle", e.bundle, "oci-tmpsrc-runc").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, want, strings.ReplaceAll(string(out), "\r", ""), "plain runc")
}
