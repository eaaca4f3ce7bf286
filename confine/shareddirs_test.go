package confine

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
)

// sharedFS: a host with a user's directory, a root-owned one, a docker data
// root with a container's files and two volumes (one a driver's bind of
// /srv/share), and kubelet pod directories.
var sharedFS = fakeFS{
	"/srv/share":       {Exists: true, Dir: true, UID: 1000, GID: 1000},
	"/srv/rootgroup":   {Exists: true, Dir: true, UID: 1001, GID: 0},
	"/srv":             {Exists: true, Dir: true, UID: 0, GID: 0},
	"/srv/cache":       {Exists: true, Dir: true, UID: 0, GID: 0},
	"/home/u/.netrc":   {Exists: true, UID: 1002, GID: 1002},
	"/srv/unknown-grp": {Exists: true, Dir: true, UID: 4242, GID: 0},
	// the same directory as /srv/share, through the mounts below
	"/var/lib/docker/volumes/bound/_data":            {Exists: true, Dir: true, UID: 1000, GID: 1000, MountRoot: true},
	"/var/lib/kubelet/pods/p1/volume-subpaths/h/c/0": {Exists: true, Dir: true, UID: 1000, GID: 1000, MountRoot: true},
}

var sharedMounts = []Mount{
	{ID: 1, Dev: "8:1", Root: "/", MountPoint: "/"},
	{ID: 2, Dev: "0:30", Root: "/", MountPoint: "/var/lib/docker/containers/" + cid + "/mounts/shm", FSType: "tmpfs"},
	{ID: 3, Dev: "8:1", Root: "/srv/share", MountPoint: "/var/lib/docker/volumes/bound/_data"},
	{ID: 4, Dev: "0:31", Root: "/", MountPoint: "/var/lib/kubelet/pods/p1/volumes/kubernetes.io~secret/s", FSType: "tmpfs"},
	{ID: 5, Dev: "8:1", Root: "/srv/share", MountPoint: "/var/lib/kubelet/pods/p1/volume-subpaths/h/c/0"},
}

func decideShares(t *testing.T, cfg config.Config, ann map[string]string, mounts ...specs.Mount) ([]Share, []audit.Event, error) {
	t.Helper()
	var m audit.Memory
	host := Host{Resolve: fakeResolve, Inspect: sharedFS.inspect, RootSockets: sharedFS.rootSockets, Mounts: func() ([]Mount, error) { return sharedMounts, nil }}
	groups := func(uid uint32) (uint32, []uint32, bool) {
		switch uid {
		case 1001:
			return 1001, nil, true
		case 1002:
			return 1002, []uint32{0, 27, 100}, true // root's group is never taken
		}
		return 0, nil, false
	}
	spec := &specs.Spec{Mounts: mounts, Annotations: ann}
	shares, err := NewSharedDirs(cfg, &m, host).WithGroups(groups).Decide(spec)
	return shares, m.Events(), err
}

func TestSharedDirsIdentity(t *testing.T) {
	docker := "/var/lib/docker/containers/" + cid
	for _, tc := range []struct {
		name   string
		mount  specs.Mount
		want   Share
		reason string // part of the audit reason; "" = no audit line
	}{
		{"user directory: its owner", bind("/srv/share", "/s"), Share{Kind: ShareUser, UID: 1000, GID: 1000}, "acts as host 1000:1000, the owner of /srv/share"},
		{"a file: its owner and the owner's groups", bind("/home/u/.netrc", "/root/.netrc"), Share{Kind: ShareUser, UID: 1002, GID: 1002, Groups: []uint32{27, 100}}, "acts as host 1002:1002 (and its groups [27 100]), the owner of /home/u/.netrc"},
		{"root-owned directory: nobody", bind("/srv", "/srv"), Share{Kind: ShareUser, UID: 65534, GID: 65534}, "owned by host root"},
		{"root group: the owner's primary group", bind("/srv/rootgroup", "/g"), Share{Kind: ShareUser, UID: 1001, GID: 1001}, "group 1001"},
		{"root group, owner not in passwd: nogroup", bind("/srv/unknown-grp", "/g"), Share{Kind: ShareUser, UID: 4242, GID: 65534}, "group 65534"},
		{"docker's hosts file: the container's", bind(docker+"/hosts", "/etc/hosts"), Share{}, ""},
		{"docker's shm: the container's", bind(docker+"/mounts/shm", "/dev/shm"), Share{}, ""},
		{"a named volume: the container's", bind("/var/lib/docker/volumes/v1/_data", "/v"), Share{}, ""},
		{"a volume bound from a host directory: shared", bind("/var/lib/docker/volumes/bound/_data", "/v"), Share{Kind: ShareUser, UID: 1000, GID: 1000}, "the owner of /var/lib/docker/volumes/bound/_data"},
		{"kubelet emptyDir: the pod's", bind("/var/lib/kubelet/pods/p1/volumes/kubernetes.io~empty-dir/cache", "/cache"), Share{}, ""},
		{"kubelet secret (tmpfs): the pod's", bind("/var/lib/kubelet/pods/p1/volumes/kubernetes.io~secret/s", "/secret"), Share{}, ""},
		{"kubelet subPath of a hostPath: shared", bind("/var/lib/kubelet/pods/p1/volume-subpaths/h/c/0", "/h"), Share{Kind: ShareUser, UID: 1000, GID: 1000}, "acts as host 1000:1000"},
		{"sysbox-lite's own state: the container's", bind("/tmp/sbl/state/x/fuse/meminfo", "/proc/meminfo"), Share{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shares, events, err := decideShares(t, testConfig(), nil, tc.mount, specs.Mount{Destination: "/proc", Type: "proc", Source: "proc"})
			require.NoError(t, err)
			require.Len(t, shares, 2)
			assert.Equal(t, tc.want, shares[0])
			assert.Equal(t, Share{}, shares[1], "a proc mount is no bind")
			if tc.reason == "" {
				assert.Empty(t, events)
				return
			}
			require.Len(t, events, 1)
			assert.Equal(t, audit.RuleSharedDirs, events[0].Rule)
			assert.Equal(t, audit.Mapped, events[0].Verdict)
			assert.Contains(t, events[0].Reason, tc.reason)
		})
	}
}

func TestSharedDirsPolicy(t *testing.T) {
	t.Run("root_paths keep the container's root as host root", func(t *testing.T) {
		cfg := testConfig()
		cfg.SharedDirs.RootPaths = []string{"/srv/cache"}
		shares, events, err := decideShares(t, cfg, nil, bind("/srv/cache/go", "/go"), bind("/srv/share", "/s"))
		require.NoError(t, err)
		assert.Equal(t, []Share{{Kind: ShareRoot}, {Kind: ShareUser, UID: 1000, GID: 1000}}, shares)
		require.Len(t, events, 2)
		assert.Contains(t, events[0].Reason, "shared_dirs.root_paths")
	})
	t.Run("a fixed user", func(t *testing.T) {
		cfg := testConfig()
		cfg.SharedDirs.Identity = "2000:3000"
		shares, _, err := decideShares(t, cfg, nil, bind("/srv/share", "/s"))
		require.NoError(t, err)
		assert.Equal(t, Share{Kind: ShareUser, UID: 2000, GID: 3000}, shares[0])
	})
	t.Run("nobody for everything", func(t *testing.T) {
		cfg := testConfig()
		cfg.SharedDirs.Identity = "nobody"
		shares, _, err := decideShares(t, cfg, nil, bind("/srv/share", "/s"))
		require.NoError(t, err)
		assert.Equal(t, Share{Kind: ShareUser, UID: 65534, GID: 65534}, shares[0])
	})
	t.Run("the annotation narrows a root path to the owner", func(t *testing.T) {
		cfg := testConfig()
		cfg.SharedDirs.RootPaths = []string{"/srv/share"}
		shares, _, err := decideShares(t, cfg, map[string]string{AnnotationSharedIdentity: "owner"}, bind("/srv/share", "/s"))
		require.NoError(t, err)
		assert.Equal(t, Share{Kind: ShareUser, UID: 1000, GID: 1000}, shares[0])
	})
	t.Run("the annotation narrows to nobody", func(t *testing.T) {
		shares, _, err := decideShares(t, testConfig(), map[string]string{AnnotationSharedIdentity: "nobody"}, bind("/srv/share", "/s"))
		require.NoError(t, err)
		assert.Equal(t, Share{Kind: ShareUser, UID: 65534, GID: 65534}, shares[0])
	})
	t.Run("the annotation cannot widen nobody to owner", func(t *testing.T) {
		cfg := testConfig()
		cfg.SharedDirs.Identity = "nobody"
		_, events, err := decideShares(t, cfg, map[string]string{AnnotationSharedIdentity: "owner"}, bind("/srv/share", "/s"))
		var r *Refusal
		require.ErrorAs(t, err, &r)
		assert.Contains(t, err.Error(), "asks for more than the host policy")
		require.Len(t, events, 1)
		assert.Equal(t, audit.Refused, events[0].Verdict)
	})
	t.Run("the annotation cannot ask for root", func(t *testing.T) {
		_, _, err := decideShares(t, testConfig(), map[string]string{AnnotationSharedIdentity: "root"}, bind("/srv/share", "/s"))
		var r *Refusal
		require.ErrorAs(t, err, &r)
		assert.Contains(t, err.Error(), "can only narrow")
	})
}

func TestSharedDirsConfig(t *testing.T) {
	for _, bad := range []config.SharedDirs{
		{Identity: "0:0"}, {Identity: "root"}, {Identity: "1000"}, {Identity: "a:b"},
		{Identity: "owner", RootPaths: []string{"/"}}, {Identity: "owner", RootPaths: []string{"srv"}},
	} {
		assert.Error(t, bad.Validate(), "%+v", bad)
	}
	for _, good := range []config.SharedDirs{{Identity: "owner"}, {Identity: "nobody"}, {Identity: "1000:1000", RootPaths: []string{"/srv/cache"}}} {
		assert.NoError(t, good.Validate(), "%+v", good)
	}
}
