//go:build linux

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkNames are the lines of `sysbox-lite check` on a host with docker
// and containerd installed, in order.
var checkNames = []string{
	"root", "config", "kernel", "user namespaces",
	"idmap state_dir", "idmap docker data-root", "idmap containerd root",
	"overlay state_dir", "overlay docker data-root", "overlay containerd root",
	"seccomp notify", "fuse", "cgroup", "cgroup delegation", "state_dir access",
	"subid pool", "engine", "docker", "containerd",
}

// checkLine is one parsed line of the text output.
type checkLine struct{ status, found, fix string }

// checkHost is a set of host files for `sysbox-lite check`, all in a
// directory of the test: sysbox-lite's config, the subuid and subgid files
// it names, daemon.json and containerd's config.toml.
type checkHost struct {
	dir, config, subuid, subgid, daemonJSON, containerdToml, stateDir, dockerRoot string
}

func newCheckHost(t *testing.T, s *suite, configExtra string) checkHost {
	t.Helper()
	// Below the suite's directory (0711), as state_dir must be traversable.
	dir, err := os.MkdirTemp(s.tmp, "check-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o711))
	t.Cleanup(func() { os.RemoveAll(dir) })
	h := checkHost{
		dir:            dir,
		config:         filepath.Join(dir, "config.toml"),
		subuid:         filepath.Join(dir, "subuid"),
		subgid:         filepath.Join(dir, "subgid"),
		daemonJSON:     filepath.Join(dir, "daemon.json"),
		containerdToml: filepath.Join(dir, "containerd.toml"),
		stateDir:       filepath.Join(dir, "state"),       // absent: create makes it
		dockerRoot:     filepath.Join(dir, "docker-root"), // absent: dockerd makes it
	}
	cfg := fmt.Sprintf("state_dir = %q\n%s\n[idpool]\nsubuid_file = %q\nsubgid_file = %q\n", h.stateDir, configExtra, h.subuid, h.subgid)
	require.NoError(t, os.WriteFile(h.config, []byte(cfg), 0o644))
	// Empty, as on a fresh Debian.
	require.NoError(t, os.WriteFile(h.subuid, nil, 0o644))
	require.NoError(t, os.WriteFile(h.subgid, nil, 0o644))
	return h
}

// check runs the suite's sysbox-lite binary's check against h.
func (h checkHost) check(t *testing.T, s *suite, extra ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	args := append([]string{"--sysbox-config", h.config, "check", "--docker-config", h.daemonJSON, "--containerd-config", h.containerdToml}, extra...)
	cmd := exec.CommandContext(ctx, s.bin, args...)
	return runCommand(ctx, cmd, append([]string{s.bin}, args...))
}

// install runs the real installer into h's files, with the suite's
// sysbox-lite as the binary docker and containerd are told about.
func (h checkHost) install(t *testing.T, s *suite) {
	t.Helper()
	installer := filepath.Join(h.dir, "sysbox-lite-install")
	build := exec.Command("go", "build", "-o", installer, "./cmd/sysbox-lite-install")
	build.Dir = s.repo
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build the installer: %s", out)
	cmd := exec.Command(installer, "install",
		"--bin-dir", filepath.Dir(s.bin),
		"--subuid", h.subuid, "--subgid", h.subgid,
		"--docker-config", h.daemonJSON, "--containerd-config", h.containerdToml,
		"--sysbox-config-dir", filepath.Join(h.dir, "etc"),
		"--dockerd-pidfile", filepath.Join(h.dir, "docker.pid"))
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "sysbox-lite-install install: %s", out)
	t.Logf("sysbox-lite-install install:\n%s", out)
}

// parseCheck reads the text output: one line per check, in checkNames'
// order, then the summary.
func parseCheck(t *testing.T, out string) (map[string]checkLine, string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, len(checkNames)+1, "one line per check and a summary:\n%s", out)
	parsed := map[string]checkLine{}
	for i, name := range checkNames {
		status, rest, ok := strings.Cut(lines[i], " ")
		require.True(t, ok, lines[i])
		rest = strings.TrimLeft(rest, " ")
		require.True(t, strings.HasPrefix(rest, name+" "), "line %d is %q, want check %q", i, lines[i], name)
		found := strings.TrimSpace(strings.TrimPrefix(rest, name))
		found, fix, _ := strings.Cut(found, " — fix: ")
		parsed[name] = checkLine{status: status, found: found, fix: fix}
	}
	return parsed, lines[len(lines)-1]
}

// requireHostOK asserts the lines that depend only on this host's kernel
// and setup: this VM has everything (kernel 6.18, cgroup v1 hybrid).
func requireHostOK(t *testing.T, lines map[string]checkLine, h checkHost) {
	t.Helper()
	for _, name := range []string{"root", "config", "kernel", "user namespaces",
		"idmap state_dir", "idmap docker data-root", "idmap containerd root",
		"overlay state_dir", "overlay docker data-root", "overlay containerd root",
		"seccomp notify", "fuse", "cgroup", "cgroup delegation", "state_dir access"} {
		assert.Equal(t, "ok", lines[name].status, "%s: %s — fix: %s", name, lines[name].found, lines[name].fix)
	}
	assert.Contains(t, lines["config"].found, h.config+" loads")
	assert.Contains(t, lines["idmap state_dir"].found, h.stateDir+" (from "+h.config+"), absent: probed "+h.dir)
	assert.Contains(t, lines["overlay state_dir"].found, "the container's root writes files as uid 0 on disk")
	assert.Contains(t, lines["cgroup"].found, "v1 hybrid")
	assert.Contains(t, lines["seccomp notify"].found, "received and answered")
	// Nothing is left where the probes made their temporary directories.
	leftovers, err := filepath.Glob(filepath.Join(h.dir, ".sysbox-lite-check-*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers)
}

// TestCheckBeforeAndAfterInstall: on empty host files, the subid pool and
// the registrations are missing (exit 1), each with its fix; after the
// real installer ran into those files, everything required is ok (exit 0).
func TestCheckBeforeAndAfterInstall(t *testing.T) {
	s := setup(t)
	h := newCheckHost(t, s, "")

	r := h.check(t, s)
	require.Equal(t, 1, r.Code, "%s", r)
	lines, summary := parseCheck(t, r.Stdout)
	requireHostOK(t, lines, h)
	assert.Equal(t, "missing", lines["subid pool"].status)
	assert.Equal(t, `no entry for "sysbox-lite" in `+h.subuid, lines["subid pool"].found)
	assert.Equal(t, fmt.Sprintf(`put "sysbox-lite:1048576:268435456" in %s and "sysbox-lite:1048576:268435456" in %s (at least 65536 IDs each)`, h.subuid, h.subgid), lines["subid pool"].fix)
	assert.Equal(t, "missing", lines["docker"].status)
	assert.Contains(t, lines["docker"].found, h.daemonJSON+" does not exist: runtime sysbox-lite is not registered")
	assert.Contains(t, lines["docker"].fix, "sysbox-lite-install install")
	assert.Equal(t, "missing", lines["containerd"].status)
	assert.Contains(t, lines["containerd"].fix, "sysbox-lite-install install")
	assert.Equal(t, "ok", lines["engine"].status, lines["engine"].found)
	assert.Regexp(t, `^/\S+/runc: runc version \S+`, lines["engine"].found)
	assert.Contains(t, lines["idmap docker data-root"].found, "/var/lib/docker (default)")
	assert.Equal(t, "this host cannot run sysbox-lite yet: 3 checks missing, 0 warnings (fix the missing ones first)", summary)

	h.install(t, s)
	// A data-root of its own in daemon.json (dockerd has not made it yet).
	data, err := os.ReadFile(h.daemonJSON)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["data-root"] = h.dockerRoot
	data, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(h.daemonJSON, data, 0o644))

	r = h.check(t, s)
	require.Equal(t, 0, r.Code, "%s", r)
	lines, summary = parseCheck(t, r.Stdout)
	requireHostOK(t, lines, h)
	for _, name := range []string{"subid pool", "engine", "docker", "containerd"} {
		assert.Equal(t, "ok", lines[name].status, "%s: %s — fix: %s", name, lines[name].found, lines[name].fix)
	}
	assert.Contains(t, lines["subid pool"].found, "4096 ranges of 65536 IDs (uids from 1048576, gids from 1048576)")
	assert.Contains(t, lines["docker"].found, "runtimes.sysbox-lite in "+h.daemonJSON+": path "+s.bin)
	assert.Contains(t, lines["containerd"].found, "sysbox-lite-install's block): runtime_type io.containerd.runc.v2, BinaryName "+s.bin)
	assert.Contains(t, lines["idmap docker data-root"].found, h.dockerRoot+" (data-root in "+h.daemonJSON+"), absent: probed "+h.dir)
	assert.Contains(t, lines["overlay docker data-root"].found, h.dockerRoot)
	assert.Equal(t, fmt.Sprintf("this host can run sysbox-lite (%d checks, 0 warnings)", len(checkNames)), summary)

	// --json says the same.
	r = h.check(t, s, "--json")
	require.Equal(t, 0, r.Code, "%s", r)
	var report struct {
		OK       bool `json:"ok"`
		Missing  int  `json:"missing"`
		Warnings int  `json:"warnings"`
		Checks   []struct{ Name, Status, Found, Fix string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &report), r.Stdout)
	assert.True(t, report.OK)
	assert.Zero(t, report.Missing)
	require.Len(t, report.Checks, len(checkNames))
	for i, c := range report.Checks {
		assert.Equal(t, checkNames[i], c.Name)
		assert.Equal(t, lines[c.Name].status, c.Status, c.Name)
	}
}

// TestCheckMissing: a config whose subid_user has no entry and whose
// engine does not exist. Both lines are missing and name the fix; the
// exit status is 1; the rest of the host still checks out.
func TestCheckMissing(t *testing.T) {
	s := setup(t)
	engine := filepath.Join(s.tmp, "no-such-dir", "runc")
	h := newCheckHost(t, s, fmt.Sprintf("engine = %q", engine))
	require.NoError(t, os.WriteFile(h.subuid, []byte("sysbox-lite:1048576:268435456\n"), 0o644))
	require.NoError(t, os.WriteFile(h.subgid, []byte("sysbox-lite:1048576:268435456\n"), 0o644))
	cfg, err := os.ReadFile(h.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(h.config, append(cfg, "subid_user = \"sbl-check-nobody\"\n"...), 0o644))

	r := h.check(t, s)
	require.Equal(t, 1, r.Code, "%s", r)
	lines, summary := parseCheck(t, r.Stdout)
	requireHostOK(t, lines, h)
	assert.Equal(t, "missing", lines["subid pool"].status)
	assert.Equal(t, `no entry for "sbl-check-nobody" in `+h.subuid, lines["subid pool"].found)
	assert.Equal(t, fmt.Sprintf(`put "sbl-check-nobody:269484032:268435456" in %s and "sbl-check-nobody:269484032:268435456" in %s (at least 65536 IDs each)`, h.subuid, h.subgid), lines["subid pool"].fix,
		"after the existing entry, as the installer would add it")
	assert.Equal(t, "missing", lines["engine"].status)
	assert.Contains(t, lines["engine"].found, fmt.Sprintf("engine %q not found", engine))
	assert.Equal(t, "apt-get install runc (or crun), or set engine in "+h.config+" to the engine's path", lines["engine"].fix)
	assert.Contains(t, summary, "cannot run sysbox-lite yet: 4 checks missing") // with docker and containerd unregistered

	// A config that does not load: missing, and the rest is checked with
	// the defaults.
	require.NoError(t, os.WriteFile(h.config, []byte("engine = 1\n"), 0o644))
	r = h.check(t, s)
	require.Equal(t, 1, r.Code, "%s", r)
	lines, _ = parseCheck(t, r.Stdout)
	assert.Equal(t, "missing", lines["config"].status)
	assert.Contains(t, lines["config"].found, "(the other checks use the defaults)")
	assert.Contains(t, lines["state_dir access"].found, "/run/sysbox-lite")
}
