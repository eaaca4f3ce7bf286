//go:build linux

package integration

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// baselineProbes are syscalls of sysbox-lite's seccomp baseline, as the
// probe calls them (with arguments the kernel itself would reject, or that
// change nothing: see integration/probe).
var baselineProbes = []string{
	"bpf", "perf_event_open", "add_key", "keyctl", "kexec_load", "init_module", "finit_module",
	"userfaultfd", "io_uring_setup", "open_by_handle_at", "syslog", "settimeofday",
}

// baselineAnswer is what the probe prints for a baseline call: EPERM, or
// ENOSYS for the keyring (so that an inner runc goes on without a session
// keyring) where sysbox-lite's rule decides; a profile that denies the
// keyring itself (docker's default: EPERM) keeps its answer. The kernel
// would say EFAULT/EOPNOTSUPP to the probe's arguments, so either answer is
// a filter's.
func baselineAnswer(call string, ownProfile bool) string {
	if (call == "add_key" || call == "keyctl") && !ownProfile {
		return "ERR ENOSYS"
	}
	return "ERR EPERM"
}

// TestConfineSeccompBaseline: the baseline syscalls fail (EPERM; ENOSYS for the keyring) even
// when the container asks for no seccomp filter at all (--privileged
// --security-opt seccomp=unconfined), and when docker's default profile
// would allow them because of --cap-add ALL. The filter answers before the
// kernel looks at the (bogus) arguments, so EPERM here is the filter's.
func TestConfineSeccompBaseline(t *testing.T) {
	s := setup(t)
	configs := []struct {
		name       string
		opts       []string
		ownProfile bool // docker's default profile, which denies the keyring itself
	}{
		{"privileged-seccomp-unconfined", []string{"--privileged", "--security-opt", "seccomp=unconfined"}, false},
		{"cap-add-all-default-profile", []string{"--cap-add", "ALL"}, true},
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			name := s.container(t, "")
			s.startDetached(t, name, cfg.opts, "sleep", "1000")
			status := s.mustDocker(t, "exec", name, "cat", "/proc/self/status")
			assert.Equal(t, "2", statusField(t, status, "Seccomp"), "a seccomp filter is in force (Seccomp: 2)")
			for _, call := range baselineProbes {
				got := s.probe(t, name, "syscall", call)
				assert.Equal(t, baselineAnswer(call, cfg.ownProfile), got, "%s is denied by the baseline", call)
			}
			// what the filter leaves alone still reaches the kernel
			assert.Equal(t, "ERR EINVAL", s.probe(t, name, "syscall", "reboot-cad-off"), "reboot(2) is not in the baseline: the kernel answers")
		})
	}
}

// TestConfineSeccompControlRunc is the control: under plain runc with
// seccomp=unconfined (and every capability but CAP_SYS_RESOURCE) there is no
// filter, and the same calls reach the kernel, which answers with its own
// errno (EINVAL, EFAULT, ENOSYS, ... or success for the harmless ones).
// Where the kernel itself says EPERM the log says so; only a majority of
// distinct answers is asserted, the calls being the same as above.
func TestConfineSeccompControlRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startControl(t, name, runcAllCaps, "sleep", "1000")
	status := s.mustDocker(t, "exec", name, "cat", "/proc/self/status")
	assert.Equal(t, "0", statusField(t, status, "Seccomp"), "runc seccomp=unconfined: no filter (Seccomp: 0)")
	notEPERM := 0
	for _, call := range baselineProbes {
		got := s.probe(t, name, "syscall", call)
		if got == "ERR EPERM" {
			t.Logf("runc: %-18s %s — the kernel itself refuses it here", call, got)
			continue
		}
		notEPERM++
		t.Logf("runc: %-18s %s — reached the kernel (sysbox-lite --privileged: %s)", call, got, baselineAnswer(call, false))
	}
	assert.Greater(t, notEPERM, len(baselineProbes)/2,
		"without the filter most of the calls get the kernel's own answer, not EPERM")
}
