package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/rootfs"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

var joinRange = userns.Range{UID: 1048576, GID: 1114112, Size: 65536}

// startInit starts a process in new user, network and ipc namespaces mapped
// to r: the stand-in for a container's init.
func startInit(t *testing.T, r userns.Range) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(r.UID), Size: int(r.Size)}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(r.GID), Size: int(r.Size)}},
		Pdeathsig:   syscall.SIGKILL,
	}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// joinRuntime is a runtime whose store and engine root live in a temp dir.
func joinRuntime(t *testing.T) (*Runtime, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.StateDir = filepath.Join(dir, "state")
	log := logrus.New()
	log.SetOutput(os.Stderr)
	return &Runtime{Config: cfg, Log: log}, filepath.Join(dir, "engine")
}

// saveContainer records a live container (engine state and all) whose init
// is pid.
func saveContainer(t *testing.T, rt *Runtime, engineRoot, id string, pid int, r userns.Range, sharesWith string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(engineRoot, id), 0o700))
	start, err := userns.ProcessStartTime(pid)
	require.NoError(t, err)
	key := Key(engineRoot, id)
	require.NoError(t, os.MkdirAll(rt.Store().Path(key), 0o700))
	require.NoError(t, rt.Store().Save(key, Container{ID: id, EngineRoot: engineRoot, Range: r, Allocated: true,
		InitPID: pid, InitStart: start, SharesWith: sharesWith, Created: time.Now()}))
	return key
}

func joinSpec(nss ...specs.LinuxNamespace) *specs.Spec {
	return &specs.Spec{Linux: &specs.Linux{Namespaces: append([]specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}}, nss...)}}
}

func TestResolveJoins(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mapping a user namespace to a range needs root")
	}
	rt, engineRoot := joinRuntime(t)
	x := startInit(t, joinRange)
	other := startInit(t, userns.Range{UID: 2000000, GID: 2000000, Size: 65536})
	xKey := saveContainer(t, rt, engineRoot, "x", x.Process.Pid, joinRange, "")
	// y joined x: same user namespace; the owner is preferred for sharing
	saveContainer(t, rt, engineRoot, "y", x.Process.Pid, joinRange, xKey)
	// a record whose init is someone else now (PID reused): not trusted
	stale := saveContainer(t, rt, engineRoot, "stale", other.Process.Pid, userns.Range{UID: 2000000, GID: 2000000, Size: 65536}, "")
	c, _, err := rt.Store().Load(stale)
	require.NoError(t, err)
	c.InitStart++
	require.NoError(t, rt.Store().Save(stale, c))

	xNet := fmt.Sprintf("/proc/%d/ns/net", x.Process.Pid)
	xIPC := fmt.Sprintf("/proc/%d/ns/ipc", x.Process.Pid)
	xUser := fmt.Sprintf("/proc/%d/ns/user", x.Process.Pid)
	otherNet := fmt.Sprintf("/proc/%d/ns/net", other.Process.Pid)
	spec := joinSpec(
		specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: xNet},
		specs.LinuxNamespace{Type: specs.IPCNamespace, Path: xIPC},
		specs.LinuxNamespace{Type: specs.UserNamespace, Path: xUser},
		specs.LinuxNamespace{Type: specs.UTSNamespace, Path: "/proc/self/ns/uts"},
		specs.LinuxNamespace{Type: specs.CgroupNamespace, Path: otherNet},
	)
	j, err := rt.resolveJoins(spec, "new")
	require.NoError(t, err)
	defer j.Close()

	require.NotNil(t, j.peer)
	assert.Equal(t, xKey, j.peer.key, "the container that allocated the range comes first")
	require.Len(t, j.peers, 2)
	xUserID, err := userns.NamespaceIDAt(xUser)
	require.NoError(t, err)
	for _, p := range []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: xNet}, {Type: specs.IPCNamespace, Path: xIPC}, {Type: specs.UserNamespace, Path: xUser}} {
		got, err := j.classify(string(p.Type), p.Path)
		require.NoError(t, err, p.Path)
		assert.Equal(t, confine.JoinedNamespace{Owner: confine.OwnedByContainer, Container: "x", UserNS: xUserID.String()}, got, p.Path)
	}
	got, err := j.classify("uts", "/proc/self/ns/uts")
	require.NoError(t, err)
	assert.Equal(t, confine.OwnedByHost, got.Owner)
	_, err = j.classify("cgroup", otherNet)
	assert.ErrorContains(t, err, "is not a cgroup namespace")
	_, err = j.classify("network", "/never/seen")
	assert.ErrorContains(t, err, "not examined")

	j2, err := rt.resolveJoins(joinSpec(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: otherNet}), "new")
	require.NoError(t, err)
	defer j2.Close()
	got, err = j2.classify("network", otherNet)
	require.NoError(t, err)
	assert.Equal(t, confine.OwnedByOther, got.Owner, "a recorded init whose start time differs is not the container's")
	assert.Nil(t, j2.peer)

	// the container's own record is never its peer
	j3, err := rt.resolveJoins(joinSpec(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: xNet}), xKey)
	require.NoError(t, err)
	defer j3.Close()
	require.NotNil(t, j3.peer)
	assert.Equal(t, "y", j3.peer.c.ID)
}

func TestResolveJoinsRangeMismatch(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mapping a user namespace to a range needs root")
	}
	rt, engineRoot := joinRuntime(t)
	x := startInit(t, joinRange)
	saveContainer(t, rt, engineRoot, "x", x.Process.Pid, userns.Range{UID: 5000000, GID: 5000000, Size: 65536}, "")
	xNet := fmt.Sprintf("/proc/%d/ns/net", x.Process.Pid)
	j, err := rt.resolveJoins(joinSpec(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: xNet}), "new")
	require.NoError(t, err)
	defer j.Close()
	assert.Nil(t, j.peer)
	_, err = j.classify("network", xNet)
	assert.ErrorContains(t, err, "container x: its user namespace does not map its recorded range")
}

func TestPinJoins(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mapping a user namespace to a range and mounting need root")
	}
	rt, engineRoot := joinRuntime(t)
	x := startInit(t, joinRange)
	saveContainer(t, rt, engineRoot, "x", x.Process.Pid, joinRange, "")
	xNet := fmt.Sprintf("/proc/%d/ns/net", x.Process.Pid)
	spec := joinSpec(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: xNet})
	j, err := rt.resolveJoins(spec, "new")
	require.NoError(t, err)
	defer j.Close()
	state := filepath.Join(t.TempDir(), "new")
	require.NoError(t, os.Mkdir(state, 0o700))
	t.Cleanup(func() { rootfs.UnmountAllUnder(state) })

	require.NoError(t, userns.NewModifier(joinRange, userns.JoinNamespace(j.userPath(state))).Modify(spec))
	require.NoError(t, j.pin(state, spec))
	assert.Equal(t, []specs.LinuxNamespace{
		{Type: specs.PIDNamespace}, {Type: specs.MountNamespace},
		{Type: specs.NetworkNamespace, Path: filepath.Join(state, "ns", "network")},
		{Type: specs.UserNamespace, Path: filepath.Join(state, "ns", "user")},
	}, spec.Linux.Namespaces)
	for file, orig := range map[string]string{"network": xNet, "user": fmt.Sprintf("/proc/%d/ns/user", x.Process.Pid)} {
		want, err := userns.NamespaceIDAt(orig)
		require.NoError(t, err)
		got, err := userns.NamespaceIDAt(filepath.Join(state, "ns", file))
		require.NoError(t, err)
		assert.Equal(t, want, got, "the pin of %s", file)
	}

	// the pins outlive the process: the namespace is still that one
	want, err := userns.NamespaceIDAt(xNet)
	require.NoError(t, err)
	x.Process.Kill()
	x.Wait()
	got, err := userns.NamespaceIDAt(filepath.Join(state, "ns", "network"))
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, rootfs.UnmountAllUnder(state))
	mounted, err := rootfs.IsMounted(state)
	require.NoError(t, err)
	assert.False(t, mounted)
}
