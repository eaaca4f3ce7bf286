package hostcheck

import (
	"errors"
	"fmt"
	"testing"

	"github.com/moby/sys/mountinfo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

func TestIdmapDecision(t *testing.T) {
	l := Location{Label: "docker data-root", Dir: "/srv/docker", Probed: "/srv/docker", FSType: "nfs4", Mountpoint: "/srv", Setting: "data-root in /etc/docker/daemon.json"}
	r := Idmap(l, nil, true)
	assert.Equal(t, OK, r.Status)
	assert.Equal(t, "idmap docker data-root", r.Name)

	refused := fmt.Errorf("idmap /srv/docker: %w (%w)", userns.ErrIdmapUnsupported, unix.EINVAL)
	r = Idmap(l, refused, true)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "/srv/docker on /srv (nfs4): idmap /srv/docker")
	assert.Contains(t, r.Fix, "nfs4 does not support idmapped mounts")
	assert.Contains(t, r.Fix, "with data-root in /etc/docker/daemon.json")

	r = Idmap(l, refused, false)
	assert.Equal(t, Warn, r.Status, "an engine that is not installed")

	r = Idmap(l, errors.New("open_tree /srv/docker: permission denied"), true)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "see why the kernel refuses")
}

func probeLocation(t *testing.T, dir string) Location {
	t.Helper()
	mounts, err := mountinfo.GetMounts(nil)
	require.NoError(t, err)
	l, err := ResolveLocation("test", dir, "", "", mounts)
	require.NoError(t, err)
	return l
}

func TestProbeIdmap(t *testing.T) {
	needRoot(t)
	ns, err := openProbeNamespace()
	require.NoError(t, err)
	defer ns.Close()
	dir := t.TempDir()
	l := probeLocation(t, dir)
	assert.NoError(t, ProbeIdmap(l, ns), "the test's temporary directory (%s)", l.FSType)
	// procfs has no idmapped mounts.
	err = ProbeIdmap(probeLocation(t, "/proc"), ns)
	assert.ErrorIs(t, err, userns.ErrIdmapUnsupported)
	assert.Equal(t, Missing, Idmap(probeLocation(t, "/proc"), err, true).Status)
	assert.Empty(t, mountsUnder(t, dir), "nothing attached")
}

// mountsUnder lists the mounts at or below dir in this process's
// namespace (a count of all of them would race with whatever else runs on
// the machine).
func mountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	m, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	require.NoError(t, err)
	var points []string
	for _, i := range m {
		points = append(points, i.Mountpoint)
	}
	return points
}
