//go:build linux

package integration

import (
	"bytes"
	"context"
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

	"github.com/sysbox-lite/sysbox-lite/internal/testregistry"
)

// The CRI (Kubernetes' container runtime interface) tests run a private
// containerd with its CRI plugin (hack/cri-containerd.sh): runtime handlers
// "sysbox-lite" and "runc", pods on an isolated CNI network (lo and a veth
// pair inside the pod, hack/cni/sbl-isolated), images from an in-memory
// registry on 127.0.0.1 (internal/testregistry) that containerd reaches
// through registry mirrors. crictl comes from hack/cri-tools.sh (a pinned
// cri-tools, cached outside the clone). Nothing leaves the machine.

var (
	criToolsDir buildOnce // hack/cri-tools.sh's directory (crictl, critest)
	criRegistry buildOnce // 127.0.0.1:PORT of the test registry
)

// criTools returns the directory holding crictl and critest.
func (s *suite) criTools(t *testing.T) string {
	return criToolsDir.get(t, "hack/cri-tools.sh", func() (string, error) {
		cmd := exec.Command(filepath.Join(s.repo, "hack", "cri-tools.sh"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("hack/cri-tools.sh: %w\n%s", err, stderr.Bytes())
		}
		return strings.TrimSpace(string(out)), nil
	})
}

// registry serves the test images (built once per run) on 127.0.0.1 for
// the rest of the run and returns its address.
func (s *suite) registry(t *testing.T) string {
	return criRegistry.get(t, "test image registry", func() (string, error) {
		testbin := filepath.Join(s.tmp, "bin", "testbin")
		cmd := exec.Command("go", "build", "-o", testbin, "./internal/testregistry/testbin")
		cmd.Dir = s.repo
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build testbin: %w\n%s", err, out)
		}
		images, err := testregistry.Build("/bin/busybox", testbin)
		if err != nil {
			return "", err
		}
		srv, err := testregistry.Start(0)
		if err != nil {
			return "", err
		}
		// Served until the test binary exits: a listener on 127.0.0.1 of
		// this process leaves nothing behind.
		if err := srv.Push(images); err != nil {
			srv.Close()
			return "", err
		}
		return srv.Addr, nil
	})
}

// criDaemon is one private containerd with CRI.
type criDaemon struct {
	s      *suite
	dir    string
	sock   string
	crictl string
}

// criOptions choose the containerd build and how handler sysbox-lite runs.
type criOptions struct {
	containerd string // containerd binary; "" is Debian's (PATH)
	shim       string // containerd-shim-sysbox-lite-v2; "" is the runc shim with BinaryName
}

// startCRI starts a private containerd with CRI for the test and stops it
// (by PID, pods first) when the test ends.
func (s *suite) startCRI(t *testing.T, name string, o criOptions) *criDaemon {
	t.Helper()
	tools := s.criTools(t)
	reg := s.registry(t)
	dir, err := os.MkdirTemp(s.tmp, "cri-"+name+"-")
	require.NoError(t, err)
	d := &criDaemon{s: s, dir: dir, sock: filepath.Join(dir, "containerd.sock"), crictl: filepath.Join(tools, "crictl")}
	env := []string{"SBL_RUNTIME=" + s.wrapper, "REGISTRY=" + reg, "CRICTL=" + d.crictl}
	if o.containerd != "" {
		env = append(env, "CONTAINERD="+o.containerd)
	}
	if o.shim != "" {
		env = append(env, "SBL_SHIM="+o.shim)
	}
	t.Cleanup(func() {
		if out, err := d.script(env, "stop"); err != nil {
			t.Errorf("stop the CRI containerd: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	out, err := d.script(env, "start")
	require.NoError(t, err, "start the CRI containerd: %s", out)
	cfg := fmt.Sprintf("runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 60\n", d.sock, d.sock)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "crictl.yaml"), []byte(cfg), 0o644))
	return d
}

func (d *criDaemon) script(env []string, action string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(d.s.repo, "hack", "cri-containerd.sh"), action, d.dir)
	cmd.Env = append(os.Environ(), env...)
	return cmd.CombinedOutput()
}

// run runs crictl against the daemon.
func (d *criDaemon) run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	full := append([]string{"--config", filepath.Join(d.dir, "crictl.yaml")}, args...)
	cmd := exec.CommandContext(ctx, d.crictl, full...)
	return runCommand(ctx, cmd, append([]string{"crictl"}, args...))
}

// must runs crictl and returns its trimmed standard output.
func (d *criDaemon) must(t *testing.T, args ...string) string {
	t.Helper()
	r := d.run(t, args...)
	require.Zero(t, r.Code, "%s\ncontainerd log:\n%s", r, d.logTail())
	return strings.TrimSpace(r.Stdout)
}

func (d *criDaemon) logTail() string {
	data, _ := os.ReadFile(filepath.Join(d.dir, "containerd.log"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// writeJSON writes v as a JSON file in the daemon's directory.
func (d *criDaemon) writeJSON(t *testing.T, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	p := filepath.Join(d.dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// podConfig is a CRI PodSandboxConfig as crictl reads it; nsOpts is the
// linux security context's namespace_options (nil: the defaults).
func (d *criDaemon) podConfig(t *testing.T, name string, nsOpts map[string]any) string {
	t.Helper()
	logs := filepath.Join(d.dir, "logs", name)
	require.NoError(t, os.MkdirAll(logs, 0o755))
	linux := map[string]any{}
	cfg := map[string]any{
		"metadata":      map[string]any{"name": name, "namespace": "sbl-test", "uid": name + "-uid", "attempt": 0},
		"log_directory": logs,
		"linux":         linux,
	}
	if nsOpts != nil {
		linux["security_context"] = map[string]any{"namespace_options": nsOpts}
	}
	if nsOpts["network"] == nil {
		cfg["hostname"] = name // a host-network pod has the host's
	}
	return d.writeJSON(t, name+"-pod.json", cfg)
}

// containerConfig is a CRI ContainerConfig running cmd in the busybox image,
// with its own pid namespace (as kubelet asks without shareProcessNamespace).
func (d *criDaemon) containerConfig(t *testing.T, name string, cmd ...string) string {
	t.Helper()
	return d.writeJSON(t, name+"-ctr.json", map[string]any{
		"metadata": map[string]any{"name": name},
		"image":    map[string]any{"image": testregistry.BusyboxImage},
		"command":  cmd,
		"log_path": name + ".log",
		"linux": map[string]any{"security_context": map[string]any{
			"namespace_options": map[string]any{"pid": 1}, // CONTAINER
		}},
	})
}

// runPod starts a pod with handler and returns its ID; the pod is removed
// when the test ends (if the test did not remove it).
func (d *criDaemon) runPod(t *testing.T, handler, podJSON string) string {
	t.Helper()
	id := d.must(t, "runp", "--runtime", handler, podJSON)
	t.Cleanup(func() { d.run(t, "rmp", "-f", id) })
	return id
}

// startContainer creates and starts a container in a pod.
func (d *criDaemon) startContainer(t *testing.T, pod, ctrJSON, podJSON string) string {
	t.Helper()
	id := d.must(t, "create", pod, ctrJSON, podJSON)
	d.must(t, "start", id)
	return id
}

// pid returns the host PID of a container's (or, with "inspectp", a pod
// sandbox's) init.
func (d *criDaemon) pid(t *testing.T, inspect, id string) int {
	t.Helper()
	var info struct {
		Info struct {
			Pid int `json:"pid"`
		} `json:"info"`
	}
	out := d.must(t, inspect, "-o", "json", id)
	require.NoError(t, json.Unmarshal([]byte(out), &info), "%s", out)
	require.NotZero(t, info.Info.Pid, "%s %s: no pid: %s", inspect, id, out)
	return info.Info.Pid
}

// waitGone waits until none of pids is alive (a PID reused meanwhile by a
// process outside the range is not it). The suites of other engineers may
// run containers in the same pool, so the check is by PID, not by range.
func waitGone(t *testing.T, uid uint64, pids ...int) {
	t.Helper()
	alive := func() []int {
		var out []int
		for _, pid := range pids {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid))
			if err != nil {
				continue
			}
			if maps, err := parseIDMap(string(data)); err == nil && len(maps) == 1 && maps[0].Outside == uid {
				if _, state, ok := procStat(pid); ok && state != "Z" {
					out = append(out, pid)
				}
			}
		}
		return out
	}
	if !assert.Eventually(t, func() bool { return len(alive()) == 0 }, 20*time.Second, 100*time.Millisecond) {
		for _, pid := range alive() {
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			t.Errorf("process %d (%s) of the pod is still alive", pid, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
		t.FailNow()
	}
}
