package confine

import (
	"errors"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
)

const cid = "68f29835d27ab36f5e15bf9b6a3fff301c16550319d1ea32a5006b7d8700ef0b"

func bind(src, dst string, opts ...string) specs.Mount {
	return specs.Mount{Destination: dst, Type: "bind", Source: src, Options: append([]string{"rbind"}, opts...)}
}

func testConfig() config.Config {
	c := config.Default()
	c.StateDir = "/tmp/sbl/state"
	c.IDPool.File = "/tmp/sbl/idranges.json"
	c.IDPool.SubUIDFile = "/tmp/sbl/subuid"
	c.IDPool.SubGIDFile = "/tmp/sbl/subgid"
	return c
}

func runHostPaths(t *testing.T, cfg config.Config, resolve func(string) (string, error), ann map[string]string, mounts ...specs.Mount) (error, []audit.Event) {
	t.Helper()
	var m audit.Memory
	s := &specs.Spec{Mounts: mounts, Annotations: ann}
	err := NewHostPaths(cfg, &m, resolve).Modify(s)
	return err, m.Events()
}

func TestHostPathsAllowed(t *testing.T) {
	for name, m := range map[string]specs.Mount{
		"home":                     bind("/home/me/src", "/src"),
		"tmp":                      bind("/tmp/data", "/data"),
		"docker hosts":             bind("/var/lib/docker/containers/"+cid+"/hosts", "/etc/hosts"),
		"docker hostname":          bind("/var/lib/docker/containers/"+cid+"/hostname", "/etc/hostname"),
		"docker resolv.conf":       bind("/var/lib/docker/containers/"+cid+"/resolv.conf", "/etc/resolv.conf"),
		"docker shm":               bind("/var/lib/docker/containers/"+cid+"/mounts/shm", "/dev/shm"),
		"docker secret":            bind("/var/lib/docker/containers/"+cid+"/mounts/secrets/s1", "/run/secrets/s1", "ro"),
		"docker volume":            bind("/var/lib/docker/volumes/myvol/_data", "/v"),
		"docker volume subpath":    bind("/var/lib/docker/volumes/my.vol-2/_data/sub/dir", "/v"),
		"private daemon hosts":     bind("/tmp/capture-specs.dIplp5/daemon/docker/containers/"+cid+"/hosts", "/etc/hosts"),
		"private daemon volume":    bind("/tmp/x/docker/volumes/v/_data", "/v"),
		"cri sandbox hosts":        bind("/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"+cid+"/hosts", "/etc/hosts"),
		"cri sandbox shm":          bind("/run/containerd/io.containerd.grpc.v1.cri/sandboxes/"+cid+"/shm", "/dev/shm"),
		"cri image volume":         bind("/var/lib/containerd/io.containerd.grpc.v1.cri/containers/"+cid+"/volumes/abc", "/data"),
		"kubelet pod volume":       bind("/var/lib/kubelet/pods/uid/volumes/kubernetes.io~empty-dir/cache", "/cache"),
		"kubelet termination-log":  bind("/var/lib/kubelet/pods/uid/containers/app/abcd", "/dev/termination-log"),
		"docker-init":              bind("/usr/bin/docker-init", "/sbin/docker-init", "ro"),
		"docker-init via tini":     bind("/usr/bin/tini-static", "/sbin/docker-init", "ro"),
		"var lib other":            bind("/var/lib/mysql", "/var/lib/mysql"),
		"srv":                      bind("/srv/www", "/www"),
		"not a bind: proc":         {Destination: "/proc", Type: "proc", Source: "proc"},
		"not a bind: tmpfs on etc": {Destination: "/etc/x", Type: "tmpfs", Source: "/etc"},
		"relative source":          bind("etc", "/x"),
	} {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPaths(t, testConfig(), fakeResolve, nil, m)
			require.NoError(t, err)
			assert.Empty(t, events)
		})
	}
}

func TestHostPathsRefused(t *testing.T) {
	hint := " (allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"
	for name, tc := range map[string]struct {
		m    specs.Mount
		want string
	}{
		"docker.sock":         {bind("/run/docker.sock", "/s"), "bind mount of /run/docker.sock is refused: it is the container engine's socket"},
		"var run docker.sock": {bind("/var/run/docker.sock", "/s"), "bind mount of /var/run/docker.sock (which is /run/docker.sock) is refused: it is the container engine's socket"},
		"containerd.sock":     {bind("/run/containerd/containerd.sock", "/s"), "bind mount of /run/containerd/containerd.sock is refused: it is the container engine's socket"},
		"containerd state":    {bind("/run/containerd", "/c"), "bind mount of /run/containerd is refused: it is the container engine's state"},
		"var lib docker":      {bind("/var/lib/docker", "/d"), "bind mount of /var/lib/docker is refused: it is the container engine's state"},
		"docker image store":  {bind("/var/lib/docker/image", "/d"), "bind mount of /var/lib/docker/image is refused: it is inside /var/lib/docker, the container engine's state"},
		"docker config.v2":    {bind("/var/lib/docker/containers/"+cid+"/config.v2.json", "/c"), "bind mount of /var/lib/docker/containers/" + cid + "/config.v2.json is refused: it is inside /var/lib/docker, the container engine's state"},
		"docker containers":   {bind("/var/lib/docker/containers", "/c"), "bind mount of /var/lib/docker/containers is refused: it is inside /var/lib/docker, the container engine's state"},
		"volume metadata":     {bind("/var/lib/docker/volumes/metadata.db", "/c"), "bind mount of /var/lib/docker/volumes/metadata.db is refused: it is inside /var/lib/docker, the container engine's state"},
		"var":                 {bind("/var", "/var"), "bind mount of /var is refused: it contains /var/run/docker.sock, the container engine's socket"},
		"run":                 {bind("/run", "/run"), "bind mount of /run is refused: it contains /run/docker.sock, the container engine's socket"},
		"root":                {bind("/", "/host"), "bind mount of / is refused: it contains /run/docker.sock, the container engine's socket"},
		"etc":                 {bind("/etc", "/etc2"), "bind mount of /etc is refused: it is a host system directory"},
		"etc shadow":          {bind("/etc/shadow", "/s"), "bind mount of /etc/shadow is refused: it is inside /etc, a host system directory"},
		"etc sysbox-lite":     {bind("/etc/sysbox-lite", "/c"), "bind mount of /etc/sysbox-lite is refused: it is sysbox-lite's configuration"},
		"proc":                {bind("/proc", "/hostproc"), "bind mount of /proc is refused: it is a host system directory"},
		"sys cgroup":          {bind("/sys/fs/cgroup", "/sys/fs/cgroup"), "bind mount of /sys/fs/cgroup is refused: it is inside /sys, a host system directory"},
		"dev":                 {bind("/dev", "/dev"), "bind mount of /dev is refused: it is a host system directory"},
		"disk":                {bind("/dev/sda", "/disk"), "bind mount of /dev/sda is refused: it is inside /dev, a host system directory"},
		"boot":                {bind("/boot", "/boot"), "bind mount of /boot is refused: it is a host system directory"},
		"modules":             {bind("/lib/modules", "/lib/modules", "ro"), "bind mount of /lib/modules is refused: it is inside /lib, a host system directory"},
		"usr modules":         {bind("/usr/lib/modules", "/lib/modules", "ro"), "bind mount of /usr/lib/modules is refused: it is inside /usr, a host system directory"},
		"usr bin":             {bind("/usr/bin", "/hostbin"), "bind mount of /usr/bin is refused: it is inside /usr, a host system directory"},
		"root home":           {bind("/root/.ssh", "/k"), "bind mount of /root/.ssh is refused: it is inside /root, a host system directory"},
		"var log":             {bind("/var/log", "/logs"), "bind mount of /var/log is refused: it is the host's logs"},
		"audit log":           {bind("/var/log/sysbox-lite/audit.log", "/a"), "bind mount of /var/log/sysbox-lite/audit.log is refused: it is sysbox-lite's audit log"},
		"state dir":           {bind("/tmp/sbl/state", "/s"), "bind mount of /tmp/sbl/state is refused: it is sysbox-lite's own state"},
		"state subdir":        {bind("/tmp/sbl/state/key/rootfs", "/s"), "bind mount of /tmp/sbl/state/key/rootfs is refused: it is inside /tmp/sbl/state, sysbox-lite's own state"},
		"id pool":             {bind("/tmp/sbl/idranges.json", "/p"), "bind mount of /tmp/sbl/idranges.json is refused: it is sysbox-lite's own state"},
		"parent of state":     {bind("/tmp/sbl", "/p"), "bind mount of /tmp/sbl is refused: it contains /tmp/sbl/state, sysbox-lite's own state"},
		"symlink to etc":      {bind("/srv/etc-link/passwd", "/p"), "bind mount of /srv/etc-link/passwd (which is /etc/passwd) is refused: it is inside /etc, a host system directory"},
		"crontab":             {bind("/var/spool/cron", "/c"), "bind mount of /var/spool/cron is refused: it is inside /var/spool, a host system directory"},
		"systemd private":     {bind("/run/systemd/private", "/p"), "bind mount of /run/systemd/private is refused: it is inside /run/systemd, a host system directory"},
		"docker-init rw":      {bind("/usr/bin/docker-init", "/sbin/docker-init"), "bind mount of /usr/bin/docker-init is refused: it is inside /usr, a host system directory"},
		"init elsewhere":      {bind("/usr/bin/docker-init", "/init", "ro"), "bind mount of /usr/bin/docker-init is refused: it is inside /usr, a host system directory"},
		"fake docker shape":   {bind("/etc/x/containers/"+cid+"/hosts", "/h"), "bind mount of /etc/x/containers/" + cid + "/hosts is refused: it is inside /etc, a host system directory"},
		"fake volume shape":   {bind("/etc/volumes/v/_data", "/h"), "bind mount of /etc/volumes/v/_data is refused: it is inside /etc, a host system directory"},
		"bind option only":    {specs.Mount{Destination: "/x", Type: "none", Source: "/etc", Options: []string{"bind"}}, "bind mount of /etc is refused: it is a host system directory"},
	} {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPaths(t, testConfig(), fakeResolve, nil, bind("/home/me", "/ok"), tc.m)
			var r *Refusal
			require.ErrorAs(t, err, &r)
			assert.Equal(t, "sysbox-lite: "+tc.want+hint, err.Error())
			require.Len(t, events, 1)
			assert.Equal(t, audit.Refused, events[0].Verdict)
			assert.Equal(t, audit.RuleHostPaths, events[0].Rule)
			assert.True(t, strings.HasPrefix(events[0].Asked, "bind mount of "+tc.m.Source), events[0].Asked)
		})
	}
}

func TestHostPathsResolveError(t *testing.T) {
	bad := func(p string) (string, error) {
		if p == "/srv/loop" {
			return "", errors.New("too many levels of symbolic links")
		}
		return p, nil
	}
	err, events := runHostPaths(t, testConfig(), bad, nil, bind("/srv/loop", "/l"))
	require.Error(t, err)
	assert.Equal(t, "sysbox-lite: bind mount of /srv/loop is refused: cannot resolve it on the host: too many levels of symbolic links", err.Error())
	assert.Len(t, events, 1)
}

// /var/lib/docker is a symlink to /data/docker: both spellings are
// sensitive, and docker's own files are recognised under either.
func TestHostPathsDataRootSymlinked(t *testing.T) {
	resolve := func(p string) (string, error) {
		if p == "/var/lib/docker" || strings.HasPrefix(p, "/var/lib/docker/") {
			return "/data/docker" + strings.TrimPrefix(p, "/var/lib/docker"), nil
		}
		return p, nil
	}
	err, _ := runHostPaths(t, testConfig(), resolve, nil, bind("/data/docker/containers/"+cid+"/hosts", "/etc/hosts"), bind("/var/lib/docker/volumes/v/_data", "/v"))
	require.NoError(t, err)
	err, _ = runHostPaths(t, testConfig(), resolve, nil, bind("/data/docker/image", "/i"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "it is inside /data/docker, the container engine's state")
}

func TestHostPathsPolicy(t *testing.T) {
	cfg := testConfig()
	cfg.Policy.AllowedMounts = []string{"/var/run/docker.sock", "/etc/ssl/certs"}
	cfg.Policy.ImageMounts = []config.ImageMounts{{Image: "docker:dind", Paths: []string{"/var/lib/docker/ci-cache"}}}

	err, _ := runHostPaths(t, cfg, fakeResolve, nil, bind("/var/run/docker.sock", "/s"), bind("/run/docker.sock", "/s2"), bind("/etc/ssl/certs/ca.pem", "/ca.pem"))
	require.NoError(t, err, "allowed_mounts: under both spellings, and below")
	err, _ = runHostPaths(t, cfg, fakeResolve, nil, bind("/etc/ssl", "/ssl"))
	require.Error(t, err, "a parent of an allowed path is not allowed")

	err, _ = runHostPaths(t, cfg, fakeResolve, nil, bind("/var/lib/docker/ci-cache", "/cache"))
	require.Error(t, err, "image mounts need the image")
	for _, ann := range []map[string]string{
		{AnnotationImage: "docker:dind"},
		{AnnotationImage: "docker.io/library/docker:dind"},
		{"io.kubernetes.cri.image-name": "docker.io/library/docker:dind"},
		{"org.opencontainers.image.ref.name": "docker:dind"},
	} {
		err, _ = runHostPaths(t, cfg, fakeResolve, ann, bind("/var/lib/docker/ci-cache/x", "/cache"))
		require.NoError(t, err, "%v", ann)
	}
	err, _ = runHostPaths(t, cfg, fakeResolve, map[string]string{AnnotationImage: "docker:latest"}, bind("/var/lib/docker/ci-cache", "/cache"))
	require.Error(t, err, "another image")
}

func TestHostPathsAnnotationNarrows(t *testing.T) {
	cfg := testConfig()
	cfg.Policy.AllowedMounts = []string{"/run/docker.sock", "/etc/ssl"}
	ann := map[string]string{AnnotationAllowedMounts: "/etc/ssl/certs"}

	err, _ := runHostPaths(t, cfg, fakeResolve, ann, bind("/etc/ssl/certs", "/c"))
	require.NoError(t, err)
	err, events := runHostPaths(t, cfg, fakeResolve, ann, bind("/run/docker.sock", "/s"))
	require.Error(t, err, "the policy allows it, the container does not ask for it")
	assert.Contains(t, err.Error(), "it is the container engine's socket")
	assert.Len(t, events, 1)
	err, _ = runHostPaths(t, cfg, fakeResolve, ann, bind("/home/me", "/h"))
	require.NoError(t, err, "the annotation narrows the exceptions, not ordinary binds")

	err, events = runHostPaths(t, cfg, fakeResolve, map[string]string{AnnotationAllowedMounts: "/etc"}, bind("/home/me", "/h"))
	require.Error(t, err)
	assert.Equal(t, "sysbox-lite: bind mounts of /etc are refused: the annotation io.sysbox-lite.allowed-mounts asks for them, but the host policy does not allow them (allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)", err.Error())
	require.Len(t, events, 1)
	assert.Equal(t, audit.Refused, events[0].Verdict)

	err, _ = runHostPaths(t, cfg, fakeResolve, map[string]string{AnnotationAllowedMounts: "etc"}, bind("/home/me", "/h"))
	require.Error(t, err)
}

func TestHostPathsRealSpecs(t *testing.T) {
	for _, name := range realSpecs {
		s := loadSpec(t, name)
		before := loadSpec(t, name)
		var m audit.Memory
		require.NoError(t, NewHostPaths(config.Default(), &m, fakeResolve).Modify(s), name)
		assert.Equal(t, before, s, "the check changes nothing")
		assert.Empty(t, m.Events())
	}
}
