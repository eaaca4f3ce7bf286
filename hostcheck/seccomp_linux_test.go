package hostcheck

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeccompNotifyDecision(t *testing.T) {
	good := SeccompFacts{ActionsAvail: "kill_process kill_thread trap errno user_notif trace log allow", Library: "2.5.4", API: 6, Probe: "answered"}
	r := SeccompNotify(good)
	assert.Equal(t, OK, r.Status)
	assert.Equal(t, "answered; libseccomp 2.5.4 (API 6)", r.Found)

	noKernel := good
	noKernel.ActionsAvail, noKernel.ProbeErr = "kill_process kill_thread trap errno trace log allow", errors.New("load a filter with SCMP_ACT_NOTIFY: invalid argument")
	r = SeccompNotify(noKernel)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "no SECCOMP_RET_USER_NOTIF")

	oldLib := good
	oldLib.API, oldLib.ProbeErr = 3, errors.New("add a SCMP_ACT_NOTIFY rule: requires API level 5")
	r = SeccompNotify(oldLib)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "libseccomp 2.5 or later")

	other := good
	other.ActionsAvail, other.ProbeErr = "", errors.New("probe seccomp-notify did not finish within 20s")
	r = SeccompNotify(other)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "kernel actions: unknown")
}

// TestProbeSeccomp runs the child for real (no root needed: libseccomp
// sets no_new_privs).
func TestProbeSeccomp(t *testing.T) {
	f := ProbeSeccomp("/proc/sys/kernel/seccomp/actions_avail")
	require.NoError(t, f.ProbeErr)
	assert.Contains(t, f.Probe, "received and answered")
	assert.NotEmpty(t, f.Library)
	assert.Equal(t, OK, SeccompNotify(f).Status)

	f = ProbeSeccomp(filepath.Join(t.TempDir(), "absent"))
	assert.Empty(t, f.ActionsAvail)
}

func TestRunChildUnknownProbe(t *testing.T) {
	_, err := runChild("no-such-probe", "", false)
	assert.ErrorContains(t, err, `unknown probe "no-such-probe"`)
}
