//go:build linux

package integration

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Helpers of the seccomp supervisor's tests (traps_*_test.go, issue #4):
// the container's mount-family calls are trapped, the mounts it starts with
// stay as they are, new mounts of its own work.

// trapsOpts are the options of every container the trap tests attack from.
var trapsOpts = []string{"--privileged"}

// trapsStart starts a --privileged sysbox-lite container running sleep and
// returns its name and full ID (the ID the audit log knows it by).
func (s *suite) trapsStart(t *testing.T, suffix string, opts ...string) (name, id string) {
	t.Helper()
	name = s.container(t, suffix)
	s.startDetached(t, name, append(append([]string{}, trapsOpts...), opts...), "sleep", "100000")
	return name, s.inspect(t, name, "{{.Id}}")
}

// sh runs a shell script in a container and requires it to succeed.
func (s *suite) trapsSh(t *testing.T, name, script string) string {
	t.Helper()
	return s.mustDocker(t, "exec", name, "sh", "-c", script)
}

// trapsRequireDenied requires an audit event of the supervisor for the
// container: rule "mounts", verdict "denied", asked containing want (for
// example `umount2("/proc/keys",`), with a reason.
func (s *suite) trapsRequireDenied(t *testing.T, id, want string) {
	t.Helper()
	events := s.auditEvents(t, id)
	for _, e := range events {
		if e.Rule == "mounts" && e.Verdict == "denied" && strings.Contains(e.Asked, want) {
			assert.NotEmpty(t, e.Reason, "audit reason: %+v", e)
			return
		}
	}
	var asked []string
	for _, e := range events {
		asked = append(asked, fmt.Sprintf("%s/%s: %s", e.Rule, e.Verdict, e.Asked))
	}
	t.Errorf("no audit line (rule mounts, verdict denied) for %s; the container's events: %v", want, asked)
}

// trapsDenials counts the container's "mounts" denials in the audit log.
func (s *suite) trapsDenials(t *testing.T, id string) int {
	t.Helper()
	n := 0
	for _, e := range s.auditEvents(t, id) {
		if e.Rule == "mounts" && e.Verdict == "denied" {
			n++
		}
	}
	return n
}

// trapsMountAt returns the topmost mount at mp in a running container.
func (s *suite) trapsMountAt(t *testing.T, name, mp string) (mountEntry, bool) {
	t.Helper()
	return findMount(s.containerMounts(t, name), mp)
}

// trapsMountsUnder returns the container's mounts at or below dir.
func trapsMountsUnder(mounts []mountEntry, dir string) []mountEntry {
	var out []mountEntry
	for _, m := range mounts {
		if isUnder(m.MountPoint, dir) {
			out = append(out, m)
		}
	}
	return out
}

// trapsRequireMasked requires a file of a running container to read as empty.
func (s *suite) trapsRequireMasked(t *testing.T, name, path string) {
	t.Helper()
	got, data := s.probeLines(t, name, "read", path)
	require.Equal(t, "OK", got, "read %s", path)
	require.NotEmpty(t, data, "read %s", path)
	assert.Equal(t, "0 bytes", data[0], "%s reads as empty (masked): %v", path, data)
}

// trapsRequireUnchanged requires the mount at mp to be what it was.
func (s *suite) trapsRequireUnchanged(t *testing.T, name, mp string, before mountEntry) {
	t.Helper()
	after, ok := s.trapsMountAt(t, name, mp)
	if assert.True(t, ok, "%s is still mounted", mp) {
		assert.Equal(t, before, after, "the mount at %s is unchanged", mp)
	}
}

// trapsCat returns a file of a container, running or not, via docker cp.
func (s *suite) trapsCat(t *testing.T, name, path string) string {
	t.Helper()
	r := s.docker(t, "cp", name+":"+path, "-")
	require.Zero(t, r.Code, "%s", r)
	tr := tar.NewReader(strings.NewReader(r.Stdout))
	for {
		h, err := tr.Next()
		require.NoError(t, err, "no %s in the archive docker cp made", path)
		if h.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			return string(data)
		}
	}
}

// trapsSupervisor returns the supervisor process recorded in sysbox-lite's
// state of a container.
func (s *suite) trapsSupervisor(t *testing.T, id string) (pid int, start uint64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.stateDir, id+".*", "state.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "the state of container %s in %s", id, s.stateDir)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var st struct {
		Supervisor struct {
			Pid   int    `json:"pid"`
			Start uint64 `json:"start"`
		} `json:"supervisor"`
	}
	require.NoError(t, json.Unmarshal(data, &st), "%s", files[0])
	require.Positive(t, st.Supervisor.Pid, "no supervisor recorded in %s: %s", files[0], data)
	return st.Supervisor.Pid, st.Supervisor.Start
}

// trapsNsLink reads a namespace link of a process on the host.
func trapsNsLink(t *testing.T, pid int, ns string) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	require.NoError(t, err)
	return l
}

// trapsProbe386 is the 32-bit probe (integration/probe386), built once per run
// into a directory of its own that the compat test bind-mounts.
var trapsProbe386 struct {
	once sync.Once
	dir  string
	err  error
}

// trapsProbe386Dir builds the 32-bit probe (GOARCH=386, static) and returns the
// directory holding it.
func (s *suite) trapsProbe386Dir(t *testing.T) string {
	t.Helper()
	trapsProbe386.once.Do(func() {
		dir := filepath.Join(s.tmp, "probe386")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			trapsProbe386.err = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "probe386"), "./integration/probe386")
		cmd.Dir = s.repo
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOARCH=386", "CGO_ENABLED=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			trapsProbe386.err = fmt.Errorf("GOARCH=386 go build ./integration/probe386: %w\n%s", err, out.String())
			return
		}
		trapsProbe386.dir = dir
	})
	require.NoError(t, trapsProbe386.err)
	return trapsProbe386.dir
}
