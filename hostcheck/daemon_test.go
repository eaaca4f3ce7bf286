package hostcheck

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/install"
)

// installed runs the real installer with every path in a temporary
// directory and returns its options (the binary is a stand-in script).
func installed(t *testing.T, shim string) install.Options {
	t.Helper()
	dir := t.TempDir()
	o := install.DefaultOptions()
	o.BinDir = filepath.Join(dir, "bin")
	writeFile(t, o.BinDir, install.BinaryName, "#!/bin/sh\n", 0o755)
	writeFile(t, o.BinDir, install.ShimBinaryName, "#!/bin/sh\n", 0o755)
	o.SubUIDFile = filepath.Join(dir, "etc", "subuid")
	o.SubGIDFile = filepath.Join(dir, "etc", "subgid")
	o.DockerConfig = filepath.Join(dir, "etc", "docker", "daemon.json")
	o.ContainerdConfig = filepath.Join(dir, "etc", "containerd", "config.toml")
	o.ConfigDir = filepath.Join(dir, "etc", "sysbox-lite")
	o.DockerdPidfile = filepath.Join(dir, "docker.pid")
	o.ProcDir = t.TempDir()
	o.ContainerdShim = shim
	o.Out = io.Discard
	o.Kill = func(int, syscall.Signal) error { t.Error("no dockerd to signal"); return nil }
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "etc"), 0o755)) // as /etc exists
	require.NoError(t, install.Install(o))
	return o
}

func TestDockerAfterInstall(t *testing.T) {
	o := installed(t, install.ShimRunc)
	f := DockerFacts{Config: ReadConfigFile(o.DockerConfig), Dockerd: "/usr/bin/dockerd"}
	r := Docker(f)
	assert.Equal(t, OK, r.Status, r.Found)
	assert.Contains(t, r.Found, "runtimes.sysbox-lite in "+o.DockerConfig+": path "+o.BinaryPath())
	dir, src := DockerDataRoot(f)
	assert.Equal(t, DefaultDockerDataRoot, dir)
	assert.Equal(t, "default", src)

	// The subid pool install added is what SubIDPool wants.
	p := idpool(o.SubUIDFile, o.SubGIDFile)
	assert.Equal(t, OK, SubIDPool(p).Status)
}

func TestDocker(t *testing.T) {
	dir := t.TempDir()
	cfg := func(content string) ConfigFile {
		return ReadConfigFile(writeFile(t, dir, "daemon.json", content, 0o644))
	}
	absent := ReadConfigFile(filepath.Join(dir, "absent.json"))
	bin := writeFile(t, dir, "sysbox-lite", "#!/bin/sh\n", 0o755)

	r := Docker(DockerFacts{Config: absent})
	assert.Equal(t, Warn, r.Status, "no docker")
	assert.Contains(t, r.Found, "not installed")

	r = Docker(DockerFacts{Config: absent, Dockerd: "/usr/sbin/dockerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "does not exist: runtime sysbox-lite is not registered")
	assert.Contains(t, r.Fix, "sysbox-lite-install install")

	r = Docker(DockerFacts{Config: cfg(`{"runtimes": {"other": {"path": "/x"}}}`), Dockerd: "/usr/sbin/dockerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "has no runtimes.sysbox-lite")

	r = Docker(DockerFacts{Config: cfg(`{"runtimes": {"other": {"path": "/x"}}}`)})
	assert.Equal(t, Warn, r.Status, "a daemon.json without dockerd")

	f := DockerFacts{Config: cfg(`{"data-root": "/srv/docker", "runtimes": {"sysbox-lite": {"path": "` + bin + `", "runtimeArgs": ["--sysbox-config", "/etc/x.toml"]}}}`), Dockerd: "/usr/sbin/dockerd"}
	r = Docker(f)
	assert.Equal(t, OK, r.Status, r.Found)
	assert.Contains(t, r.Found, "runtimeArgs --sysbox-config /etc/x.toml")
	d, src := DockerDataRoot(f)
	assert.Equal(t, "/srv/docker", d)
	assert.Equal(t, "data-root in "+f.Config.Path, src)

	r = Docker(DockerFacts{Config: cfg(`{"runtimes": {"sysbox-lite": {"path": "` + filepath.Join(dir, "gone") + `"}}}`), Dockerd: "/usr/sbin/dockerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "no such file or directory")
	assert.Contains(t, r.Fix, "make install")

	notExec := writeFile(t, dir, "notexec", "", 0o644)
	r = Docker(DockerFacts{Config: cfg(`{"runtimes": {"sysbox-lite": {"path": "` + notExec + `"}}}`), Dockerd: "/usr/sbin/dockerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "is not executable")

	r = Docker(DockerFacts{Config: cfg(`{"runtimes": `), Dockerd: "/usr/sbin/dockerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "does not parse")
}

func TestContainerdAfterInstall(t *testing.T) {
	for _, shim := range []string{install.ShimRunc, install.ShimSysboxLite} {
		t.Run(shim, func(t *testing.T) {
			o := installed(t, shim)
			f := ContainerdFacts{Config: ReadConfigFile(o.ContainerdConfig), Containerd: "/usr/bin/containerd", Shim: o.ShimPath()}
			r := Containerd(f)
			assert.Equal(t, OK, r.Status, r.Found)
			assert.Contains(t, r.Found, `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.sysbox-lite] in `+o.ContainerdConfig+" (config version 2, sysbox-lite-install's block)")
			if shim == install.ShimRunc {
				assert.Contains(t, r.Found, "runtime_type io.containerd.runc.v2, BinaryName "+o.BinaryPath())
			} else {
				assert.Contains(t, r.Found, "runtime_type io.containerd.sysbox-lite.v2, shim "+o.ShimPath())
				f.Shim = ""
				r = Containerd(f)
				assert.Equal(t, Missing, r.Status)
				assert.Contains(t, r.Found, "containerd-shim-sysbox-lite-v2 is not in PATH")
			}
		})
	}
}

func TestContainerd(t *testing.T) {
	dir := t.TempDir()
	cfg := func(content string) ConfigFile {
		return ReadConfigFile(writeFile(t, dir, "config.toml", content, 0o644))
	}
	absent := ReadConfigFile(filepath.Join(dir, "absent.toml"))

	r := Containerd(ContainerdFacts{Config: absent})
	assert.Equal(t, Warn, r.Status)
	assert.Contains(t, r.Found, "not installed")

	r = Containerd(ContainerdFacts{Config: absent, Containerd: "/usr/bin/containerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Fix, "then restart containerd")

	debian := cfg("version = 2\nroot = \"/srv/containerd\"\n[plugins]\n  [plugins.\"io.containerd.grpc.v1.cri\".cni]\n    bin_dir = \"/usr/lib/cni\"\n")
	f := ContainerdFacts{Config: debian, Containerd: "/usr/bin/containerd"}
	r = Containerd(f)
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "(config version 2) defines no sysbox-lite CRI runtime")
	d, src := ContainerdRoot(f)
	assert.Equal(t, "/srv/containerd", d)
	assert.Equal(t, "root in "+debian.Path, src)
	d, src = ContainerdRoot(ContainerdFacts{Config: absent})
	assert.Equal(t, DefaultContainerdRoot, d)
	assert.Equal(t, "default", src)

	byHand := cfg("version = 3\n[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.sysbox-lite]\n  runtime_type = \"io.containerd.runc.v2\"\n  [plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.sysbox-lite.options]\n    BinaryName = \"" + filepath.Join(dir, "gone") + "\"\n")
	r = Containerd(ContainerdFacts{Config: byHand, Containerd: "/usr/bin/containerd"})
	assert.Equal(t, Missing, r.Status, "BinaryName does not exist")
	assert.NotContains(t, r.Found, "sysbox-lite-install's block")
	assert.Contains(t, r.Found, "config version 3")

	disabled := cfg("disabled_plugins = [\"cri\"]\n[plugins.cri.containerd.runtimes.sysbox-lite]\n  runtime_type = \"io.containerd.sysbox-lite.v2\"\n")
	r = Containerd(ContainerdFacts{Config: disabled, Containerd: "/usr/bin/containerd", Shim: "/usr/local/bin/containerd-shim-sysbox-lite-v2"})
	assert.Equal(t, Warn, r.Status)
	assert.Contains(t, r.Fix, "enable the CRI plugin")

	r = Containerd(ContainerdFacts{Config: cfg("version = 7\n"), Containerd: "/usr/bin/containerd"})
	assert.Equal(t, Missing, r.Status)
	assert.Contains(t, r.Found, "unsupported containerd config version 7")
}

func TestFindBinary(t *testing.T) {
	assert.Equal(t, "", FindBinary("sysbox-lite-no-such-binary"))
	assert.NotEmpty(t, FindBinary("sh"))
	assert.Equal(t, "", FindBinary("/no/such/sh"))
}
