//go:build linux

package integration

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maskedFiles read as empty in every container (/dev/null over them).
var maskedFiles = []string{"/proc/keys", "/proc/timer_list"}

// maskedDirs are empty in every container (a read-only tmpfs over them).
var maskedDirs = []string{"/sys/firmware", "/sys/kernel/security", "/sys/kernel/debug", "/sys/kernel/tracing"}

// readonlyDirs are read-only in every container.
var readonlyDirs = []string{"/proc/bus", "/proc/fs", "/proc/irq"}

// TestConfineMasks: the masked and read-only /proc and /sys paths stay in
// force under --privileged and --security-opt systempaths=unconfined, which
// both ask the engine to clear them.
func TestConfineMasks(t *testing.T) {
	s := setup(t)
	for _, host := range maskedFiles {
		data, err := os.ReadFile(host)
		require.NoError(t, err)
		require.NotEmpty(t, data, "the host's %s has content (else masking it proves nothing)", host)
	}
	configs := []struct {
		name string
		opts []string
	}{
		{"privileged", []string{"--privileged"}},
		{"privileged-systempaths-unconfined", []string{"--privileged", "--security-opt", "systempaths=unconfined"}},
		{"systempaths-unconfined", []string{"--security-opt", "systempaths=unconfined"}},
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			name := s.container(t, "")
			s.startDetached(t, name, cfg.opts, "sleep", "1000")
			mounts := s.containerMounts(t, name)

			for _, p := range maskedFiles {
				got, data := s.probeLines(t, name, "read", p)
				assert.Equal(t, "OK", got, "%s reads", p)
				assert.Equal(t, []string{"0 bytes", ""}, data, "%s reads as empty (masked)", p)
				m, ok := findMount(mounts, p)
				if assert.True(t, ok, "a mask is mounted over %s", p) {
					assert.Equal(t, "/null", m.Root, "%s is masked by /dev/null: %+v", p, m)
				}
			}
			for _, p := range maskedDirs {
				if s.docker(t, "exec", name, "test", "-d", p).Code != 0 {
					t.Logf("%s does not exist in the container's sysfs", p)
					continue
				}
				m, ok := findMount(mounts, p)
				if assert.True(t, ok, "a mask is mounted over %s", p) {
					assert.Equal(t, "tmpfs", m.FSType, "%s is masked by a tmpfs: %+v", p, m)
					assert.True(t, hasOption(m.Options, "ro"), "the mask over %s is read-only: %+v", p, m)
				}
				assert.Empty(t, s.mustDocker(t, "exec", name, "ls", "-A", p), "%s is empty", p)
				assert.Equal(t, "ERR EROFS", s.probe(t, name, "write", p+"/x"), "nothing can be put into %s", p)
			}
			for _, p := range readonlyDirs {
				m, ok := findMount(mounts, p)
				if !assert.True(t, ok, "%s is a mount of its own", p) {
					continue
				}
				assert.True(t, hasOption(m.Options, "ro"), "%s is read-only: %+v", p, m)
				file := strings.TrimSpace(s.mustDocker(t, "exec", name, "sh", "-c", "find "+p+" -type f 2>/dev/null | head -n 1"))
				if file == "" {
					t.Logf("%s has no file to write to", p)
					continue
				}
				assert.Equal(t, "ERR EROFS", s.probe(t, name, "write", file), "writing %s (in %s) fails", file, p)
			}
			if _, err := os.Stat("/proc/sysrq-trigger"); err == nil {
				assert.Equal(t, "ERR EROFS", s.probe(t, name, "write", "/proc/sysrq-trigger"), "/proc/sysrq-trigger is read-only")
			}
		})
	}
}

// TestConfineMasksControlRunc is the control: plain runc (no user
// namespace, every capability but CAP_SYS_RESOURCE) with
// systempaths=unconfined shows the host's /proc/timer_list and /proc/keys,
// and /proc/irq is not read-only.
func TestConfineMasksControlRunc(t *testing.T) {
	s := setup(t)
	name := s.container(t, "")
	s.startControl(t, name, append(append([]string{}, runcAllCaps...), "--security-opt", "systempaths=unconfined"), "sleep", "1000")
	got, data := s.probeLines(t, name, "read", "/proc/timer_list")
	require.Equal(t, "OK", got)
	require.Len(t, data, 2)
	assert.NotEqual(t, "0 bytes", data[0], "runc: /proc/timer_list has content")
	assert.True(t, strings.HasPrefix(data[1], "Timer List Version"), "runc: the host's timer list: %q", data[1])
	t.Logf("runc systempaths=unconfined: /proc/timer_list: %s, %q", data[0], data[1])
	got, data = s.probeLines(t, name, "read", "/proc/keys")
	require.Equal(t, "OK", got)
	assert.NotEqual(t, "0 bytes", data[0], "runc: /proc/keys has content")
	if entries, err := os.ReadDir("/sys/firmware"); err == nil && len(entries) > 0 {
		assert.NotEmpty(t, s.mustDocker(t, "exec", name, "ls", "-A", "/sys/firmware"), "runc: /sys/firmware shows the host's")
	}
	if m, ok := findMount(s.containerMounts(t, name), "/proc/irq"); ok {
		assert.False(t, hasOption(m.Options, "ro"), "runc: /proc/irq is not read-only: %+v", m)
	}
}
