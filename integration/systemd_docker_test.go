//go:build linux

package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// innerDaemonJSON keeps a dockerd started by systemd inside a container off
// the network (the suite's network rule, as for every dockerd it starts).
const innerDaemonJSON = `{"bridge":"none","iptables":false,"ip6tables":false,"ip-forward":false,"ip-masq":false}`

// TestSystemdDocker is the "system container": systemd as PID 1 starts
// docker.service (dockerd + containerd as systemd units, in delegated
// sub-cgroups), the inner engine runs a container, and `docker stop` of the
// outer container still halts cleanly with an inner container running (one
// that exits on SIGTERM: an inner PID 1 that ignores it costs dockerd's own
// 10 s stop timeout, which is docker stop's too, and then SIGKILL).
func TestSystemdDocker(t *testing.T) {
	s := setup(t)
	s.requireDebianImage(t)
	name := s.container(t, "")
	s.mustDocker(t, append(runArgs("-d", "--privileged", "--name", name, "--tmpfs", "/run", "--tmpfs", "/run/lock"), systemdImage)...)
	require.Equal(t, "running", s.systemdWaitBoot(t, name))
	in := func(args ...string) string { return s.mustDocker(t, append([]string{"exec", name}, args...)...) }

	start := time.Now()
	in("sh", "-c", "mkdir -p /etc/docker && echo '"+innerDaemonJSON+"' >/etc/docker/daemon.json && systemctl start docker")
	t.Logf("systemctl start docker: %s", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, "active\nactive", in("systemctl", "is-active", "docker", "containerd"), "docker.service, containerd.service")
	assert.Equal(t, "overlay2", in("docker", "info", "--format", "{{.Driver}}"), "inner storage driver")

	start = time.Now()
	in("sh", "-c", `busybox-image /tmp/bb.tar 2>/dev/null && docker import --change 'CMD ["/bin/sh"]' /tmp/bb.tar sbl-bb >/dev/null`)
	t.Logf("inner busybox image built and imported: %s", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, "hello", in("docker", "run", "--rm", "--network", "none", "sbl-bb", "echo", "hello"))
	in("docker", "run", "-d", "--name", "inner", "--network", "none", "sbl-bb", "sh", "-c", `trap "exit 0" TERM; sleep 1000 & wait`)
	assert.Equal(t, "true", in("docker", "inspect", "-f", "{{.State.Running}}", "inner"))
	assert.Empty(t, s.systemdFailedUnits(t, name), "failed units with docker running")

	start = time.Now()
	s.mustDocker(t, "stop", name)
	stop := time.Since(start)
	t.Logf("stop with an inner container running: %s", stop.Round(time.Millisecond))
	assert.Equal(t, "130", s.inspect(t, name, "{{.State.ExitCode}}"), "exit code after docker stop (137: SIGKILL)")
	assert.Less(t, stop, 10*time.Second, "docker stop needed its SIGKILL")
	// the inner engine's mounts lived in the container's mount namespace
	mounts, err := readMounts()
	require.NoError(t, err)
	for _, m := range mounts {
		assert.False(t, strings.HasPrefix(m.MountPoint, "/var/lib/docker/"), "inner mount on the host: %+v", m)
	}
}
