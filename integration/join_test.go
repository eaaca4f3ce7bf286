//go:build linux

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Joining the namespaces of another sysbox-lite container
// (--network/--pid/--ipc=container:X): the joining container runs in X's
// user namespace with X's ID range, and the allocator keeps that range
// reserved until the last container of the group is gone.

// joinEntry is one entry of the allocator file, with the field that marks
// a shared range.
type joinEntry struct {
	Key        string `json:"key"`
	Slot       uint32 `json:"slot"`
	SharesWith string `json:"sharesWith"`
	Range      struct {
		UID  uint64 `json:"uid"`
		GID  uint64 `json:"gid"`
		Size uint64 `json:"size"`
	} `json:"range"`
	Owner struct {
		ID string `json:"id"`
	} `json:"owner"`
}

// joinEntries reads the allocator file and returns its entries by docker
// container ID.
func (s *suite) joinEntries(t *testing.T) map[string]joinEntry {
	t.Helper()
	data, err := os.ReadFile(s.idFile)
	require.NoError(t, err)
	var st struct {
		Version int         `json:"version"`
		Entries []joinEntry `json:"entries"`
	}
	require.NoError(t, json.Unmarshal(data, &st), "%s", data)
	require.Equal(t, 1, st.Version, "the file format keeps its version")
	out := map[string]joinEntry{}
	for _, e := range st.Entries {
		out[e.Owner.ID] = e
	}
	return out
}

// joinRun is `docker run --runtime=sysbox-lite` with the given options (no
// --network none: the options choose the network) and the test image.
func joinRun(opts []string, cmd ...string) []string {
	args := append([]string{"run", "--runtime=sysbox-lite"}, opts...)
	return append(append(args, testImage), cmd...)
}

// joinStart starts a detached sysbox-lite container with opts and requires
// it to run.
func (s *suite) joinStart(t *testing.T, name string, opts ...string) {
	t.Helper()
	s.mustDocker(t, joinRun(append([]string{"-d", "--name", name}, opts...), "sleep", "1000")...)
	require.Equal(t, "running", s.inspect(t, name, "{{.State.Status}}"), "container %s", name)
}

// nsLink reads a namespace link of a host process ("net:[4026532...]").
func nsLink(t *testing.T, pid int, ns string) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	require.NoError(t, err)
	return l
}

// TestJoinNamespaces: containers that join X's network, pid or ipc
// namespace run in X's user namespace, with X's uid and gid maps, and see
// what X shares with them.
func TestJoinNamespaces(t *testing.T) {
	s := setup(t)
	x := s.container(t, "x")
	s.joinStart(t, x, "--network", "none", "--ipc", "shareable")
	xpid := s.initPID(t, x)
	xUID, xGID := hostIDMaps(t, xpid)
	requirePoolRange(t, "x uid_map", xUID)
	xID := s.inspect(t, x, "{{.Id}}")

	// what each joining container prints: its maps and namespaces
	const show = "cat /proc/self/uid_map; echo ---; cat /proc/self/gid_map; echo ---; for n in user net pid ipc mnt; do readlink /proc/self/ns/$n; done"
	for _, tc := range []struct {
		flag   string
		shared []string // the namespaces it shares with x (besides user)
	}{
		{"--network", []string{"net"}},
		{"--pid", []string{"pid"}},
		{"--ipc", []string{"ipc"}},
	} {
		t.Run(strings.TrimPrefix(tc.flag, "--"), func(t *testing.T) {
			opts := []string{"--rm", "--name", s.container(t, "y"), tc.flag, "container:" + x}
			if tc.flag != "--network" {
				opts = append(opts, "--network", "none")
			}
			out := s.mustDocker(t, joinRun(opts, "sh", "-c", show)...)
			parts := strings.Split(out, "---")
			require.Len(t, parts, 3, "output: %s", out)
			assert.Equal(t, strings.Fields(xUID), strings.Fields(parts[0]), "%s container:X: uid_map is X's", tc.flag)
			assert.Equal(t, strings.Fields(xGID), strings.Fields(parts[1]), "%s container:X: gid_map is X's", tc.flag)
			links := strings.Fields(parts[2])
			require.Len(t, links, 5, "output: %s", out)
			got := map[string]string{"user": links[0], "net": links[1], "pid": links[2], "ipc": links[3], "mnt": links[4]}
			assert.Equal(t, nsLink(t, xpid, "user"), got["user"], "%s container:X joins X's user namespace", tc.flag)
			for _, ns := range []string{"net", "pid", "ipc", "mnt"} {
				if ns == tc.shared[0] {
					assert.Equal(t, nsLink(t, xpid, ns), got[ns], "%s container:X: the %s namespace is X's", tc.flag, ns)
				} else {
					assert.NotEqual(t, nsLink(t, xpid, ns), got[ns], "%s container:X: the %s namespace is its own", tc.flag, ns)
				}
			}
			t.Logf("%s container:X: uid_map %s, namespaces %v", tc.flag, strings.Join(strings.Fields(parts[0]), " "), links)
		})
	}

	t.Run("pid sees X's processes", func(t *testing.T) {
		out := s.mustDocker(t, joinRun([]string{"--rm", "--name", s.container(t, "ps"), "--pid", "container:" + x, "--network", "none"}, "ps", "-o", "pid,args")...)
		assert.Contains(t, out, "sleep 1000", "ps in a --pid container:X container shows X's sleep:\n%s", out)
		assert.Regexp(t, `(?m)^\s*1\s+sleep 1000$`, out, "X's init is PID 1 there:\n%s", out)
	})

	t.Run("ipc sees X's shared memory", func(t *testing.T) {
		s.mustDocker(t, "exec", x, "sh", "-c", "echo from-x > /dev/shm/joined")
		out := s.mustDocker(t, joinRun([]string{"--rm", "--name", s.container(t, "shm"), "--ipc", "container:" + x, "--network", "none"},
			"sh", "-c", "cat /dev/shm/joined; stat -c %u:%g /dev/shm/joined; echo from-y > /dev/shm/back")...)
		assert.Equal(t, "from-x\n0:0", out, "the file X's root wrote, owned by root")
		assert.Equal(t, "from-y", s.mustDocker(t, "exec", x, "cat", "/dev/shm/back"))
	})

	t.Run("privileged and detached, sharing the range in the allocator", func(t *testing.T) {
		y := s.container(t, "priv")
		s.joinStart(t, y, "--privileged", "--network", "container:"+x)
		ypid := s.initPID(t, y)
		yUID, yGID := hostIDMaps(t, ypid)
		assert.Equal(t, xUID, yUID)
		assert.Equal(t, xGID, yGID)
		assert.Equal(t, nsLink(t, xpid, "user"), nsLink(t, ypid, "user"))
		// root inside can configure the network namespace it shares (its
		// user namespace owns it) but still not the host's
		out := s.mustDocker(t, "exec", y, "sh", "-c", "ip link set lo down && ip link set lo up && echo ok")
		assert.Equal(t, "ok", out)

		entries := s.joinEntries(t)
		yID := s.inspect(t, y, "{{.Id}}")
		require.Contains(t, entries, xID)
		require.Contains(t, entries, yID)
		ex, ey := entries[xID], entries[yID]
		assert.Equal(t, ex.Slot, ey.Slot, "one slot")
		assert.Equal(t, ex.Range, ey.Range)
		assert.Empty(t, ex.SharesWith)
		assert.Equal(t, ex.Key, ey.SharesWith, "y's entry is marked as sharing x's")
		assert.Len(t, entries, 2, "no new range was allocated")

		// the namespaces y joined are pinned in its state directory, as
		// checked, and those pins are x's namespaces
		pins := s.joinPins(t, ey.Key)
		assert.Equal(t, map[string]string{"user": nsLinkStat(t, xpid, "user"), "network": nsLinkStat(t, xpid, "net")}, pins)
	})
}

// joinPins returns the namespace files pinned (bind-mounted) in a
// container's state directory, by name, as "dev:ino" of the namespace.
func (s *suite) joinPins(t *testing.T, key string) map[string]string {
	t.Helper()
	dir := filepath.Join(s.stateDir, key, "ns")
	mounts, err := readMounts()
	require.NoError(t, err)
	out := map[string]string{}
	for _, m := range mounts {
		if filepath.Dir(m.MountPoint) != dir {
			continue
		}
		assert.Equal(t, "nsfs", m.FSType, "pin %s", m.MountPoint)
		var st unix.Stat_t
		require.NoError(t, unix.Stat(m.MountPoint, &st))
		out[filepath.Base(m.MountPoint)] = fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return out
}

// nsLinkStat returns "dev:ino" of a host process's namespace.
func nsLinkStat(t *testing.T, pid int, ns string) string {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", pid, ns), &st))
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// TestJoinOwnerRemovedFirst: X goes first while Y, which joined X's network
// namespace, still runs: the range stays Y's in the allocator, a new
// container gets another range, and only once Y is gone is the range free.
func TestJoinOwnerRemovedFirst(t *testing.T) {
	s := setup(t)
	x, y, z, w := s.container(t, "x"), s.container(t, "y"), s.container(t, "z"), s.container(t, "w")
	s.joinStart(t, x, "--network", "none")
	xID := s.inspect(t, x, "{{.Id}}")
	xUID, _ := hostIDMaps(t, s.initPID(t, x))
	xRange := requirePoolRange(t, "x uid_map", xUID)
	s.joinStart(t, y, "--network", "container:"+x)
	yID := s.inspect(t, y, "{{.Id}}")
	ypid := s.initPID(t, y)

	// sysbox-lite's record of y: whose namespaces it joined, and its init
	before := s.joinEntries(t)
	data, err := os.ReadFile(filepath.Join(s.stateDir, before[yID].Key, "state.json"))
	require.NoError(t, err)
	var rec struct {
		SharesWith string `json:"sharesWith"`
		InitPID    int    `json:"initPid"`
	}
	require.NoError(t, json.Unmarshal(data, &rec))
	assert.Equal(t, before[xID].Key, rec.SharesWith)
	assert.Equal(t, ypid, rec.InitPID)

	s.mustDocker(t, "rm", "-f", x)
	require.Equal(t, "running", s.inspect(t, y, "{{.State.Status}}"), "y outlives x")
	yUID, _ := hostIDMaps(t, ypid)
	assert.Equal(t, xUID, yUID)
	entries := s.joinEntries(t)
	assert.NotContains(t, entries, xID, "x's entry went with x")
	require.Contains(t, entries, yID, "y's entry holds the range")
	assert.Equal(t, xRange.Outside, entries[yID].Range.UID)
	assert.Len(t, entries, 1)
	// y still works in the namespaces it joined
	assert.Equal(t, "ok", s.mustDocker(t, "exec", y, "sh", "-c", "ip link show lo >/dev/null && echo ok"))

	s.joinStart(t, z, "--network", "none")
	zUID, _ := hostIDMaps(t, s.initPID(t, z))
	zRange := requirePoolRange(t, "z uid_map", zUID)
	assert.NotEqual(t, xRange.Outside, zRange.Outside, "z gets a range of its own, not the one y still holds")
	assert.Len(t, s.joinEntries(t), 2)

	s.mustDocker(t, "rm", "-f", y)
	entries = s.joinEntries(t)
	assert.NotContains(t, entries, yID)
	for id, e := range entries {
		assert.NotEqual(t, xRange.Outside, e.Range.UID, "the range is free once y is gone, yet %s holds it", id)
	}
	// and it is handed out again: the lowest free slot
	s.joinStart(t, w, "--network", "none")
	wUID, _ := hostIDMaps(t, s.initPID(t, w))
	assert.Equal(t, xRange.Outside, requirePoolRange(t, "w uid_map", wUID).Outside, "w gets the range back")
}

// TestJoinRuncContainerRefused: the namespaces of a plain runc container
// belong to the host's user namespace: a sysbox-lite container may not join
// them, and the refusal names the flag.
func TestJoinRuncContainerRefused(t *testing.T) {
	s := setup(t)
	x2 := s.container(t, "runc")
	s.mustDocker(t, "run", "-d", "--name", x2, "--runtime=runc", "--network", "none", "--ipc", "shareable", testImage, "sleep", "1000")
	for _, tc := range []struct{ flag, ns string }{
		{"--network", "network"},
		{"--pid", "pid"},
		{"--ipc", "ipc"},
	} {
		t.Run(strings.TrimPrefix(tc.flag, "--"), func(t *testing.T) {
			opts := []string{"--name", s.container(t, "y"), tc.flag, "container:" + x2}
			if tc.flag != "--network" {
				opts = append(opts, "--network", "none")
			}
			r := s.docker(t, joinRun(opts, "true")...)
			require.Equal(t, 125, r.Code, "the create is refused: %s", r)
			t.Logf("%s container:runc: %s", tc.flag, strings.TrimSpace(r.Stderr))
			assert.Contains(t, r.Stderr, fmt.Sprintf("sysbox-lite: %s=container:NAME (the %s namespace at /proc/", tc.flag, tc.ns))
			assert.Contains(t, r.Stderr, "is refused: it belongs to the host's user namespace")
		})
	}
}

// TestJoinSysboxAndRuncRefused: a container that joins the namespaces of a
// sysbox-lite container and of a runc container is refused (it may join
// the namespaces of one user namespace only).
func TestJoinSysboxAndRuncRefused(t *testing.T) {
	s := setup(t)
	x, x2 := s.container(t, "x"), s.container(t, "runc")
	s.joinStart(t, x, "--network", "none")
	s.mustDocker(t, "run", "-d", "--name", x2, "--runtime=runc", "--network", "none", "--ipc", "shareable", testImage, "sleep", "1000")
	r := s.docker(t, joinRun([]string{"--name", s.container(t, "y"), "--network", "container:" + x, "--ipc", "container:" + x2}, "true")...)
	require.Equal(t, 125, r.Code, "the create is refused: %s", r)
	assert.Contains(t, r.Stderr, "sysbox-lite: --ipc=container:NAME (the ipc namespace at /proc/")
	assert.Len(t, s.joinEntries(t), 1, "the refused container holds no range")
}

// TestJoinCtrBoundNamespaceFiles: what a pod sandbox looks like to the
// runtime under containerd: namespaces joined through bind-mounted
// namespace files (like /run/netns/NAME) as well as /proc/PID/ns paths, by
// a container of another engine root (ctr's). A file of X's network
// namespace is joined, with X's user namespace and range; a network
// namespace made on the host (as CNI makes a pod's) is refused.
func TestJoinCtrBoundNamespaceFiles(t *testing.T) {
	s := setup(t)
	x := s.container(t, "x")
	s.joinStart(t, x, "--network", "none", "--ipc", "shareable")
	xpid := s.initPID(t, x)
	xUID, _ := hostIDMaps(t, xpid)

	ref := "docker.io/library/" + testImage
	dir := s.mkTempDir(t, "join-ctr-")
	tarball := filepath.Join(dir, "image.tar")
	s.mustDocker(t, "save", "-o", tarball, testImage)
	r := s.ctr(t, "images", "import", tarball)
	require.Zero(t, r.Code, "%s", r)
	t.Cleanup(func() { s.ctr(t, "images", "rm", ref) })

	// bind-mounted namespace files, as `ip netns` and CNI make them
	netns := filepath.Join(dir, "netns")
	require.NoError(t, os.Mkdir(netns, 0o755))
	bind := func(name, src string) string {
		p := filepath.Join(netns, name)
		require.NoError(t, os.WriteFile(p, nil, 0o444))
		require.NoError(t, unix.Mount(src, p, "", unix.MS_BIND, ""), "bind %s", src)
		t.Cleanup(func() { unix.Unmount(p, unix.MNT_DETACH) })
		return p
	}
	podNet := bind("pod", fmt.Sprintf("/proc/%d/ns/net", xpid))
	require.NoError(t, os.WriteFile(filepath.Join(netns, "cni"), nil, 0o444))
	r = s.run(t, "unshare", "--net="+filepath.Join(netns, "cni"), "true")
	require.Zero(t, r.Code, "make a network namespace on the host: %s", r)
	t.Cleanup(func() { unix.Unmount(filepath.Join(netns, "cni"), unix.MNT_DETACH) })

	ctrRun := func(id string, withNS []string, cmd ...string) result {
		t.Cleanup(func() {
			s.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
			s.ctr(t, "tasks", "rm", "-f", id)
			s.ctr(t, "containers", "rm", id)
		})
		args := []string{"run", "--rm", "--net-host=false",
			"--runc-binary", s.wrapper,
			"--runc-root", filepath.Join(s.daemonDir, "ctr-runc"),
			"--fifo-dir", filepath.Join(s.daemonDir, "fifo")}
		for _, ns := range withNS {
			args = append(args, "--with-ns", ns)
		}
		return s.ctr(t, append(append(args, ref, id), cmd...)...)
	}

	r = ctrRun("sbl-join-ctr-pod", []string{"network:" + podNet, fmt.Sprintf("ipc:/proc/%d/ns/ipc", xpid)},
		// the sleep: ctr run --rm can lose the output of a process that
		// exits at once (seen once on a loaded machine: only the first line)
		"sh", "-c", "cat /proc/self/uid_map; echo ---; for n in user net ipc; do readlink /proc/self/ns/$n; done; sleep 1")
	require.Zero(t, r.Code, "%s", r)
	parts := strings.Split(r.Stdout, "---")
	require.Len(t, parts, 2, "%s", r)
	assert.Equal(t, strings.Fields(xUID), strings.Fields(parts[0]), "the pod container has X's uid_map")
	assert.Equal(t, []string{nsLink(t, xpid, "user"), nsLink(t, xpid, "net"), nsLink(t, xpid, "ipc")}, strings.Fields(parts[1]),
		"it runs in X's user, network and ipc namespaces")

	// A network namespace made on the host that nothing is in is a pod's
	// (what CNI makes for a Kubernetes pod): joined, in a range of its own.
	cni := filepath.Join(netns, "cni")
	r = ctrRun("sbl-join-ctr-cni", []string{"network:" + cni}, "sh", "-c", "cat /proc/self/uid_map; echo ---; readlink /proc/self/ns/net")
	require.Zero(t, r.Code, "an empty network namespace made on the host is a pod's: %s", r)
	parts = strings.Split(r.Stdout, "---")
	require.Len(t, parts, 2, "%s", r)
	requirePoolRange(t, "uid_map in a pod's network namespace", parts[0])
	assert.Equal(t, fmt.Sprintf("net:[%d]", fileIno(t, cni)), strings.TrimSpace(parts[1]), "it runs in that namespace")

	// Once a host process is in it, it is nobody's pod namespace: refused.
	sleeper := exec.Command("nsenter", "--net="+cni, "--", "sleep", "1000")
	require.NoError(t, sleeper.Start())
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	require.Eventually(t, func() bool {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", sleeper.Process.Pid))
		return err == nil && l == fmt.Sprintf("net:[%d]", fileIno(t, cni))
	}, 10*time.Second, 20*time.Millisecond)
	r = ctrRun("sbl-join-ctr-cni-used", []string{"network:" + cni}, "true")
	require.NotZero(t, r.Code, "a network namespace made on the host with a host process in it is refused: %s", r)
	assert.Contains(t, r.Stderr, "sysbox-lite: --network=container:NAME (the network namespace at "+cni+") is refused: it belongs to the host's user namespace and is not a pod's network namespace (process ", "%s", r)
	t.Logf("ctr --with-ns network:%s: %s", cni, strings.TrimSpace(r.Stderr))
}

// fileIno is the inode number of a (namespace) file.
func fileIno(t *testing.T, path string) uint64 {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Stat(path, &st))
	return st.Ino
}
