//go:build linux

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shimRuntime is the runtime name of containerd-shim-sysbox-lite-v2.
const shimRuntime = "io.containerd.sysbox-lite.v2"

// TestContainerd16Runtimes: Debian's containerd 1.6 with the `version = 2`
// config that sysbox-lite-install writes: its CRI plugin loads with the
// sysbox-lite runtime (runc shim, BinaryName) next to the default runc.
// Through ctr, the runc shim with sysbox-lite as its binary and
// containerd-shim-sysbox-lite-v2 (legacy start, task API v2) each run
// containers in a pool range, exec included, and give exit codes back.
func TestContainerd16Runtimes(t *testing.T) {
	s := setup(t)
	p := s.startContainerd(t, containerd16, false)
	p.requireCRIRuntimes(t)
	p.shimCases(t)
	t.Run("installer --containerd-shim sysbox-lite", func(t *testing.T) {
		s.startContainerd(t, containerd16, true).requireCRIRuntimes(t)
	})
	t.Run("timing", p.logTimings)
}

// TestContainerd2Runtimes: the same with the pinned containerd 2.x and the
// `version = 3` config (bootstrap start, task API v3); and the shim's Info
// (what containerd 2.x's CRI asks a runtime for its features) is
// sysbox-lite's.
func TestContainerd2Runtimes(t *testing.T) {
	s := setup(t)
	p := s.startContainerd(t, containerd2, false)
	p.requireCRIRuntimes(t)
	p.shimCases(t)
	t.Run("installer --containerd-shim sysbox-lite", func(t *testing.T) {
		s.startContainerd(t, containerd2, true).requireCRIRuntimes(t)
	})
	t.Run("shim Info reports sysbox-lite", func(t *testing.T) {
		shim := filepath.Join(p.sblBin, "containerd-shim-sysbox-lite-v2")
		r := s.run(t, "sh", "-c", `SYSBOX_LITE_CONFIG="$1" exec "$2" -info </dev/null`, "sh", s.configPath, shim)
		require.Zero(t, r.Code, "%s", r)
		assert.Contains(t, r.Stdout, shimRuntime)
		assert.Contains(t, r.Stdout, filepath.Join(p.sblBin, "sysbox-lite"), "BinaryName in the options it reports")
		assert.Contains(t, r.Stdout, `"io.sysbox-lite.userns"`, "the features are sysbox-lite's")
	})
	t.Run("timing", p.logTimings)
}

// shimCases runs the ctr cases of both containerd versions.
func (p *privateContainerd) shimCases(t *testing.T) {
	name := p.kind.name
	t.Run("runc shim with BinaryName", func(t *testing.T) {
		p.requireProbe(t, p.runProbe(t, name+"-runc-shim", p.runcShimFlags()))
	})
	t.Run("containerd-shim-sysbox-lite-v2 without options", func(t *testing.T) {
		p.requireProbe(t, p.runProbe(t, name+"-sbl-shim", []string{"--runtime", shimRuntime}))
	})
	t.Run("containerd-shim-sysbox-lite-v2 with an options file, exec", func(t *testing.T) {
		p.shimLifecycle(t, name+"-sbl-shim-opts")
	})
	t.Run("containerd-shim-sysbox-lite-v2 task survives a containerd restart", func(t *testing.T) {
		p.shimRestart(t, name+"-sbl-shim-restart")
	})
}

// shimRestart: a task of our shim keeps running while containerd restarts,
// and the new containerd finds its shim again (1.x: the bundle's address
// file; 2.x: its bootstrap.json): exec, kill and removal work through it.
func (p *privateContainerd) shimRestart(t *testing.T, id string) {
	p.cleanupContainer(t, id)
	fifo := filepath.Join(p.dir, "fifo")
	r := p.ctr(t, "run", "-d", "--runtime", shimRuntime, "--fifo-dir", fifo, p.imgRef, id, "sleep", "60")
	require.Zero(t, r.Code, "%s", r)
	p.restart(t)
	r = p.ctr(t, "tasks", "ls")
	require.Zero(t, r.Code, "%s", r)
	assert.Regexp(t, `(?m)^`+id+`\s+\d+\s+RUNNING`, r.Stdout, "the task after the restart")
	r = p.ctr(t, "tasks", "exec", "--exec-id", "after-restart", "--fifo-dir", fifo, id, "sh", "-c", "cat /proc/self/uid_map; exit 5")
	assert.Equal(t, 5, r.Code, "exec after the restart: %s", r)
	requirePoolRange(t, "uid_map of an exec after a restart", r.Stdout)
	p.removeTask(t, id)
}

// shimLifecycle: `ctr run -d` with our shim and an options file
// (--runtime-config-path: the runc shim's options as TOML; Root moves
// runc's state where the test can see it), an exec whose exit code comes
// back, kill, task and container removal.
func (p *privateContainerd) shimLifecycle(t *testing.T, id string) {
	root := filepath.Join(p.dir, "runc-opts")
	opts := filepath.Join(p.dir, "shim-options.toml")
	require.NoError(t, os.WriteFile(opts, []byte(fmt.Sprintf("Root = %q\n", root)), 0o644))
	p.cleanupContainer(t, id)
	fifo := filepath.Join(p.dir, "fifo")
	r := p.ctr(t, "run", "-d", "--runtime", shimRuntime, "--runtime-config-path", opts,
		"--fifo-dir", fifo, p.imgRef, id, "sleep", "60")
	require.Zero(t, r.Code, "%s", r)
	assert.FileExists(t, filepath.Join(root, p.namespace(), id, "state.json"), "runc state under the options' Root")
	runtimeFile, err := os.ReadFile(filepath.Join(p.dir, "containerd", "state", "io.containerd.runtime.v2.task", p.namespace(), id, "runtime"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(p.sblBin, "sysbox-lite"), string(runtimeFile), "the binary the shim recorded in the bundle")

	r = p.ctr(t, "tasks", "exec", "--exec-id", "probe", "--fifo-dir", fifo, id, "sh", "-c", "cat /proc/self/uid_map; exit 4")
	assert.Equal(t, 4, r.Code, "exec exit code: %s", r)
	requirePoolRange(t, "uid_map of an exec under "+p.kind.name, r.Stdout)

	p.removeTask(t, id)
}

// removeTask kills a task, removes it and its container, and checks that
// sysbox-lite holds nothing any more.
func (p *privateContainerd) removeTask(t *testing.T, id string) {
	t.Helper()
	r := p.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
	require.Zero(t, r.Code, "%s", r)
	for i := 0; i < 50 && strings.Contains(p.ctr(t, "tasks", "ls").Stdout, "RUNNING"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	r = p.ctr(t, "tasks", "rm", id)
	require.Zero(t, r.Code, "%s", r)
	r = p.ctr(t, "containers", "rm", id)
	require.Zero(t, r.Code, "%s", r)
	env.requireNoContainerState(t, "after the task was removed")
}

// runcShimFlags: ctr's default runtime (io.containerd.runc.v2) with
// sysbox-lite as its runc, and a runc root of the test's own.
func (p *privateContainerd) runcShimFlags() []string {
	return []string{"--runc-binary", filepath.Join(p.sblBin, "sysbox-lite"), "--runc-root", filepath.Join(p.dir, "runc")}
}

// cleanupContainer makes sure the container is gone before the health check.
func (p *privateContainerd) cleanupContainer(t *testing.T, id string) {
	t.Cleanup(func() {
		p.ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
		p.ctr(t, "tasks", "rm", "-f", id)
		p.ctr(t, "containers", "rm", id)
	})
}

// probeScript prints the maps and the uid inside, then exits 7.
const probeScript = "cat /proc/self/uid_map; echo ---; cat /proc/self/gid_map; echo ---; id -u; exit 7"

// runProbe runs probeScript with `ctr run --rm` and the runtime flags.
func (p *privateContainerd) runProbe(t *testing.T, id string, flags []string) result {
	t.Helper()
	p.cleanupContainer(t, id)
	args := append([]string{"run", "--rm"}, flags...)
	args = append(args, "--fifo-dir", filepath.Join(p.dir, "fifo"), p.imgRef, id, "sh", "-c", probeScript)
	return p.ctr(t, args...)
}

// requireProbe: the container ran in a range of the pool as its root, its
// exit code came back, and sysbox-lite holds nothing for it any more.
func (p *privateContainerd) requireProbe(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, 7, r.Code, "exit code through ctr: %s", r)
	parts := strings.Split(r.Stdout, "---")
	require.Len(t, parts, 3, "%s", r)
	uid := requirePoolRange(t, "uid_map under "+p.kind.name, parts[0])
	gid := requirePoolRange(t, "gid_map under "+p.kind.name, parts[1])
	assert.Equal(t, uid.Outside, gid.Outside, "uid and gid ranges start together")
	assert.Equal(t, "0", strings.TrimSpace(parts[2]), "root inside")
	env.requireNoContainerState(t, "after ctr run --rm")
}

// requireCRIRuntimes: the config sysbox-lite-install wrote is the one
// containerd runs with, its CRI plugin loaded, and containerd's own view
// of it (config dump) has the sysbox-lite runtime (runc shim with
// BinaryName, or our shim without options) and still the default runc.
func (p *privateContainerd) requireCRIRuntimes(t *testing.T) {
	t.Helper()
	binary := filepath.Join(p.sblBin, "sysbox-lite")
	what := "BinaryName " + binary
	if p.shim {
		what = "runtime_type " + shimRuntime
	}
	assert.Contains(t, p.install, fmt.Sprintf("containerd: added runtime \"sysbox-lite\" to %s (config version %d, %s)", p.config, p.kind.configVersion, what))
	cfg, err := os.ReadFile(p.config)
	require.NoError(t, err)
	assert.Contains(t, string(cfg), "# BEGIN sysbox-lite (managed by sysbox-lite-install)")

	r := p.ctr(t, "plugins", "ls")
	require.Zero(t, r.Code, "%s", r)
	for _, want := range p.kind.criPluginsLs {
		status := ""
		for _, line := range strings.Split(r.Stdout, "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0]+" "+f[1] == want {
				status = f[len(f)-1]
			}
		}
		assert.Equal(t, "ok", status, "plugin %s in `ctr plugins ls`:\n%s\ncontainerd log:\n%s", want, r.Stdout, p.log(t))
	}

	r = env.run(t, p.daemon, "--config", p.config, "config", "dump")
	require.Zero(t, r.Code, "%s", r)
	var dump map[string]any
	_, err = toml.Decode(r.Stdout, &dump)
	require.NoError(t, err, "containerd config dump:\n%s", r.Stdout)
	runtimes, ok := lookupTOML(dump, "plugins", p.kind.criPlugin, "containerd", "runtimes")
	require.True(t, ok, "no CRI runtimes in containerd's config dump:\n%s", r.Stdout)
	names := make([]string, 0, len(runtimes))
	for n := range runtimes {
		names = append(names, n)
	}
	sort.Strings(names)
	assert.True(t, slices.Contains(names, "runc"), "the default runc is still there: %v", names)
	sbl, ok := runtimes["sysbox-lite"].(map[string]any)
	require.True(t, ok, "runtime sysbox-lite in containerd's config dump: %v", names)
	opts, _ := sbl["options"].(map[string]any)
	if p.shim {
		assert.Equal(t, shimRuntime, sbl["runtime_type"])
		assert.Empty(t, opts["BinaryName"], "no BinaryName: the shim finds sysbox-lite")
	} else {
		assert.Equal(t, "io.containerd.runc.v2", sbl["runtime_type"])
		assert.Equal(t, binary, opts["BinaryName"])
	}
}

// lookupTOML walks nested tables.
func lookupTOML(doc map[string]any, keys ...string) (map[string]any, bool) {
	t := doc
	for _, k := range keys {
		next, ok := t[k].(map[string]any)
		if !ok {
			return nil, false
		}
		t = next
	}
	return t, true
}

// logTimings times `ctr run --rm IMAGE ID true` with plain runc (runc
// shim), sysbox-lite through the runc shim and through our shim,
// interleaved, and logs the medians.
func (p *privateContainerd) logTimings(t *testing.T) {
	t.Helper()
	const n = 5
	variants := []struct {
		name  string
		flags []string
	}{
		{"runc shim + runc", []string{"--runc-root", filepath.Join(p.dir, "runc")}},
		{"runc shim + sysbox-lite", p.runcShimFlags()},
		{"containerd-shim-sysbox-lite-v2", []string{"--runtime", shimRuntime}},
	}
	times := make([][]time.Duration, len(variants))
	for i := 0; i < n; i++ {
		for v, variant := range variants {
			id := fmt.Sprintf("%s-time-%d-%d", p.kind.name, v, i)
			p.cleanupContainer(t, id)
			args := append([]string{"run", "--rm"}, variant.flags...)
			args = append(args, "--fifo-dir", filepath.Join(p.dir, "fifo"), p.imgRef, id, "true")
			start := time.Now()
			r := p.ctr(t, args...)
			times[v] = append(times[v], time.Since(start))
			require.Zero(t, r.Code, "%s: %s", variant.name, r)
		}
	}
	for v, variant := range variants {
		d := times[v]
		slices.Sort(d)
		t.Logf("%s %s: ctr run --rm true, median of %d: %s (min %s, max %s)", p.kind.name, variant.name, n,
			d[n/2].Round(time.Millisecond), d[0].Round(time.Millisecond), d[n-1].Round(time.Millisecond))
	}
}
