package hostcheck

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// runcFeatures is the part of runc 1.1.5's features that matters.
const runcFeatures = `{"ociVersionMin": "1.0.0", "ociVersionMax": "1.0.2-dev",
 "linux": {"namespaces": ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
  "cgroup": {"v1": true, "v2": true, "systemd": true, "systemdUser": true},
  "seccomp": {"enabled": true, "actions": ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_NOTIFY"]}},
 "annotations": {"org.opencontainers.runc.version": "1.1.5+ds1"}}`

// fakeEngine writes an engine that prints version for --version and
// features for features (exits 1 on features when it is "").
func fakeEngine(t *testing.T, dir, name, version, features string) string {
	t.Helper()
	featuresCase := `features) echo "unknown command features" >&2; exit 1 ;;`
	if features != "" {
		featuresCase = "features) cat <<'EOF'\n" + features + "\nEOF\n;;"
	}
	script := "#!/bin/sh\ncase \"$1\" in\n--version) cat <<'EOF'\n" + version + "\nEOF\n;;\n" + featuresCase + "\n*) exit 2 ;;\nesac\n"
	return writeFile(t, dir, name, script, 0o755)
}

func TestEngine(t *testing.T) {
	dir := t.TempDir()
	const cfg = "/etc/sysbox-lite/config.toml"
	runc := fakeEngine(t, dir, "runc", "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4", runcFeatures)
	r := Engine(ProbeEngine(runc), cfg)
	assert.Equal(t, OK, r.Status, r.Found)
	assert.Equal(t, runc+": runc version 1.1.5+ds1, spec 1.0.2-dev; features: OCI 1.0.0 to 1.0.2-dev, user namespaces, seccomp notify, cgroup v1+v2+systemd", r.Found)

	crun := fakeEngine(t, dir, "crun", "crun version 1.8\ncommit: 0356bf4aff9a133d655dc13b1d9ac9424706cac4\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL", "")
	r = Engine(ProbeEngine(crun), cfg)
	assert.Equal(t, Warn, r.Status, "no features command: notify support not confirmed")
	assert.Contains(t, r.Found, "crun version 1.8, spec 1.0.0")
	assert.Contains(t, r.Found, "no `features` command: crun features: exit status 1: unknown command features")

	noNotify := strings.ReplaceAll(runcFeatures, `, "SCMP_ACT_NOTIFY"`, "")
	old := fakeEngine(t, dir, "old", "runc version 1.0.0", noNotify)
	r = Engine(ProbeEngine(old), cfg)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "lacks SCMP_ACT_NOTIFY")

	noUserns := strings.ReplaceAll(runcFeatures, `"pid", "user", "uts"`, `"pid", "uts"`)
	r = Engine(ProbeEngine(fakeEngine(t, dir, "nouserns", "x 1", noUserns)), cfg)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "lacks user namespaces")

	r = Engine(ProbeEngine(fakeEngine(t, dir, "garbled", "x 1", "not json")), cfg)
	assert.Equal(t, Warn, r.Status)
	assert.Contains(t, r.Found, "its features do not decode")

	broken := writeFile(t, dir, "broken", "#!/bin/sh\necho 'cannot run' >&2\nexit 3\n", 0o755)
	r = Engine(ProbeEngine(broken), cfg)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "does not run: broken --version: exit status 3: cannot run")

	r = Engine(ProbeEngine("sysbox-lite-no-such-engine"), cfg)
	assert.Equal(t, Missing, r.Status)
	assert.Equal(t, `engine "sysbox-lite-no-such-engine" not found`, r.Found, "the hint is in the fix")
	assert.Contains(t, r.Fix, "set engine in "+cfg)

	r = Engine(ProbeEngine(filepath.Join(dir, "absent")), cfg)
	assert.Equal(t, Missing, r.Status)
}
