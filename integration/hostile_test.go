//go:build linux

package integration

// Hostile bundles (issue #7, part 4): specs and root file systems built to
// break out, driven directly with runc's command line (see oci_test.go).
// Each checks a host canary and that nothing is left.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// editSpec changes the bundle's config.json as a generic JSON object.
func editSpec(t *testing.T, bundle string, edit func(spec map[string]any)) {
	t.Helper()
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var spec map[string]any
	require.NoError(t, json.Unmarshal(data, &spec))
	edit(spec)
	data, err = json.Marshal(spec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// hostRootMounts lists the mounts whose mount point is the host's /.
func hostRootMounts(t *testing.T) []string {
	t.Helper()
	mounts, err := readMounts()
	require.NoError(t, err)
	var out []string
	for _, m := range mounts {
		if m.MountPoint == "/" {
			out = append(out, fmt.Sprintf("%s %s %s", m.FSType, m.Source, m.Super))
		}
	}
	return out
}

func TestHostileRootSymlink(t *testing.T) {
	s := setup(t)
	t.Run("to the bundle's rootfs", func(t *testing.T) {
		e := s.newOCIEnv(t, "runc", "sh", "-c", "cat /proc/self/uid_map; echo inside-ok")
		require.NoError(t, os.Symlink("rootfs", filepath.Join(e.bundle, "rootlink")))
		editSpec(t, e.bundle, func(spec map[string]any) { spec["root"].(map[string]any)["path"] = "rootlink" })
		r := e.sbl(t, s, "run", "--bundle", e.bundle, "root-link")
		require.Zero(t, r.Code, "%s", r)
		assert.Contains(t, r.Stdout, "inside-ok")
		requirePoolRange(t, "uid_map", strings.Split(r.Stdout, "\n")[0])
		e.requireNothingLeft(t)
	})
	t.Run("to the host's /", func(t *testing.T) {
		// The payload only touches this test's own canaries: a root-owned
		// file (0644) and a root-owned directory (0700) in the host's /tmp.
		c := newCanary(t, false)
		cdir := newCanary(t, true)
		e := s.newOCIEnv(t, "runc", "sh", "-c",
			"cat /proc/self/uid_map; echo pwned > "+c.path+" && echo WROTE-FILE; touch "+cdir.path+"/x && echo WROTE-DIR; exit 0")
		require.NoError(t, os.Symlink("/", filepath.Join(e.bundle, "hostroot")))
		editSpec(t, e.bundle, func(spec map[string]any) { spec["root"].(map[string]any)["path"] = "hostroot" })
		before := hostRootMounts(t)
		r := e.sbl(t, s, "run", "--bundle", e.bundle, "root-host")
		t.Logf("root.path -> /: %s", r)
		assert.Equal(t, before, hostRootMounts(t), "nothing mounted over the host's / (on the host's mount table)")
		e.requireNothingLeft(t)
		c.requireIntact(t, "after a container whose root is a symlink to /")
		cdir.requireIntact(t, "after a container whose root is a symlink to /")
		assert.Equal(t, 1, r.Code, "refused: %s", r)
		assert.Contains(t, r.Stderr, "sysbox-lite: the container root / is refused: it contains ")
		for _, m := range []string{"WROTE-FILE", "WROTE-DIR"} {
			assert.NotContains(t, r.Stdout, m)
		}
	})
	t.Run("to a host system directory", func(t *testing.T) {
		e := s.newOCIEnv(t, "runc", "true")
		require.NoError(t, os.Symlink("/etc", filepath.Join(e.bundle, "hostetc")))
		editSpec(t, e.bundle, func(spec map[string]any) { spec["root"].(map[string]any)["path"] = "hostetc" })
		r := e.sbl(t, s, "run", "--bundle", e.bundle, "root-etc")
		assert.Equal(t, 1, r.Code, "%s", r)
		assert.Contains(t, r.Stderr, "sysbox-lite: the container root /etc is refused: it is /etc (a host system directory)")
		e.requireNothingLeft(t)
	})
}

// A bind destination with ".." stays inside the container's root.
func TestHostileMountDestinationDotDot(t *testing.T) {
	s := setup(t)
	c := newCanary(t, false)
	e := s.newOCIEnv(t, "runc", "cat", c.path)
	src := filepath.Join(e.dir, "bind-source")
	require.NoError(t, os.WriteFile(src, []byte("from the bind source\n"), 0o644))
	editSpec(t, e.bundle, func(spec map[string]any) {
		spec["mounts"] = append(spec["mounts"].([]any), map[string]any{
			"destination": "/../../.." + c.path, "type": "bind", "source": src, "options": []string{"rbind", "ro"},
		})
	})
	r := e.sbl(t, s, "run", "--bundle", e.bundle, "dotdot")
	require.Zero(t, r.Code, "%s", r)
	assert.Equal(t, "from the bind source\n", r.Stdout, "inside, the bind is at the cleaned path in the container's root")
	c.requireIntact(t, "after a bind to /../../..<canary>")
	e.requireNothingLeft(t)
}

// A character device node shipped in the image cannot be opened inside.
func TestHostileDeviceNodeInImage(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sh", "-c",
		"ls -ln /kmsg-node; head -c 1 /kmsg-node >/dev/null && echo READ-OK; echo sbl-hostile > /kmsg-node && echo WRITE-OK; exit 0")
	node := filepath.Join(e.bundle, "rootfs", "kmsg-node")
	require.NoError(t, unix.Mknod(node, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 11))))
	require.NoError(t, os.Chmod(node, 0o666))
	r := e.sbl(t, s, "run", "--bundle", e.bundle, "devnode")
	require.Zero(t, r.Code, "%s", r)
	t.Logf("device node in the image: %s", r)
	assert.Contains(t, r.Stdout, "1,  11", "the node is there, c 1 11")
	assert.NotContains(t, r.Stdout, "READ-OK", "reading the node inside")
	assert.NotContains(t, r.Stdout, "WRITE-OK", "writing the node inside")
	assert.Regexp(t, `(?i)(permission denied|operation not permitted)`, r.Stderr)
	e.requireNothingLeft(t)
}

const suidProbeSource = `package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	data, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "Uid:") || strings.HasPrefix(l, "Gid:") {
			fmt.Println(l)
		}
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
}
`

// buildSuidProbe compiles a static program that prints its own Uid/Gid
// lines and sleeps (busybox drops a setuid bit by itself).
func buildSuidProbe(t *testing.T, s *suite) string {
	t.Helper()
	dir := s.mkTempDir(t, "suidprobe-")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(suidProbeSource), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module suidprobe\n\ngo 1.22\n"), 0o644))
	out := filepath.Join(dir, "suidprobe")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	return out
}

func idFields(t *testing.T, status, field string) []uint64 {
	t.Helper()
	for _, l := range strings.Split(status, "\n") {
		if strings.HasPrefix(l, field+":") {
			var ids []uint64
			for _, f := range strings.Fields(strings.TrimPrefix(l, field+":")) {
				n, err := strconv.ParseUint(f, 10, 32)
				require.NoError(t, err)
				ids = append(ids, n)
			}
			return ids
		}
	}
	t.Fatalf("no %s line in %q", field, status)
	return nil
}

// A setuid-root binary in the image makes uid 1000 root only inside: on
// the host its euid is the range's base.
func TestHostileSetuidBinaryInImage(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "/suidprobe")
	probe := buildSuidProbe(t, s)
	dst := filepath.Join(e.bundle, "rootfs", "suidprobe")
	data, err := os.ReadFile(probe)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, data, 0o755))
	require.NoError(t, os.Chown(dst, 0, 0))
	require.NoError(t, os.Chmod(dst, 0o4755|os.ModeSetuid))
	editSpec(t, e.bundle, func(spec map[string]any) {
		proc := spec["process"].(map[string]any)
		proc["user"] = map[string]any{"uid": 1000, "gid": 1000}
		proc["noNewPrivileges"] = false // runc's default spec sets it, which would ignore the bit
	})
	outPath := filepath.Join(e.dir, "suid.out")
	f, err := os.Create(outPath)
	require.NoError(t, err)
	defer f.Close()
	cmd := exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, "suid")
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Run())
	t.Cleanup(func() {
		r := e.sbl(t, s, "delete", "--force", "suid")
		assert.Zero(t, r.Code, "%s", r)
		e.requireNothingLeft(t)
	})
	r := e.sbl(t, s, "start", "suid")
	require.Zero(t, r.Code, "%s", r)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, _ := os.ReadFile(outPath); bytes.Contains(b, []byte("ready")) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	inside, err := os.ReadFile(outPath)
	require.NoError(t, err)
	require.Contains(t, string(inside), "ready", "%s", inside)
	t.Logf("inside: %s", inside)
	assert.Equal(t, []uint64{1000, 0, 0, 0}, idFields(t, string(inside), "Uid"), "inside: real 1000, effective and saved root")

	st := e.engineState(t, s, "suid")
	require.Zero(t, st.Code, "%s", st)
	var state struct{ Pid int }
	require.NoError(t, json.Unmarshal([]byte(st.Stdout), &state))
	uidMap, _ := hostIDMaps(t, state.Pid)
	m := requirePoolRange(t, "uid_map", uidMap)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", state.Pid))
	require.NoError(t, err)
	host := idFields(t, string(status), "Uid")
	t.Logf("on the host: Uid %v (range base %d)", host, m.Outside)
	assert.Equal(t, []uint64{m.Outside + 1000, m.Outside, m.Outside, m.Outside}, host, "on the host, the process's ids are in the pool range")
	assert.NotContains(t, host, uint64(0), "never host root")
}

// Malformed, truncated and oversized config.json are clean errors.
func TestHostileConfigJSON(t *testing.T) {
	s := setup(t)
	c := newCanary(t, false)
	e := s.newOCIEnv(t, "runc", "sh", "-c", "echo pwned > "+c.path)
	real, err := os.ReadFile(filepath.Join(e.bundle, "config.json"))
	require.NoError(t, err)
	var spec map[string]any
	require.NoError(t, json.Unmarshal(real, &spec))
	spec["annotations"] = map[string]string{"pad": strings.Repeat("x", 5<<20)}
	huge, err := json.Marshal(spec)
	require.NoError(t, err)
	cases := []struct{ name, config, want string }{
		{"truncated", string(real[:len(real)/2]), "invalid config"},
		{"huge", string(huge), "config is larger than 4194304 bytes"},
		{"not an object", `["ociVersion"]`, "invalid config"},
		{"NUL bytes", "{\"ociVersion\":\"1.0.2\x00\"}", "invalid config"},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(e.bundle, "config.json")
			require.NoError(t, os.WriteFile(path, []byte(tc.config), 0o644))
			r := e.sbl(t, s, "create", "--bundle", e.bundle, "hostile-cfg")
			assert.Equal(t, 1, r.Code, "%s", r)
			t.Logf("%s: %.300s", tc.name, r.Stderr)
			assert.True(t, strings.HasPrefix(r.Stderr, "sysbox-lite: "), "%.300s", r.Stderr)
			assert.Contains(t, r.Stderr, tc.want)
			assert.Less(t, len(r.Stderr), 4096, "the error does not echo the file")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, string(after) == tc.config, "the bundle is untouched")
			assert.NotZero(t, e.engineState(t, s, "hostile-cfg").Code, "the engine never got it")
			c.requireIntact(t, tc.name)
			e.requireNothingLeft(t)
		})
	}
}

// A spec whose mappings are those of another live container's range.
func TestHostileConflictingMappings(t *testing.T) {
	s := setup(t)
	e := s.newOCIEnv(t, "runc", "sleep", "100")
	require.NoError(t, exec.Command(s.bin, "--sysbox-config", e.config, "--root", e.engineRoot, "create", "--bundle", e.bundle, "victim").Run())
	t.Cleanup(func() {
		r := e.sbl(t, s, "delete", "--force", "victim")
		assert.Zero(t, r.Code, "%s", r)
		e.requireNothingLeft(t)
	})
	st := e.engineState(t, s, "victim")
	require.Zero(t, st.Code, "%s", st)
	var state struct{ Pid int }
	require.NoError(t, json.Unmarshal([]byte(st.Stdout), &state))
	uidMap, _ := hostIDMaps(t, state.Pid)
	victim := requirePoolRange(t, "victim uid_map", uidMap)
	require.Equal(t, 1, e.allocCount(t))

	// a second bundle on the same rootfs, asking for the victim's range
	bundle2 := filepath.Join(e.dir, "bundle2")
	require.NoError(t, os.MkdirAll(bundle2, 0o755))
	spec := exec.Command("runc", "spec", "--bundle", bundle2)
	out, err := spec.CombinedOutput()
	require.NoError(t, err, "%s", out)
	rewriteSpec(t, bundle2, []string{"sh", "-c", "cat /proc/self/uid_map"})
	mapping := []map[string]any{{"containerID": 0, "hostID": victim.Outside, "size": rangeSize}}
	editSpec(t, bundle2, func(spec map[string]any) {
		spec["root"].(map[string]any)["path"] = filepath.Join(e.bundle, "rootfs")
		linux := spec["linux"].(map[string]any)
		linux["uidMappings"], linux["gidMappings"] = mapping, mapping
	})
	r := e.sbl(t, s, "run", "--bundle", bundle2, "intruder")
	assert.Equal(t, 1, r.Code, "a mapping into a live container's range is refused: %s", r)
	assert.Contains(t, r.Stderr, "sysbox-lite: the spec's id mappings")
	assert.Contains(t, r.Stderr, "overlap the range of container victim: ranges are exclusive")
	assert.Equal(t, 1, e.allocCount(t), "the victim's range is still allocated (the intruder neither took nor released it)")
	assert.Zero(t, e.engineState(t, s, "victim").Code, "the victim is still there")
}
