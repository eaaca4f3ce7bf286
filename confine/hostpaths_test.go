package confine

import (
	"errors"
	"path"
	"sort"
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
	return runHostPathsOn(t, cfg, fakeFS{}, resolve, &specs.Spec{Mounts: mounts, Annotations: ann})
}

func runHostPathsOn(t *testing.T, cfg config.Config, fs fakeFS, resolve func(string) (string, error), spec *specs.Spec) (error, []audit.Event) {
	t.Helper()
	var m audit.Memory
	err := NewHostPaths(cfg, &m, resolve).WithHost(Host{Inspect: fs.inspect, RootSockets: fs.rootSockets, Mounts: noMounts}).Modify(spec)
	return err, m.Events()
}

func noMounts() ([]Mount, error) { return nil, nil }

// fakeFS is a host's files as the socket checks see them: what is not in
// it does not exist. A path mapped to a nil *PathInfo fails to inspect or
// list.
type fakeFS map[string]*PathInfo

var (
	rootSock = &PathInfo{Exists: true, Socket: true, UID: 0}
	userSock = &PathInfo{Exists: true, Socket: true, UID: 1000}
	rootFile = &PathInfo{Exists: true, UID: 0}
	dir      = &PathInfo{Exists: true, Dir: true}
	mountDir = &PathInfo{Exists: true, Dir: true, MountRoot: true}
)

func (fs fakeFS) inspect(p string) (PathInfo, error) {
	info, ok := fs[p]
	if !ok {
		return PathInfo{}, nil
	}
	if info == nil {
		return PathInfo{}, errors.New("permission denied")
	}
	return *info, nil
}

func (fs fakeFS) rootSockets(d string) ([]string, error) {
	if info, ok := fs[d]; ok && info == nil {
		return nil, errors.New("permission denied")
	}
	var out []string
	for p, info := range fs {
		if info != nil && path.Dir(p) == d && info.Socket && info.UID == 0 {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// dockerSpec is a spec as docker writes it for a container of a daemon
// whose data root is dataRoot (and exec root execRoot, when not ""), plus
// mounts.
func dockerSpec(dataRoot, execRoot string, mounts ...specs.Mount) *specs.Spec {
	s := &specs.Spec{Mounts: []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		bind(dataRoot+"/containers/"+cid+"/resolv.conf", "/etc/resolv.conf"),
		bind(dataRoot+"/containers/"+cid+"/hostname", "/etc/hostname"),
		bind(dataRoot+"/containers/"+cid+"/hosts", "/etc/hosts"),
	}}
	s.Mounts = append(s.Mounts, mounts...)
	if execRoot != "" {
		s.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: "/proc/28366/exe",
			Args: []string{"libnetwork-setkey", "-exec-root=" + execRoot, cid, "b0bb752f5d53"}}}}
	}
	return s
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
		require.NoError(t, NewHostPaths(config.Default(), &m, fakeResolve).WithHost(Host{Inspect: fakeFS{}.inspect, RootSockets: fakeFS{}.rootSockets, Mounts: noMounts}).Modify(s), name)
		assert.Equal(t, before, s, "the check changes nothing")
		assert.Empty(t, m.Events())
	}
}

const (
	hint       = " (allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"
	socketHint = " (an engine or system service socket; allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)"
)

// hostFS is a host with an engine at non-standard paths (/srv/engine: its
// socket, a directory with it, its data root), users' sockets and volumes.
var hostFS = fakeFS{
	"/srv/engine":                        dir,
	"/srv/engine/api.sock":               rootSock,
	"/srv/engine/state":                  dir,
	"/srv/deeper":                        dir,
	"/srv/deeper/sub":                    dir,
	"/srv/deeper/sub/api.sock":           rootSock,
	"/srv/link.sock":                     rootSock, // not inspected: it resolves to /srv/engine/api.sock
	"/home/me":                           dir,
	"/home/me/agent.sock":                userSock,
	"/home/me/root-file":                 rootFile,
	"/tmp/.X11-unix":                     dir,
	"/tmp/.X11-unix/X0":                  userSock,
	"/srv/noperm":                        nil,
	"/var/lib/docker/volumes/dind/_data": dir,
	"/var/lib/docker/volumes/dind/_data/docker.sock": rootSock, // made by a container's root (idmapped: host uid 0)
	"/var/lib/docker/volumes/bound/_data":            mountDir, // a volume driver's bind of /srv/engine
	"/var/lib/docker/volumes/bound/_data/api.sock":   rootSock,
	"/srv/volumes/v/_data":                           dir, // the shape of a volume, but a user directory
	"/srv/volumes/v/_data/api.sock":                  rootSock,
}

func hostResolve(p string) (string, error) {
	if p == "/srv/link.sock" {
		return "/srv/engine/api.sock", nil
	}
	return fakeResolve(p)
}

// TestHostPathsRootSockets: a unix socket owned by host root is refused by
// what it is, whatever its name, and so is a directory with one directly in
// it; other owners' sockets, and sockets deeper down, are not.
func TestHostPathsRootSockets(t *testing.T) {
	refused := map[string]struct {
		m    specs.Mount
		want string
	}{
		"root socket":            {bind("/srv/engine/api.sock", "/s"), "bind mount of /srv/engine/api.sock is refused: it is a unix socket owned by host root" + socketHint},
		"through a symlink":      {bind("/srv/link.sock", "/s"), "bind mount of /srv/link.sock (which is /srv/engine/api.sock) is refused: it is a unix socket owned by host root" + socketHint},
		"its directory":          {bind("/srv/engine", "/e"), "bind mount of /srv/engine is refused: it contains /srv/engine/api.sock, a unix socket owned by host root" + socketHint},
		"bound volume":           {bind("/var/lib/docker/volumes/bound/_data", "/v"), "bind mount of /var/lib/docker/volumes/bound/_data is refused: it contains /var/lib/docker/volumes/bound/_data/api.sock, a unix socket owned by host root" + socketHint},
		"bound volume socket":    {bind("/var/lib/docker/volumes/bound/_data/api.sock", "/s"), "bind mount of /var/lib/docker/volumes/bound/_data/api.sock is refused: it is a unix socket owned by host root" + socketHint},
		"volume shape, user dir": {bind("/srv/volumes/v/_data", "/v"), "bind mount of /srv/volumes/v/_data is refused: it contains /srv/volumes/v/_data/api.sock, a unix socket owned by host root" + socketHint},
		"cannot inspect":         {bind("/srv/noperm", "/n"), "bind mount of /srv/noperm is refused: cannot inspect it on the host: permission denied"},
		"named wins":             {bind("/run/docker.sock", "/s"), "bind mount of /run/docker.sock is refused: it is the container engine's socket" + hint},
	}
	for name, tc := range refused {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPathsOn(t, testConfig(), hostFS, hostResolve, &specs.Spec{Mounts: []specs.Mount{bind("/home/me", "/ok"), tc.m}})
			var r *Refusal
			require.ErrorAs(t, err, &r)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			require.Len(t, events, 1)
			assert.Equal(t, audit.RuleHostPaths, events[0].Rule)
			assert.Equal(t, audit.Refused, events[0].Verdict)
			assert.True(t, strings.HasPrefix(events[0].Asked, "bind mount of "+tc.m.Source), events[0].Asked)
		})
	}

	allowed := map[string]specs.Mount{
		"user's socket":             bind("/home/me/agent.sock", "/agent.sock"),
		"dir of user sockets":       bind("/tmp/.X11-unix", "/tmp/.X11-unix"),
		"root-owned file":           bind("/home/me/root-file", "/f"),
		"missing source":            bind("/srv/new", "/n"),
		"socket two levels down":    bind("/srv/deeper", "/d"), // the documented limit: one readdir
		"volume made by containers": bind("/var/lib/docker/volumes/dind/_data", "/var/run"),
		"dind socket in a volume":   bind("/var/lib/docker/volumes/dind/_data/docker.sock", "/var/run/docker.sock"),
	}
	for name, m := range allowed {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPathsOn(t, testConfig(), hostFS, hostResolve, &specs.Spec{Mounts: []specs.Mount{m}})
			require.NoError(t, err)
			assert.Empty(t, events)
		})
	}

	t.Run("cannot list", func(t *testing.T) {
		fs := fakeFS{"/srv/d": dir}
		var m audit.Memory
		err := NewHostPaths(testConfig(), &m, fakeResolve).WithHost(Host{Inspect: fs.inspect,
			RootSockets: func(string) ([]string, error) { return nil, errors.New("input/output error") }, Mounts: noMounts}).
			Modify(&specs.Spec{Mounts: []specs.Mount{bind("/srv/d", "/d")}})
		require.Error(t, err)
		assert.Equal(t, "sysbox-lite: bind mount of /srv/d is refused: cannot list it on the host: input/output error", err.Error())
		assert.Len(t, m.Events(), 1)
	})

	t.Run("engine files are not inspected", func(t *testing.T) {
		fs := fakeFS{}
		for _, f := range []string{"hosts", "hostname", "resolv.conf"} {
			fs["/var/lib/docker/containers/"+cid+"/"+f] = nil // would fail
		}
		fs["/var/lib/docker/volumes/v/_data"] = dir
		err, _ := runHostPathsOn(t, testConfig(), fs, fakeResolve, dockerSpec("/var/lib/docker", "", bind("/var/lib/docker/volumes/v/_data", "/v")))
		require.NoError(t, err)
	})

	t.Run("allow-listed", func(t *testing.T) {
		cfg := testConfig()
		cfg.Policy.AllowedMounts = []string{"/srv/engine"}
		cfg.Policy.ImageMounts = []config.ImageMounts{{Image: "ci", Paths: []string{"/var/lib/docker/volumes/bound"}}}
		for _, m := range []specs.Mount{bind("/srv/engine/api.sock", "/s"), bind("/srv/link.sock", "/s"), bind("/srv/engine", "/e")} {
			err, _ := runHostPathsOn(t, cfg, hostFS, hostResolve, &specs.Spec{Mounts: []specs.Mount{m}})
			require.NoError(t, err, m.Source)
		}
		spec := &specs.Spec{Mounts: []specs.Mount{bind("/var/lib/docker/volumes/bound/_data", "/v")}, Annotations: map[string]string{AnnotationImage: "ci"}}
		err, _ := runHostPathsOn(t, cfg, hostFS, hostResolve, spec)
		require.NoError(t, err, "image_mounts")
		spec.Annotations = map[string]string{AnnotationImage: "other"}
		err, _ = runHostPathsOn(t, cfg, hostFS, hostResolve, spec)
		require.Error(t, err, "image_mounts of another image")

		narrow := &specs.Spec{Mounts: []specs.Mount{bind("/srv/engine/api.sock", "/s")}, Annotations: map[string]string{AnnotationAllowedMounts: "/srv/engine/state"}}
		err, _ = runHostPathsOn(t, cfg, hostFS, hostResolve, narrow)
		require.Error(t, err, "the annotation narrows the allow-list")
		assert.Contains(t, err.Error(), "it is a unix socket owned by host root")
	})
}

// TestHostPathsEngineRootsFromSpec: docker's data root and exec root are
// read from the spec (its own binds, its network hook), so a daemon at
// non-standard paths is protected without configuration.
func TestHostPathsEngineRootsFromSpec(t *testing.T) {
	const root, exec = "/tmp/d/docker", "/tmp/d/exec"
	const other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	refused := map[string]struct {
		m    specs.Mount
		want string
	}{
		"data root":           {bind(root, "/r"), "bind mount of /tmp/d/docker is refused: it is docker's data root, where this container's own files are"},
		"image store":         {bind(root+"/image", "/r"), "bind mount of /tmp/d/docker/image is refused: it is inside /tmp/d/docker, docker's data root, where this container's own files are"},
		"own config.v2":       {bind(root+"/containers/"+cid+"/config.v2.json", "/c"), "bind mount of /tmp/d/docker/containers/" + cid + "/config.v2.json is refused: it is inside /tmp/d/docker, docker's data root, where this container's own files are"},
		"volume metadata":     {bind(root+"/volumes/metadata.db", "/c"), "bind mount of /tmp/d/docker/volumes/metadata.db is refused: it is inside /tmp/d/docker, docker's data root, where this container's own files are"},
		"daemon dir":          {bind("/tmp/d", "/d"), "bind mount of /tmp/d is refused: it contains /tmp/d/docker, docker's data root, where this container's own files are"},
		"exec root":           {bind(exec, "/x"), "bind mount of /tmp/d/exec is refused: it is docker's exec root, named by this container's network hook"},
		"under the exec root": {bind(exec+"/netns", "/x"), "bind mount of /tmp/d/exec/netns is refused: it is inside /tmp/d/exec, docker's exec root, named by this container's network hook"},
	}
	for name, tc := range refused {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPathsOn(t, testConfig(), fakeFS{}, fakeResolve, dockerSpec(root, exec, tc.m))
			require.Error(t, err)
			assert.Equal(t, "sysbox-lite: "+tc.want+hint, err.Error())
			assert.Len(t, events, 1)
		})
	}
	for name, m := range map[string]specs.Mount{
		"a volume":                      bind(root+"/volumes/v/_data", "/v"),
		"in a volume":                   bind(root+"/volumes/v/_data/sub", "/v"),
		"its shm":                       bind(root+"/containers/"+cid+"/mounts/shm", "/dev/shm"),
		"another container's hosts":     bind(root+"/containers/"+other+"/hosts", "/etc/hosts2"), // --network container:other
		"a sibling of the daemon's dir": bind("/tmp/e", "/e"),
	} {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPathsOn(t, testConfig(), fakeFS{}, fakeResolve, dockerSpec(root, exec, m))
			require.NoError(t, err)
			assert.Empty(t, events)
		})
	}

	t.Run("only docker's own binds name it", func(t *testing.T) {
		// without them (ctr, CRI) nothing is known; a bind of that shape
		// elsewhere than /etc/hosts & co. names nothing
		spec := &specs.Spec{Mounts: []specs.Mount{bind(root+"/containers/"+cid+"/hosts", "/srv/hosts"), bind(root, "/r")}}
		err, _ := runHostPathsOn(t, testConfig(), fakeFS{}, fakeResolve, spec)
		require.NoError(t, err)
	})

	t.Run("a system directory is not made an engine root", func(t *testing.T) {
		spec := dockerSpec("/etc", "", bind("/etc/volumes/v/_data", "/v"))
		spec.Mounts = spec.Mounts[:len(spec.Mounts)-1] // docker's own binds alone
		err, _ := runHostPathsOn(t, testConfig(), fakeFS{}, fakeResolve, spec)
		require.Error(t, err)
		assert.Equal(t, "sysbox-lite: bind mount of /etc/containers/"+cid+"/resolv.conf is refused: it is inside /etc, a host system directory"+hint, err.Error())
	})

	t.Run("symlinked", func(t *testing.T) {
		resolve := func(p string) (string, error) {
			if within(p, "/srv/docker-link") {
				return "/data/docker" + strings.TrimPrefix(p, "/srv/docker-link"), nil
			}
			return p, nil
		}
		err, _ := runHostPathsOn(t, testConfig(), fakeFS{}, resolve, dockerSpec("/srv/docker-link", "", bind("/srv/docker-link/volumes/v/_data", "/v")))
		require.NoError(t, err)
		err, _ = runHostPathsOn(t, testConfig(), fakeFS{}, resolve, dockerSpec("/srv/docker-link", "", bind("/data/docker/image", "/i")))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "it is inside /data/docker, docker's data root")
	})

	t.Run("the usual data root keeps its name", func(t *testing.T) {
		err, _ := runHostPathsOn(t, testConfig(), fakeFS{}, fakeResolve, dockerSpec("/var/lib/docker", "/run/docker", bind("/var/lib/docker", "/d")))
		require.Error(t, err)
		assert.Equal(t, "sysbox-lite: bind mount of /var/lib/docker is refused: it is the container engine's state"+hint, err.Error())
	})

	t.Run("exec root argument forms", func(t *testing.T) {
		for _, args := range [][]string{
			{"libnetwork-setkey", "-exec-root=/x/exec", cid, "c"},
			{"/usr/bin/libnetwork-setkey", "--exec-root=/x/exec", cid, "c"},
			{"libnetwork-setkey", "-exec-root", "/x/exec", cid, "c"},
		} {
			spec := &specs.Spec{Hooks: &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/usr/bin/dockerd", Args: args}}}}
			assert.Equal(t, []string{"/x/exec"}, execRoots(spec), "%v", args)
		}
		for _, args := range [][]string{
			{"other-hook", "-exec-root=/x/exec"},
			{"libnetwork-setkey", "-exec-root=relative"},
			{"libnetwork-setkey", "-exec-root=/"},
			{"libnetwork-setkey", "-exec-root"},
		} {
			spec := &specs.Spec{Hooks: &specs.Hooks{Prestart: []specs.Hook{{Path: "/p", Args: args}}}}
			assert.Empty(t, execRoots(spec), "%v", args)
		}
	})
}

// TestHostPathsSensitiveMounts: [policy] sensitive_mounts adds host paths
// refused like the built-in ones; allowed_mounts still allows them.
func TestHostPathsSensitiveMounts(t *testing.T) {
	cfg := testConfig()
	cfg.Policy.SensitiveMounts = []string{"/srv/engine", "/var/run/engine2"}
	for name, tc := range map[string]struct {
		m    specs.Mount
		want string
	}{
		"the path":          {bind("/srv/engine", "/e"), "bind mount of /srv/engine is refused: it is a path listed in [policy] sensitive_mounts" + hint},
		"under it":          {bind("/srv/engine/state", "/e"), "bind mount of /srv/engine/state is refused: it is inside /srv/engine, a path listed in [policy] sensitive_mounts" + hint},
		"containing it":     {bind("/srv", "/e"), "bind mount of /srv is refused: it contains /srv/engine, a path listed in [policy] sensitive_mounts" + hint},
		"other spelling":    {bind("/run/engine2/x", "/e"), "bind mount of /run/engine2/x is refused: it is inside /run/engine2, a path listed in [policy] sensitive_mounts" + hint},
		"socket rule first": {bind("/srv/engine/api.sock", "/s"), "bind mount of /srv/engine/api.sock is refused: it is a unix socket owned by host root" + socketHint},
	} {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPathsOn(t, cfg, hostFS, hostResolve, &specs.Spec{Mounts: []specs.Mount{tc.m}})
			require.Error(t, err)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			assert.Len(t, events, 1)
		})
	}

	t.Run("the data root rule first", func(t *testing.T) {
		cfg := testConfig()
		cfg.Policy.SensitiveMounts = []string{"/tmp/d"}
		err, _ := runHostPathsOn(t, cfg, fakeFS{}, fakeResolve, dockerSpec("/tmp/d/docker", "", bind("/tmp/d/docker", "/r")))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "it is docker's data root")
		err, _ = runHostPathsOn(t, cfg, fakeFS{}, fakeResolve, dockerSpec("/tmp/d/docker", "", bind("/tmp/d/docker/volumes/v/_data", "/v")))
		require.NoError(t, err, "docker's files stay allowed under a sensitive_mounts path: the data root read from the spec is an engine root")
		err, _ = runHostPathsOn(t, cfg, fakeFS{}, fakeResolve, dockerSpec("/tmp/d/docker", "", bind("/tmp/d/other", "/o")))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "it is inside /tmp/d, a path listed in [policy] sensitive_mounts")
	})

	t.Run("allowed_mounts wins", func(t *testing.T) {
		cfg := cfg
		cfg.Policy.AllowedMounts = []string{"/srv/engine/state"}
		err, _ := runHostPathsOn(t, cfg, hostFS, hostResolve, &specs.Spec{Mounts: []specs.Mount{bind("/srv/engine/state", "/s")}})
		require.NoError(t, err)
	})
}

// hostMountTable is a host where volume drivers mounted host directories
// at volumes' _data, and an administrator bound /etc/ssh under /srv/chroot.
var hostMountTable = []Mount{
	{ID: 1, Dev: "254:0", Root: "/", MountPoint: "/", FSType: "ext4"},
	{ID: 2, Dev: "0:25", Root: "/", MountPoint: "/run", FSType: "tmpfs"},
	{ID: 3, Dev: "254:0", Root: "/var/lib/docker", MountPoint: "/var/lib/docker", FSType: "ext4"}, // docker binds its data root onto itself
	{ID: 4, Dev: "254:0", Root: "/etc", MountPoint: "/var/lib/docker/volumes/etcvol/_data", FSType: "ext4"},
	{ID: 5, Dev: "254:0", Root: "/srv/plain", MountPoint: "/var/lib/docker/volumes/plainvol/_data", FSType: "ext4"},
	{ID: 6, Dev: "0:25", Root: "/", MountPoint: "/var/lib/docker/volumes/runvol/_data", FSType: "tmpfs"},
	{ID: 7, Dev: "254:0", Root: "/etc/ssh", MountPoint: "/srv/chroot/ssh", FSType: "ext4"},
	{ID: 8, Dev: "0:50", Root: "/", MountPoint: "/var/lib/docker/volumes/ovl/_data", FSType: "overlay", Options: "rw,lowerdir=/srv/l:/etc,upperdir=/srv/u,workdir=/srv/w"},
	{ID: 9, Dev: "0:51", Root: "/", MountPoint: "/var/lib/docker/volumes/ovlrel/_data", FSType: "overlay", Options: "rw,lowerdir=l/0,upperdir=/srv/u,workdir=/srv/w"},
	{ID: 10, Dev: "0:52", Root: "/", MountPoint: "/var/lib/docker/volumes/ovlok/_data", FSType: "overlay", Options: "rw,lowerdir=/srv/l\\:x:/srv/m,upperdir=/srv/u,workdir=/srv/w"},
	{ID: 11, Dev: "0:60", Root: "/", MountPoint: "/var/lib/docker/volumes/nfs/_data", FSType: "nfs4"},
	{ID: 12, Dev: "0:61", Root: "/", MountPoint: "/var/lib/docker/containers/" + cid + "/mounts/shm", FSType: "tmpfs"},
	{ID: 13, Dev: "254:0", Root: "/", MountPoint: "/var/lib/docker/volumes/disk/_data", FSType: "ext4"}, // device=/dev/vda
	{ID: 14, Dev: "0:70", Root: "/", MountPoint: "/var/lib/kubelet/pods/uid/volumes/kubernetes.io~secret/token", FSType: "tmpfs"},
	{ID: 15, Dev: "0:70", Root: "/", MountPoint: "/var/lib/kubelet/pods/uid/volume-subpaths/token/app/0", FSType: "tmpfs"},
	{ID: 16, Dev: "254:0", Root: "/srv/plain/sub", MountPoint: "/home/me/sub", FSType: "ext4"},
}

// TestHostPathsThroughMounts: what a source is through the mounts it is on,
// or (recursive binds) that are below it, is checked by name too.
func TestHostPathsThroughMounts(t *testing.T) {
	mounts := func() ([]Mount, error) { return hostMountTable, nil }
	run := func(cfg config.Config, ms ...specs.Mount) (error, []audit.Event) {
		var m audit.Memory
		err := NewHostPaths(cfg, &m, fakeResolve).WithHost(Host{Inspect: fakeFS{}.inspect, RootSockets: fakeFS{}.rootSockets, Mounts: mounts}).
			Modify(dockerSpec("/var/lib/docker", "", ms...))
		return err, m.Events()
	}
	const vols = "/var/lib/docker/volumes/"
	for name, tc := range map[string]struct {
		m    specs.Mount
		want string
	}{
		"volume bound from /etc":       {bind(vols+"etcvol/_data", "/v"), "bind mount of " + vols + "etcvol/_data is refused: it is /etc through a mount, a host system directory"},
		"below it":                     {bind(vols+"etcvol/_data/ssh", "/v"), "bind mount of " + vols + "etcvol/_data/ssh is refused: it is /etc/ssh through a mount, inside /etc, a host system directory"},
		"volume of a tmpfs":            {bind(vols+"runvol/_data", "/v"), "bind mount of " + vols + "runvol/_data is refused: it is /run through a mount, which contains /run/docker.sock, the container engine's socket"},
		"volume of the host's disk":    {bind(vols+"disk/_data", "/v"), "bind mount of " + vols + "disk/_data is refused: it is / through a mount, which contains /run/docker.sock, the container engine's socket"},
		"overlay over /etc":            {bind(vols+"ovl/_data", "/v"), "bind mount of " + vols + "ovl/_data is refused: it is an overlay mount over /etc (lowerdir), a host system directory"},
		"inside the overlay":           {bind(vols+"ovl/_data/x", "/v"), "bind mount of " + vols + "ovl/_data/x is refused: it is inside " + vols + "ovl/_data, an overlay mount over /etc (lowerdir), a host system directory"},
		"overlay over a relative path": {bind(vols+"ovlrel/_data", "/v"), "bind mount of " + vols + "ovlrel/_data is refused: it is an overlay mount whose lowerdir l/0 is not an absolute path (what it is over cannot be told)"},
		"admin's bind of /etc/ssh":     {bind("/srv/chroot/ssh/sshd_config", "/c"), "bind mount of /srv/chroot/ssh/sshd_config is refused: it is /etc/ssh/sshd_config through a mount, inside /etc, a host system directory"},
		"recursive bind above it":      {bind("/srv/chroot", "/c"), "bind mount of /srv/chroot is refused: it contains /srv/chroot/ssh, which is /etc/ssh through a mount, inside /etc, a host system directory"},
		"recursive bind of volumes":    {bind("/srv", "/c"), "bind mount of /srv is refused: it contains /srv/chroot/ssh, which is /etc/ssh through a mount, inside /etc, a host system directory"},
	} {
		t.Run(name, func(t *testing.T) {
			err, events := run(testConfig(), tc.m)
			require.Error(t, err)
			assert.Equal(t, "sysbox-lite: "+tc.want+hint, err.Error())
			require.Len(t, events, 1)
			assert.Equal(t, audit.RuleHostPaths, events[0].Rule)
		})
	}
	for name, m := range map[string]specs.Mount{
		"volume bound from a plain dir": bind(vols+"plainvol/_data", "/v"),
		"overlay of plain dirs":         bind(vols+"ovlok/_data", "/v"),
		"nfs volume":                    bind(vols+"nfs/_data", "/v"),
		"plain volume":                  bind(vols+"v/_data", "/v"),
		"its shm":                       bind("/var/lib/docker/containers/"+cid+"/mounts/shm", "/dev/shm"),
		"kubelet subpath":               bind("/var/lib/kubelet/pods/uid/volume-subpaths/token/app/0", "/t"),
		"home with a bind below":        bind("/home/me", "/h"),
		"non-recursive bind above":      {Destination: "/c", Type: "bind", Source: "/srv/chroot", Options: []string{"bind"}},
	} {
		t.Run(name, func(t *testing.T) {
			err, events := run(testConfig(), m)
			require.NoError(t, err)
			assert.Empty(t, events)
		})
	}

	t.Run("allowed through its alias", func(t *testing.T) {
		cfg := testConfig()
		cfg.Policy.AllowedMounts = []string{"/etc/ssh"}
		err, _ := run(cfg, bind("/srv/chroot/ssh", "/c"))
		require.NoError(t, err)
		err, _ = run(cfg, bind(vols+"etcvol/_data", "/v"))
		require.Error(t, err, "only /etc/ssh is allowed, not /etc")
	})

	t.Run("unreadable mount table", func(t *testing.T) {
		var m audit.Memory
		err := NewHostPaths(testConfig(), &m, fakeResolve).WithHost(Host{Inspect: fakeFS{}.inspect, RootSockets: fakeFS{}.rootSockets,
			Mounts: func() ([]Mount, error) { return nil, errors.New("no /proc") }}).
			Modify(&specs.Spec{Mounts: []specs.Mount{bind("/home/me", "/h")}})
		require.Error(t, err)
		assert.Equal(t, "sysbox-lite: bind mount of /home/me is refused: cannot read the host's mount table: no /proc", err.Error())
		assert.Len(t, m.Events(), 1)
	})

	t.Run("overlay options", func(t *testing.T) {
		assert.Equal(t, [][2]string{{"lowerdir", "/a:b"}, {"lowerdir", "/c,d"}, {"upperdir", "/u"}, {"workdir", "/w"}, {"lowerdir+", "/e"}},
			overlayDirs(`rw,lowerdir=/a\:b:/c\,d,upperdir=/u,workdir=/w,lowerdir+=/e,redirect_dir=on`))
	})
}

// TestHostPathsDockerInit: docker's init is recognised by its resolved name
// and spared the name checks only.
func TestHostPathsDockerInit(t *testing.T) {
	fs := fakeFS{"/srv/engine/api.sock": rootSock, "/srv/engine/tini": rootSock, "/usr/bin/tini-static": rootFile}
	resolve := func(p string) (string, error) {
		switch p {
		case "/home/me/tini":
			return "/etc/shadow", nil
		case "/home/me/docker-init":
			return "/srv/engine/api.sock", nil
		case "/usr/bin/docker-init":
			return "/usr/bin/tini-static", nil
		}
		return p, nil
	}
	for name, tc := range map[string]struct {
		src, want string
	}{
		"a symlink named tini":        {"/home/me/tini", "bind mount of /home/me/tini (which is /etc/shadow) is refused: it is inside /etc, a host system directory" + hint},
		"a symlink named docker-init": {"/home/me/docker-init", "bind mount of /home/me/docker-init (which is /srv/engine/api.sock) is refused: it is a unix socket owned by host root" + socketHint},
		"a root socket named tini":    {"/srv/engine/tini", "bind mount of /srv/engine/tini is refused: it is a unix socket owned by host root" + socketHint},
	} {
		t.Run(name, func(t *testing.T) {
			err, events := runHostPathsOn(t, testConfig(), fs, resolve, &specs.Spec{Mounts: []specs.Mount{bind(tc.src, "/sbin/docker-init", "ro")}})
			require.Error(t, err)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			assert.Len(t, events, 1)
		})
	}
	err, _ := runHostPathsOn(t, testConfig(), fs, resolve, &specs.Spec{Mounts: []specs.Mount{bind("/usr/bin/docker-init", "/sbin/docker-init", "ro")}})
	require.NoError(t, err, "docker-init, a symlink to tini-static")
}
