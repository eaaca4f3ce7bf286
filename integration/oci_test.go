package integration

// Bare OCI runtime tests: sysbox-lite driven directly with runc's command
// line on a bundle, as containerd's shim or a user of runc would, with a
// config of its own (its own state directory, pool file and engine), so that
// a crash can be staged without touching the suite's daemons.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// ociEnv is one private sysbox-lite configuration and a busybox bundle.
type ociEnv struct {
	dir, config, state, idFile, engineRoot, bundle string
}

// newOCIEnv makes a config (engine: the given binary or script) and a
// bundle whose process runs args. The cleanup unmounts the state directory
// (sysbox-lite makes it a private mount of its own) and checks nothing of
// ours is left mounted.
func (s *suite) newOCIEnv(t *testing.T, engine string, args ...string) *ociEnv {
	t.Helper()
	dir := s.mkTempDir(t, "oci-")
	e := &ociEnv{
		dir:        dir,
		config:     filepath.Join(dir, "config.toml"),
		state:      filepath.Join(dir, "state"),
		idFile:     filepath.Join(dir, "ids.json"),
		engineRoot: filepath.Join(dir, "engine"),
		bundle:     filepath.Join(dir, "bundle"),
	}
	subid := filepath.Join(s.tmp, "subuid")
	cfg := fmt.Sprintf("engine = %q\nstate_dir = %q\n[idpool]\nfile = %q\nsubuid_file = %q\nsubgid_file = %q\n[policy]\naudit_log = %q\n",
		engine, e.state, e.idFile, subid, filepath.Join(s.tmp, "subgid"), filepath.Join(dir, "audit.log"))
	require.NoError(t, os.WriteFile(e.config, []byte(cfg), 0o644))
	out, err := s.hack("busybox-rootfs.sh", filepath.Join(e.bundle, "rootfs"))
	require.NoError(t, err, "%s", out)
	spec := exec.Command("runc", "spec", "--bundle", e.bundle)
	specOut, err := spec.CombinedOutput()
	require.NoError(t, err, "%s", specOut)
	rewriteSpec(t, e.bundle, args)
	t.Cleanup(func() {
		_ = unix.Unmount(e.state, unix.MNT_DETACH)
		mounts, err := readMounts()
		require.NoError(t, err)
		for _, m := range mounts {
			assert.False(t, isUnder(m.MountPoint, dir), "left mounted: %s", m.MountPoint)
		}
	})
	return e
}

// rewriteSpec sets the process of runc's default spec: args, no terminal,
// a writable root.
func rewriteSpec(t *testing.T, bundle string, args []string) {
	t.Helper()
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var spec map[string]any
	require.NoError(t, json.Unmarshal(data, &spec))
	proc := spec["process"].(map[string]any)
	proc["args"] = args
	proc["terminal"] = false
	spec["root"].(map[string]any)["readonly"] = false
	data, err = json.Marshal(spec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// sbl runs sysbox-lite with this environment's config and engine root.
func (e *ociEnv) sbl(t *testing.T, s *suite, args ...string) result {
	t.Helper()
	return s.run(t, s.bin, append([]string{"--sysbox-config", e.config, "--root", e.engineRoot}, args...)...)
}

// requireNothingLeft checks this environment holds no container state,
// range, supervisor or mount.
func (e *ociEnv) requireNothingLeft(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(e.state)
	if err == nil {
		for _, en := range entries {
			if en.Name() == "sock" {
				socks, _ := os.ReadDir(filepath.Join(e.state, "sock"))
				assert.Empty(t, socks, "listener sockets left")
				continue
			}
			assert.Fail(t, "container state left", en.Name())
		}
	}
	if data, err := os.ReadFile(e.idFile); err == nil {
		var st struct{ Entries []json.RawMessage }
		require.NoError(t, json.Unmarshal(data, &st))
		assert.Empty(t, st.Entries, "ranges left allocated")
	}
	mounts, err := readMounts()
	require.NoError(t, err)
	for _, m := range mounts {
		if isUnder(m.MountPoint, e.dir) && m.MountPoint != e.state {
			assert.Fail(t, "left mounted", m.MountPoint)
		}
	}
	out, _ := exec.Command("pgrep", "-f", "supervise(-worker)? "+e.state).Output()
	assert.Empty(t, strings.TrimSpace(string(out)), "supervisor left running")
}

func TestOCIRunPlainDirectoryRoot(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sh", "-c", "cat /proc/self/uid_map; touch /made; exit 3")
	orig, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	r := e.sbl(t, s, "run", "--bundle", e.bundle, "oci-run")
	assert.Equal(t, 3, r.Code, "the container's exit code comes through: %s", r)
	m := requirePoolRange(t, "uid_map", r.Stdout)
	assert.Zero(t, m.Inside)
	uid, gid := fileOwner(t, filepath.Join(e.bundle, "rootfs", "made"))
	assert.Equal(t, [2]uint32{0, 0}, [2]uint32{uid, gid}, "a file root made inside is owned by host root in a plain-directory root, as under runc")
	after, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(orig), string(after), "run restores the bundle's config.json when it is done")
	e.requireNothingLeft(t)
}

func TestOCIMalformedConfigIsACleanError(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "true")
	cases := map[string]string{
		"malformed":     `{"ociVersion": "1.0.2", "process": `,
		"unknown field": `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"cwd":"/","args":["true"]},"linux":{},"surprise":true}`,
		"bad mapping": `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"cwd":"/","args":["true"]},
			"linux":{"uidMappings":[{"containerID":0,"hostID":0,"size":65536}],"gidMappings":[{"containerID":0,"hostID":0,"size":65536}]}}`,
	}
	want := map[string]string{
		"malformed":     "invalid config",
		"unknown field": `unknown field "surprise"`,
		"bad mapping":   "maps host ID 0",
	}
	for name, config := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(e.bundle, "config.json")
			require.NoError(t, os.WriteFile(path, []byte(config), 0o644))
			logFile := filepath.Join(e.dir, "log-"+strings.ReplaceAll(name, " ", "-")+".json")
			r := e.sbl(t, s, "--log", logFile, "--log-format", "json", "create", "--bundle", e.bundle, "bad")
			assert.Equal(t, 1, r.Code, "%s", r)
			assert.Contains(t, r.Stderr, "sysbox-lite: ")
			assert.Contains(t, r.Stderr, want[name])
			assert.Empty(t, r.Stdout, "nothing on stdout")
			data, err := os.ReadFile(logFile)
			require.NoError(t, err)
			var last map[string]string
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var entry map[string]string
				require.NoError(t, json.Unmarshal([]byte(line), &entry), "every log line is JSON: %s", line)
				if entry["level"] == "error" {
					last = entry
				}
			}
			require.NotNil(t, last, "an error line for containerd to show")
			assert.True(t, strings.HasPrefix(last["msg"], "sysbox-lite: "), last["msg"])
			assert.Contains(t, last["msg"], want[name])
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, config, string(after), "the bundle is untouched")
			e.requireNothingLeft(t)
		})
	}
}

// A crash of sysbox-lite half-way through create (after the root is
// assembled and the supervisor started, while the engine runs) leaves
// state that `delete --force` undoes.
func TestOCICrashDuringCreateThenDeleteForce(t *testing.T) {
	s := setup(t)
	dir := s.mkTempDir(t, "slow-engine-")
	engine := filepath.Join(dir, "engine.sh")
	script := "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = create ] && exec sleep 60; done\nexec runc \"$@\"\n"
	require.NoError(t, os.WriteFile(engine, []byte(script), 0o755))
	e := s.newOCIEnv(t, engine, "sleep", "100")

	cmd := exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, "crashy")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	rootMounted := func() bool {
		mounts, err := readMounts()
		if err != nil {
			return false
		}
		for _, m := range mounts {
			if isUnder(m.MountPoint, e.state) && strings.HasSuffix(m.MountPoint, "/rootfs") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(20 * time.Second)
	for !rootMounted() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.True(t, rootMounted(), "create assembled the root")
	time.Sleep(200 * time.Millisecond) // into the engine's (endless) create
	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL), "kill sysbox-lite and the engine")
	_ = cmd.Wait()

	entries, err := os.ReadDir(e.state)
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "the crash left state behind (what this test is about)")

	r := e.sbl(t, s, "delete", "--force", "crashy")
	require.Zero(t, r.Code, "%s", r)
	e.requireNothingLeft(t)
}

// runc lets a bundle be used again; delete gives it back as it came.
func TestOCIBundleReusedAfterDelete(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sleep", "100")
	orig, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		// The created container keeps the stdio it was given until it is
		// deleted: create must not be handed the pipes s.run waits on.
		create := exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, "reuse")
		require.NoError(t, create.Run(), "create #%d (stdio on /dev/null)", i+1)
		r := e.sbl(t, s, "delete", "--force", "reuse")
		require.Zero(t, r.Code, "delete #%d: %s", i+1, r)
		after, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
		require.NoError(t, err)
		assert.JSONEq(t, string(orig), string(after), "delete #%d restores the bundle", i+1)
	}
	e.requireNothingLeft(t)
}
