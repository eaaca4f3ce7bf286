package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPolicyDefaults(t *testing.T) {
	p := Default().Policy
	assert.Empty(t, p.AllowedDevices)
	assert.Empty(t, p.AllowedMounts)
	assert.Empty(t, p.SensitiveMounts)
	assert.Empty(t, p.ImageMounts)
	assert.Equal(t, "/var/log/sysbox-lite/audit.log", p.AuditLog)
	require.NoError(t, p.Validate())
}

func TestParsePolicy(t *testing.T) {
	cfg, err := Parse("x.toml", []byte(`
[policy]
allowed_devices = ["/dev/kvm", "/dev/vhost-net"]
allowed_mounts = ["/run/docker.sock"]
sensitive_mounts = ["/srv/engine", "/var/run/engine.sock"]
audit_log = "/tmp/audit.log"

[[policy.image_mounts]]
image = "docker.io/library/docker:dind"
paths = ["/var/lib/ci-cache", "/srv/cache"]

[[policy.image_mounts]]
image = "registry.example/ci/runner@sha256:0123"
paths = ["/opt/tools"]
`))
	require.NoError(t, err)
	assert.Equal(t, Policy{
		AllowedDevices:  []string{"/dev/kvm", "/dev/vhost-net"},
		AllowedMounts:   []string{"/run/docker.sock"},
		SensitiveMounts: []string{"/srv/engine", "/var/run/engine.sock"},
		AuditLog:        "/tmp/audit.log",
		ImageMounts: []ImageMounts{
			{Image: "docker.io/library/docker:dind", Paths: []string{"/var/lib/ci-cache", "/srv/cache"}},
			{Image: "registry.example/ci/runner@sha256:0123", Paths: []string{"/opt/tools"}},
		},
	}, cfg.Policy)
	assert.Equal(t, "runc", cfg.Engine, "the rest keeps its defaults")
}

func TestParsePolicyKeepsDefaultAuditLog(t *testing.T) {
	cfg, err := Parse("x.toml", []byte("[policy]\nallowed_devices = [\"/dev/kvm\"]\n"))
	require.NoError(t, err)
	assert.Equal(t, DefaultAuditLog, cfg.Policy.AuditLog)
}

func TestParsePolicyRejects(t *testing.T) {
	for name, text := range map[string]string{
		"unknown policy key":    "[policy]\nallowed_device = [\"/dev/kvm\"]",
		"device not under /dev": "[policy]\nallowed_devices = [\"/etc/passwd\"]",
		"device relative":       "[policy]\nallowed_devices = [\"kvm\"]",
		"device unclean":        "[policy]\nallowed_devices = [\"/dev/../etc/shadow\"]",
		"device pattern":        "[policy]\nallowed_devices = [\"/dev/sd*\"]",
		"device list in string": "[policy]\nallowed_devices = [\"/dev/kvm,/dev/sda\"]",
		"device wrong type":     "[policy]\nallowed_devices = \"/dev/kvm\"",
		"mount relative":        "[policy]\nallowed_mounts = [\"run/docker.sock\"]",
		"mount unclean":         "[policy]\nallowed_mounts = [\"/run/../etc\"]",
		"mount trailing slash":  "[policy]\nallowed_mounts = [\"/srv/\"]",
		"mount root":            "[policy]\nallowed_mounts = [\"/\"]",
		"sensitive relative":    "[policy]\nsensitive_mounts = [\"srv/engine\"]",
		"sensitive unclean":     "[policy]\nsensitive_mounts = [\"/srv/../engine\"]",
		"sensitive trailing":    "[policy]\nsensitive_mounts = [\"/srv/engine/\"]",
		"sensitive root":        "[policy]\nsensitive_mounts = [\"/\"]",
		"sensitive empty":       "[policy]\nsensitive_mounts = [\"\"]",
		"sensitive wrong type":  "[policy]\nsensitive_mounts = \"/srv/engine\"",
		"image mount no image":  "[[policy.image_mounts]]\npaths = [\"/srv\"]",
		"image mount bad image": "[[policy.image_mounts]]\nimage = \"a b\"\npaths = [\"/srv\"]",
		"image mount no paths":  "[[policy.image_mounts]]\nimage = \"busybox\"",
		"image mount bad path":  "[[policy.image_mounts]]\nimage = \"busybox\"\npaths = [\"srv\"]",
		"image mount unknown":   "[[policy.image_mounts]]\nimage = \"busybox\"\npaths = [\"/srv\"]\nmode = \"ro\"",
		"audit log relative":    "[policy]\naudit_log = \"audit.log\"",
		"audit log empty":       "[policy]\naudit_log = \"\"",
		"policy is not a table": "policy = 1",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bad.toml")
		})
	}
}

func TestSensitiveMountsMessages(t *testing.T) {
	_, err := Parse("c.toml", []byte("[policy]\nsensitive_mounts = [\"/\"]"))
	require.Error(t, err)
	assert.Equal(t, `config c.toml: policy.sensitive_mounts: "/" would refuse every bind mount, the engine's own included: name the paths instead`, err.Error())
	_, err = Parse("c.toml", []byte("[policy]\nsensitive_mounts = [\"srv\"]"))
	require.Error(t, err)
	assert.Equal(t, `config c.toml: policy.sensitive_mounts: "srv" must be a clean absolute path`, err.Error())
}
