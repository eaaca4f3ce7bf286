package hostcheck

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOverlayDecision(t *testing.T) {
	l := Location{Label: "state_dir", Dir: "/run/sysbox-lite", Probed: "/run", FSType: "tmpfs", Mountpoint: "/run", Setting: "state_dir in /etc/sysbox-lite/config.toml"}
	r := Overlay(l, "overlay over idmapped layers ok", nil, true)
	assert.Equal(t, OK, r.Status)
	assert.Equal(t, "overlay state_dir", r.Name)
	assert.Contains(t, r.Found, "absent: probed /run on /run (tmpfs): overlay over idmapped layers ok")

	r = Overlay(l, "", errors.New("create the overlay: invalid argument (overlay: idmapped layers are currently not supported)"), true)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "on tmpfs failed: create the overlay: invalid argument")
	assert.Contains(t, r.Fix, "with state_dir in /etc/sysbox-lite/config.toml")
	r = Overlay(l, "", errors.New("x"), false)
	assert.Equal(t, Warn, r.Status)
}

func TestProbeOverlay(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	found, err := ProbeOverlay(probeLocation(t, dir))
	require.NoError(t, err)
	assert.Contains(t, found, "uid 0 on disk")
	assert.Empty(t, mountsUnder(t, dir), "nothing mounted in this namespace")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the temporary directory is removed")

	_, err = ProbeOverlay(probeLocation(t, "/proc"))
	assert.ErrorContains(t, err, "temporary directory")
}

func TestOverlayChildRefusesRelative(t *testing.T) {
	_, err := overlayChild("relative")
	assert.ErrorContains(t, err, "not absolute")
}
