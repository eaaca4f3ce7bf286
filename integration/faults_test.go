//go:build linux

package integration

// Fault injection (issue #7, part 3): sysbox-lite killed (SIGKILL) at each
// step of create, through the test-only SYSBOX_LITE_FAULT point of package
// runtime; then `delete --force` or `gc` must leave nothing behind. Also a
// full state directory, and a dockerd killed under running containers.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// faultPoints are the steps of create, in order; engineRan says whether the
// engine has the container at that point.
var faultPoints = []struct {
	name      string
	engineRan bool
}{
	{"allocated", false},
	{"assembled", false},
	{"supervised", false},
	{"flushed", false},
	{"engine-created", true},
}

// createWithFault runs `sysbox-lite create` with SYSBOX_LITE_FAULT=point and
// returns how it ended. Its stdio are files (not pipes): a container the
// engine created keeps them open.
func (e *ociEnv) createWithFault(t *testing.T, s *suite, id, point string) (syscall.WaitStatus, string) {
	t.Helper()
	out := filepath.Join(e.dir, "create-"+id+".out")
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()
	cmd := exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, id)
	cmd.Env = append(os.Environ(), "SYSBOX_LITE_FAULT="+point)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("create with fault %s did not end within 60 s", point)
	}
	data, _ := os.ReadFile(out)
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "create with fault %s should have died, got %v: %s", point, err, data)
	return exitErr.Sys().(syscall.WaitStatus), string(data)
}

// rootfsDigest describes the bundle's rootfs: every entry's path, mode,
// owner and size, and whether anything is mounted on or below it.
func rootfsDigest(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		size := info.Size()
		if info.IsDir() {
			size = 0
		}
		fmt.Fprintf(&b, "%s %v %d:%d %d\n", strings.TrimPrefix(p, root), info.Mode(), st.Uid, st.Gid, size)
		return nil
	}))
	mounts, err := readMounts()
	require.NoError(t, err)
	for _, m := range mounts {
		if isUnder(m.MountPoint, root) {
			fmt.Fprintf(&b, "MOUNTED %s %s\n", m.MountPoint, m.FSType)
		}
	}
	return b.String()
}

// stateKeys lists the container state directories of e.
func (e *ociEnv) stateKeys(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(e.state)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var keys []string
	for _, en := range entries {
		if en.IsDir() && en.Name() != "sock" {
			keys = append(keys, en.Name())
		}
	}
	return keys
}

// allocCount is the number of ranges allocated in e's pool file.
func (e *ociEnv) allocCount(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(e.idFile)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	require.NoError(t, err)
	var st struct{ Entries []json.RawMessage }
	require.NoError(t, json.Unmarshal(data, &st))
	return len(st.Entries)
}

func (e *ociEnv) supervisorRunning() bool {
	out, _ := exec.Command("pgrep", "-f", "supervise(-worker)? "+e.state).Output()
	return strings.TrimSpace(string(out)) != ""
}

// engineState is `runc --root <engineRoot> state ID`.
func (e *ociEnv) engineState(t *testing.T, s *suite, id string) result {
	t.Helper()
	return s.run(t, "runc", "--root", e.engineRoot, "state", id)
}

// checkCrashLeftovers asserts what a crash at point left (so that the test
// shows the cleanup had something to do).
func (e *ociEnv) checkCrashLeftovers(t *testing.T, s *suite, id, point string, engineRan bool) {
	t.Helper()
	assert.Len(t, e.stateKeys(t), 1, "the crash at %s left the container's state", point)
	assert.Equal(t, 1, e.allocCount(t), "the crash at %s left the range allocated", point)
	wantSupervisor := point != "allocated" && point != "assembled"
	assert.Equal(t, wantSupervisor, e.supervisorRunning(), "supervisor running after a crash at %s", point)
	st := e.engineState(t, s, id)
	if engineRan {
		require.Zero(t, st.Code, "the engine has the container after a crash at %s: %s", point, st)
		var state struct{ Status string }
		require.NoError(t, json.Unmarshal([]byte(st.Stdout), &state))
		assert.Equal(t, "created", state.Status, "runc state after a crash at %s", point)
	} else {
		assert.NotZero(t, st.Code, "the engine does not have the container after a crash at %s: %s", point, st)
	}
}

func TestFaultCrashAtEachCreateStepThenDeleteForce(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sleep", "100")
	original, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	for _, fp := range faultPoints {
		fp := fp
		t.Run(fp.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(e.bundle, "config.json"), original, 0o644))
			before := rootfsDigest(t, filepath.Join(e.bundle, "rootfs"))
			id := "fault-" + fp.name
			t0 := time.Now()
			ws, out := e.createWithFault(t, s, id, fp.name)
			t.Logf("create+crash took %s", time.Since(t0))
			require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "create died of SIGKILL at %s (status %v): %s", fp.name, ws, out)
			e.checkCrashLeftovers(t, s, id, fp.name, fp.engineRan)

			t0 = time.Now()
			r := e.sbl(t, s, "delete", "--force", id)
			t.Logf("delete took %s", time.Since(t0))
			require.Zero(t, r.Code, "%s", r)
			e.requireNothingLeft(t)
			assert.NotZero(t, e.engineState(t, s, id).Code, "the engine no longer has the container")
			assert.Equal(t, before, rootfsDigest(t, filepath.Join(e.bundle, "rootfs")), "the bundle's rootfs is intact")
			cfg, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
			require.NoError(t, err)
			assert.Equal(t, string(original), string(cfg), "the caller's config.json is never written to (crash at %s)", fp.name)
		})
	}
}

// gc cleans up after a crash before the engine ran; it leaves a container
// the engine has (a crash after the engine's create) to delete.
func TestFaultCrashThenGC(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sleep", "100")
	original, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	for _, fp := range faultPoints {
		fp := fp
		if os.Getenv("SBL_LONG") == "" && fp.name != "assembled" && fp.name != "engine-created" {
			continue // one point before the engine ran, one after; all with SBL_LONG=1
		}
		t.Run(fp.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(e.bundle, "config.json"), original, 0o644))
			before := rootfsDigest(t, filepath.Join(e.bundle, "rootfs"))
			id := "gc-" + fp.name
			ws, out := e.createWithFault(t, s, id, fp.name)
			require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "create died of SIGKILL at %s (status %v): %s", fp.name, ws, out)
			e.checkCrashLeftovers(t, s, id, fp.name, fp.engineRan)

			r := e.sbl(t, s, "gc")
			require.Zero(t, r.Code, "%s", r)
			if fp.engineRan {
				assert.Empty(t, strings.TrimSpace(r.Stdout), "gc leaves a container the engine has")
				assert.Len(t, e.stateKeys(t), 1, "gc kept the state of a container the engine has")
				assert.Equal(t, 1, e.allocCount(t), "gc kept the range of a container the engine has")
				r = e.sbl(t, s, "delete", "--force", id)
				require.Zero(t, r.Code, "%s", r)
			} else {
				assert.Contains(t, r.Stdout, "cleaned "+id+".", "gc reports what it cleaned")
			}
			e.requireNothingLeft(t)
			assert.Equal(t, before, rootfsDigest(t, filepath.Join(e.bundle, "rootfs")), "the bundle's rootfs is intact")
		})
	}
}

// A state directory on a full file system: create fails with ENOSPC and
// leaves nothing (the pool file lives elsewhere).
func TestFaultStateDirFull(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "true")
	require.NoError(t, os.MkdirAll(e.state, 0o711))
	require.NoError(t, unix.Mount("tmpfs", e.state, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=64k,mode=0711"))
	t.Cleanup(func() {
		for i := 0; i < 4; i++ { // the tmpfs and sysbox-lite's private bind, if any
			if err := unix.Unmount(e.state, unix.MNT_DETACH); err != nil {
				break
			}
		}
	})
	// sysbox-lite's own directories first (as a create would make them),
	// then fill every byte that is left.
	require.NoError(t, os.MkdirAll(filepath.Join(e.state, "sock"), 0o700))
	filler, err := os.Create(filepath.Join(e.state, "filler"))
	require.NoError(t, err)
	buf := make([]byte, 4096)
	for {
		if _, err = filler.Write(buf); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, unix.ENOSPC, "filling the tmpfs")
	require.NoError(t, filler.Close())
	// a few bytes into the last page, if any: as full as it gets
	var stfs unix.Statfs_t
	require.NoError(t, unix.Statfs(e.state, &stfs))
	t.Logf("state tmpfs: %d blocks free of %d", stfs.Bfree, stfs.Blocks)

	cfgPath := filepath.Join(e.bundle, "config.json")
	cfgBefore, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	allocBefore, _ := os.ReadFile(e.idFile)
	digest := rootfsDigest(t, filepath.Join(e.bundle, "rootfs"))

	r := e.sbl(t, s, "create", "--bundle", e.bundle, "full")
	assert.Equal(t, 1, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "sysbox-lite: ")
	assert.Contains(t, r.Stderr, "no space left on device", "the error says the disk is full: %s", r.Stderr)
	t.Logf("create on a full state dir: %s", strings.TrimSpace(r.Stderr))

	cfgAfter, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	assert.Equal(t, string(cfgBefore), string(cfgAfter), "config.json is unchanged")
	allocAfter, _ := os.ReadFile(e.idFile)
	assert.Equal(t, e.allocCount(t), 0, "no range left allocated (pool file before: %q, after: %q)", allocBefore, allocAfter)
	assert.Equal(t, digest, rootfsDigest(t, filepath.Join(e.bundle, "rootfs")), "the bundle's rootfs is intact")
	assert.Empty(t, e.stateKeys(t), "no container state left")
	assert.NotZero(t, e.engineState(t, s, "full").Code, "the engine never got the container")
	require.NoError(t, os.Remove(filepath.Join(e.state, "filler")))
	e.requireNothingLeft(t)
	mounts, err := readMounts()
	require.NoError(t, err)
	for _, m := range mounts {
		if isUnder(m.MountPoint, e.state) && m.MountPoint != e.state {
			assert.Fail(t, "left mounted", m.MountPoint)
		}
	}
}

// dockerd SIGKILLed under two running sysbox-lite containers, then
// restarted: what docker reports, and `docker rm -f` leaves nothing. It needs
// a daemon pair of its own (~30 s): SBL_LONG=1.
func TestFaultDockerdKilled(t *testing.T) {
	s := setup(t)
	if os.Getenv("SBL_LONG") == "" {
		t.Skip("needs a private dockerd+containerd pair of its own (about 30 s): set SBL_LONG=1")
	}
	dir := s.mkTempDir(t, "dkill-")
	state := filepath.Join(dir, "sbl-state")
	idFile := filepath.Join(dir, "ids.json")
	cfgPath := filepath.Join(dir, "sbl.toml")
	cfg := fmt.Sprintf("state_dir = %q\n[idpool]\nfile = %q\nsubuid_file = %q\nsubgid_file = %q\n[policy]\naudit_log = %q\n",
		state, idFile, filepath.Join(s.tmp, "subuid"), filepath.Join(s.tmp, "subgid"), filepath.Join(dir, "audit.log"))
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o644))
	dj, err := json.Marshal(map[string]any{"runtimes": map[string]any{"sysbox-lite": map[string]any{
		"path": s.bin, "runtimeArgs": []string{"--sysbox-config", cfgPath}}}})
	require.NoError(t, err)
	djPath := filepath.Join(dir, "daemon.json.in")
	require.NoError(t, os.WriteFile(djPath, dj, 0o644))
	daemonDir := filepath.Join(dir, "d")
	host := "unix://" + filepath.Join(daemonDir, "docker.sock")
	script := func(name string, args ...string) ([]byte, error) {
		cmd := exec.Command(filepath.Join(s.repo, "hack", name), args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+s.dockerCfg)
		return cmd.CombinedOutput()
	}
	docker := func(args ...string) result {
		t.Helper()
		return s.run(t, "env", append([]string{"DOCKER_HOST=" + host, "docker"}, args...)...)
	}
	t.Cleanup(func() {
		out, err := script("private-daemon.sh", "stop", daemonDir)
		assert.NoError(t, err, "stop the private pair: %s", out)
		_ = unix.Unmount(state, unix.MNT_DETACH)
		mounts, _ := readMounts()
		for _, m := range mounts {
			assert.False(t, isUnder(m.MountPoint, dir), "left mounted: %s", m.MountPoint)
		}
	})
	out, err := script("private-daemon.sh", "start", daemonDir, djPath)
	require.NoError(t, err, "%s", out)
	out, err = script("load-image.sh", testImage)
	require.NoError(t, err, "%s", out)

	names := []string{"dkill-a", "dkill-b"}
	inits := map[string]int{}
	for _, n := range names {
		r := docker("run", "-d", "--runtime=sysbox-lite", "--network", "none", "--name", n, testImage, "sleep", "1000")
		require.Zero(t, r.Code, "%s", r)
		r = docker("inspect", "-f", "{{.State.Pid}}", n)
		require.Zero(t, r.Code, "%s", r)
		pid, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
		require.NoError(t, err)
		inits[n] = pid
	}
	keys, err := os.ReadDir(state)
	require.NoError(t, err)
	require.Len(t, keys, 3, "two container states and sock/")

	pidData, err := os.ReadFile(filepath.Join(daemonDir, "dockerd.pid"))
	require.NoError(t, err)
	dpid, err := strconv.Atoi(strings.TrimSpace(string(pidData)))
	require.NoError(t, err)
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", dpid))
	require.NoError(t, err)
	argv := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	require.NoError(t, syscall.Kill(dpid, syscall.SIGKILL))
	for i := 0; i < 100; i++ {
		if _, _, ok := procStat(dpid); !ok {
			break
		}
		if _, st, _ := procStat(dpid); st == "Z" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for n, pid := range inits {
		_, st, ok := procStat(pid)
		assert.True(t, ok && st != "Z", "%s keeps running under containerd while dockerd is dead", n)
	}

	// dockerd again, as the script started it (containerd kept running).
	// The killed dockerd may linger as a zombie (its parent is a PID 1 that
	// does not reap), which dockerd's own pid-file check takes for alive.
	require.NoError(t, os.Remove(filepath.Join(daemonDir, "dockerd.pid")))
	logf, err := os.OpenFile(filepath.Join(daemonDir, "dockerd.log"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	require.NoError(t, err)
	defer logf.Close()
	restart := exec.Command(argv[0], argv[1:]...)
	restart.Stdout, restart.Stderr = logf, logf
	restart.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	require.NoError(t, restart.Start())
	go restart.Wait() //nolint:errcheck // reaped only; stopped through its pid file
	deadline := time.Now().Add(60 * time.Second)
	for docker("version").Code != 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if docker("version").Code != 0 {
		log, _ := os.ReadFile(filepath.Join(daemonDir, "dockerd.log"))
		if len(log) > 3000 {
			log = log[len(log)-3000:]
		}
		t.Fatalf("dockerd does not answer after the restart; log tail:\n%s", log)
	}

	r := docker("ps", "-a", "--format", "{{.Names}} {{.State}} {{.Status}}")
	require.Zero(t, r.Code, "%s", r)
	t.Logf("after dockerd's restart: %s", r.Stdout)
	for _, n := range names {
		st := docker("inspect", "-f", "{{.State.Status}} {{.State.Pid}} {{.State.ExitCode}}", n)
		require.Zero(t, st.Code, "%s is still known to docker: %s", n, st)
		f := strings.Fields(st.Stdout)
		// docker 28 without live-restore: running containers are stopped
		// when the daemon restores them (reported exited); their init is gone.
		assert.Equal(t, "exited", f[0], "%s after the restart: %s", n, st.Stdout)
		_, pst, ok := procStat(inits[n])
		assert.False(t, ok && pst != "Z", "%s's init is gone", n)
	}
	r = docker(append([]string{"rm", "-f"}, names...)...)
	require.Zero(t, r.Code, "%s", r)

	entries, err := os.ReadDir(state)
	require.NoError(t, err)
	for _, en := range entries {
		if en.Name() == "sock" {
			socks, _ := os.ReadDir(filepath.Join(state, "sock"))
			assert.Empty(t, socks, "listener sockets left")
			continue
		}
		assert.Fail(t, "container state left", en.Name())
	}
	if data, err := os.ReadFile(idFile); err == nil {
		var st struct{ Entries []json.RawMessage }
		require.NoError(t, json.Unmarshal(data, &st))
		assert.Empty(t, st.Entries, "ranges left allocated")
	}
	sup, _ := exec.Command("pgrep", "-f", "supervise(-worker)? "+state).Output()
	assert.Empty(t, strings.TrimSpace(string(sup)), "supervisors left")
	mounts, err := readMounts()
	require.NoError(t, err)
	for _, m := range mounts {
		if isUnder(m.MountPoint, state) && m.MountPoint != state {
			assert.Fail(t, "left mounted", m.MountPoint)
		}
	}
}
