package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// emptyNetns makes a network namespace of the host's user namespace that
// no task is in, kept alive by a bind mount at the returned path (what CNI
// leaves for a pod before its sandbox starts).
func emptyNetns(t *testing.T) string {
	t.Helper()
	target := filepath.Join(t.TempDir(), "netns")
	require.NoError(t, os.WriteFile(target, nil, 0o400))
	// unshare(1), not a thread of this process: a locked goroutine may run
	// on the main thread, whose namespaces are what /proc/self shows
	out, err := exec.Command("unshare", "--net="+target, "true").CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { unix.Unmount(target, unix.MNT_DETACH) })
	return target
}

func openNet(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// startIn runs sleep in the network namespace at netns, in a new user
// namespace of its own when newUser, and returns its PID.
func startSleepIn(t *testing.T, netns string, newUser bool) int {
	t.Helper()
	args := []string{"--net=" + netns, "--"}
	if newUser {
		args = append(args, "unshare", "--user", "--")
	}
	cmd := exec.Command("nsenter", append(args, "sleep", "1000")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// wait until the exec chain has settled in its namespaces
	want, err := userns.NamespaceIDAt(netns)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid))
		got, err := userns.NamespaceIDAt(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
		return err == nil && got == want && string(comm) == "sleep\n"
	}, 10*time.Second, 20*time.Millisecond)
	return cmd.Process.Pid
}

func TestPodNetwork(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("making network namespaces needs root")
	}
	for _, c := range []string{"nsenter", "unshare"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s (util-linux) is missing", c)
		}
	}
	t.Run("a fresh pod namespace, for its sandbox", func(t *testing.T) {
		ok, why, err := podNetwork(openNet(t, emptyNetns(t)), nil)
		require.NoError(t, err)
		assert.True(t, ok, why)
	})
	t.Run("the host's", func(t *testing.T) {
		for _, p := range []string{"/proc/self/ns/net", "/proc/thread-self/ns/net"} {
			ok, why, err := podNetwork(openNet(t, p), nil)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.Equal(t, "it is the host's network namespace", why)
		}
	})
	t.Run("a bind mount of the host's", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "hostnet")
		require.NoError(t, os.WriteFile(target, nil, 0o400))
		require.NoError(t, unix.Mount("/proc/self/ns/net", target, "", unix.MS_BIND, ""))
		defer unix.Unmount(target, unix.MNT_DETACH)
		ok, why, err := podNetwork(openNet(t, target), nil)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, "it is the host's network namespace", why)
	})
	t.Run("used by a host process", func(t *testing.T) {
		netns := emptyNetns(t)
		pid := startSleepIn(t, netns, false)
		ok, why, err := podNetwork(openNet(t, netns), nil)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, fmt.Sprintf("process %d, which is not of the pod's sysbox-lite containers, is in it", pid), why)
		self, err := userns.NamespaceIDAt("/proc/self/ns/user")
		require.NoError(t, err)
		ok, _, err = podNetwork(openNet(t, netns), &self)
		require.NoError(t, err)
		assert.False(t, ok, "the host's user namespace is never a pod's group")
	})
	t.Run("used by the group only", func(t *testing.T) {
		netns := emptyNetns(t)
		pid := startSleepIn(t, netns, true)
		group, err := userns.NamespaceIDAt(fmt.Sprintf("/proc/%d/ns/user", pid))
		require.NoError(t, err)
		ok, why, err := podNetwork(openNet(t, netns), &group)
		require.NoError(t, err)
		assert.True(t, ok, why)
		ok, _, err = podNetwork(openNet(t, netns), nil)
		require.NoError(t, err)
		assert.False(t, ok, "a sandbox may not join a namespace somebody is in")
		other := userns.NamespaceID{Dev: group.Dev, Ino: group.Ino + 1}
		ok, _, err = podNetwork(openNet(t, netns), &other)
		require.NoError(t, err)
		assert.False(t, ok, "another group's")
	})
}

func TestSysfsFlags(t *testing.T) {
	assert.Equal(t, uintptr(unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC), sysfsFlags([]string{"nosuid", "noexec", "nodev", "ro"}))
	assert.Equal(t, uintptr(unix.MS_NOSUID), sysfsFlags([]string{"ro", "nosuid", "rw", "relatime"}))
	assert.Zero(t, sysfsFlags(nil))
}
