//go:build linux

package integration

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOCIBundleNeverWritten: two containers created from one bundle at
// once (runc allows it; runc's own list and --root tests do it) both run,
// each in a range of its own, and the caller's config.json is byte for byte
// what it was while they live and after they are deleted: the engine gets
// sysbox-lite's private bundle in the container's state directory. A
// relative bind source is resolved against the caller's bundle, as runc
// does.
func TestOCIBundleNeverWritten(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sh", "-c", "cat /data/hello; sleep 100")
	data := filepath.Join(e.bundle, "data")
	require.NoError(t, os.Mkdir(data, 0o755))
	require.NoError(t, os.Chown(data, 1000, 1000))
	require.NoError(t, os.WriteFile(filepath.Join(data, "hello"), []byte("hello\n"), 0o644))
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["mounts"] = append(spec["mounts"].([]any), map[string]any{
			"destination": "/data", "type": "bind", "source": "data", "options": []any{"rbind", "ro"},
		})
	})
	orig, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	unchanged := func(when string) {
		t.Helper()
		now, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
		require.NoError(t, err)
		assert.Equal(t, string(orig), string(now), "config.json %s", when)
	}
	var pids []int
	for _, id := range []string{"oci-twin-1", "oci-twin-2"} {
		// A created container keeps the caller's stdio: give it a file,
		// not the pipes the test would wait on.
		logPath := filepath.Join(e.dir, id+".out")
		out, err := os.Create(logPath)
		require.NoError(t, err)
		cmd := exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, id)
		cmd.Stdout, cmd.Stderr = out, out
		err = cmd.Run()
		out.Close()
		logged, _ := os.ReadFile(logPath)
		require.NoError(t, err, "create %s from the shared bundle: %s", id, logged)
		t.Cleanup(func() { e.sbl(t, s, "delete", "--force", id) })
		unchanged("after create " + id)
		r := e.sbl(t, s, "start", id)
		require.Zero(t, r.Code, "%s", r)
		st := e.sbl(t, s, "state", id)
		require.Zero(t, st.Code, "%s", st)
		var state struct {
			Pid    int    `json:"pid"`
			Bundle string `json:"bundle"`
		}
		require.NoError(t, json.Unmarshal([]byte(st.Stdout), &state))
		require.NotZero(t, state.Pid)
		pids = append(pids, state.Pid)
	}
	u1, _ := hostIDMaps(t, pids[0])
	u2, _ := hostIDMaps(t, pids[1])
	assert.NotEqual(t, requirePoolRange(t, "twin 1", u1).Outside, requirePoolRange(t, "twin 2", u2).Outside, "each has a range of its own")
	for i, pid := range pids {
		out, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "root", "data", "hello"))
		require.NoError(t, err, "the relative bind source reached container %d", i+1)
		assert.Equal(t, "hello\n", string(out))
	}
	for _, id := range []string{"oci-twin-1", "oci-twin-2"} {
		r := e.sbl(t, s, "delete", "--force", id)
		require.Zero(t, r.Code, "%s", r)
	}
	unchanged("after delete")
	e.requireNothingLeft(t)
}

// TestOCIOwnSeccompAgentRefused: a spec that sends calls to a seccomp agent
// of its own (runc's seccomp-notify tests) is refused with the reason,
// instead of having its calls answered by sysbox-lite's supervisor; nothing
// is left behind.
func TestOCIOwnSeccompAgentRefused(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "mkdir", "/dev/shm/foo")
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["linux"].(map[string]any)["seccomp"] = map[string]any{
			"defaultAction": "SCMP_ACT_ALLOW",
			"listenerPath":  filepath.Join(e.dir, "agent.sock"),
			"architectures": []any{"SCMP_ARCH_X86_64"},
			"syscalls":      []any{map[string]any{"names": []any{"mkdir", "mkdirat"}, "action": "SCMP_ACT_NOTIFY"}},
		}
	})
	r := e.sbl(t, s, "run", "--bundle", e.bundle, "oci-agent")
	assert.NotZero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "notify rules of its own", "%s", r)
	e.requireNothingLeft(t)
}

// TestOCIRefusalReleasesConsoleSocket: a create that is refused before the
// engine runs hangs up on the caller's --console-socket, so a caller
// waiting there for the terminal (runc's recvtty, containerd's shim) is not
// left waiting (runc's update.bats hung on it).
func TestOCIRefusalReleasesConsoleSocket(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "true")
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["process"].(map[string]any)["terminal"] = true
		var kept []any
		for _, ns := range spec["linux"].(map[string]any)["namespaces"].([]any) {
			if ns.(map[string]any)["type"] != "pid" {
				kept = append(kept, ns)
			}
		}
		spec["linux"].(map[string]any)["namespaces"] = kept // --pid=host: refused
	})
	sock := filepath.Join(e.dir, "console.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	defer l.Close()
	accepted := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			accepted <- err
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Read(make([]byte, 1))
		accepted <- err // io.EOF: hung up without sending anything
	}()
	r := e.sbl(t, s, "create", "--bundle", e.bundle, "--console-socket", sock, "oci-console")
	require.NotZero(t, r.Code, "%s", r)
	assert.Contains(t, r.Stderr, "is refused")
	select {
	case err := <-accepted:
		assert.ErrorIs(t, err, io.EOF, "the console socket was connected and hung up")
	case <-time.After(15 * time.Second):
		t.Fatal("nobody connected to the console socket: its owner would wait forever")
	}
	e.requireNothingLeft(t)
}
