package rootfs

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func kinds(p Plan) map[string]Kind {
	out := map[string]Kind{}
	for _, it := range p.Items {
		out[it.Destination] = it.Kind
	}
	return out
}

func TestPlanClassifies(t *testing.T) {
	p, err := NewPlan([]specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts"},
		{Destination: "/dev/shm", Type: "bind", Source: "/var/lib/docker/containers/x/mounts/shm", Options: []string{"rbind", "nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs"},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup"},
		{Destination: "/data", Type: "none", Source: "/srv/data", Options: []string{"rbind", "ro"}},
		{Destination: "/proc/cpuinfo", Type: "bind", Source: "/var/lib/lxcfs/proc/cpuinfo", Options: []string{"bind"}},
		{Destination: "/sys/x", Type: "tmpfs", Source: "tmpfs"},
		{Destination: "etc/hosts", Type: "bind", Source: "/h/hosts", Options: []string{"rbind", "rprivate"}},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]Kind{
		"/proc": Keep, "/dev": Tmpfs, "/dev/pts": Keep, "/dev/shm": Bind, "/sys": Keep, "/sys/fs/cgroup": Keep,
		"/data": Bind, "/proc/cpuinfo": Keep, "/sys/x": Keep, "/etc/hosts": Bind,
	}, kinds(p), "mounts under /proc and /sys would be hidden by the engine's procfs/sysfs, so they stay in the spec")
	kept := p.Kept()
	require.Len(t, kept, 6)
	assert.Equal(t, "/proc", kept[0].Destination, "kept mounts keep their order")
	assert.Equal(t, "/sys/x", kept[5].Destination)
	pre := p.Premounted()
	require.Len(t, pre, 4)
	assert.Equal(t, []string{"/dev", "/dev/shm", "/data", "/etc/hosts"},
		[]string{pre[0].Destination, pre[1].Destination, pre[2].Destination, pre[3].Destination})
	assert.True(t, pre[2].Options.ReadOnly)
	assert.True(t, pre[2].Options.Recursive)
}

func TestPlanKeepCascades(t *testing.T) {
	// A bind under a kept mount is kept; a bind under that bind is kept too.
	p, err := NewPlan([]specs.Mount{
		{Destination: "/x", Type: "proc", Source: "proc"},
		{Destination: "/x/a", Type: "bind", Source: "/a"},
		{Destination: "/x/a/b", Type: "bind", Source: "/b"},
		{Destination: "/xy", Type: "bind", Source: "/c"},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]Kind{"/x": Keep, "/x/a": Keep, "/x/a/b": Keep, "/xy": Bind}, kinds(p))
}

func TestPlanIdmapMountsStayWithEngine(t *testing.T) {
	p, err := NewPlan([]specs.Mount{
		{Destination: "/a", Type: "bind", Source: "/a", Options: []string{"bind", "idmap"}},
		{Destination: "/b", Type: "bind", Source: "/b", UIDMappings: []specs.LinuxIDMapping{{Size: 1}}},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]Kind{"/a": Keep, "/b": Keep}, kinds(p))
}

func TestPlanRejects(t *testing.T) {
	for name, m := range map[string]specs.Mount{
		"no destination":  {Type: "bind", Source: "/a"},
		"relative source": {Destination: "/a", Type: "bind", Source: "a"},
		"bind over root":  {Destination: "/", Type: "bind", Source: "/a"},
		"empty option":    {Destination: "/a", Type: "tmpfs", Options: []string{""}},
	} {
		_, err := NewPlan([]specs.Mount{m})
		assert.Error(t, err, name)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions([]string{"rbind", "ro", "nosuid", "nodev", "noexec", "rprivate", "mode=755", "size=1m", "rw", "ro"})
	require.NoError(t, err)
	assert.True(t, o.Bind)
	assert.True(t, o.Recursive)
	assert.True(t, o.ReadOnly, "last of ro/rw wins")
	assert.Equal(t, uint64(unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC), o.Attrs)
	assert.Equal(t, uintptr(unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC), o.Flags)
	assert.Equal(t, []string{"mode=755", "size=1m"}, o.Data)
	o, err = ParseOptions([]string{"ro", "rw", "strictatime"})
	require.NoError(t, err)
	assert.False(t, o.ReadOnly)
	assert.False(t, o.Bind)
	assert.Equal(t, uint64(unix.MOUNT_ATTR_STRICTATIME), o.Attrs)
}

// TestParseRecursiveOptions: containerd 2.x asks for "rro" on a read-only
// volume; it must make the bind read-only (it used to be taken as
// filesystem data and ignored, leaving the volume writable).
func TestParseRecursiveOptions(t *testing.T) {
	o, err := ParseOptions([]string{"rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow"})
	require.NoError(t, err)
	assert.True(t, o.ReadOnly)
	assert.Equal(t, uint64(unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NOSYMFOLLOW), o.RecursiveAttrs)
	assert.Zero(t, o.Attrs, "the recursive forms are for the whole tree")
	assert.Empty(t, o.Data)
	o, err = ParseOptions([]string{"rbind", "ro", "nosuid"})
	require.NoError(t, err)
	assert.True(t, o.ReadOnly)
	assert.Equal(t, uint64(unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID), o.Attrs, "the plain forms are for the bind's own mount, as runc sets them")
	assert.Zero(t, o.RecursiveAttrs)
	o, err = ParseOptions([]string{"bind", "rro", "rrw"})
	require.NoError(t, err)
	assert.False(t, o.ReadOnly, "last of rro/rrw wins")
	for r := range recursiveOptions {
		_, ok := knownOptions[recursiveOptions[r]]
		assert.True(t, ok, "%s stands for a known option", r)
	}
}

func TestModifierDropsHostMadeDevices(t *testing.T) {
	s := &specs.Spec{Root: &specs.Root{Path: "old"}, Linux: &specs.Linux{Devices: []specs.LinuxDevice{
		{Path: "/dev/null"}, {Path: "/dev/fuse"}, {Path: "/dev/net/tun"},
	}}, Mounts: []specs.Mount{{Destination: "/proc", Type: "proc"}, {Destination: "/x", Type: "bind", Source: "/x"}}}
	p, err := NewPlan(s.Mounts)
	require.NoError(t, err)
	require.NoError(t, NewModifier("/new", p, []string{"/dev/fuse", "/dev/net/tun"}).Modify(s))
	assert.Equal(t, "/new", s.Root.Path)
	assert.Equal(t, []specs.LinuxDevice{{Path: "/dev/null"}}, s.Linux.Devices)
	assert.Equal(t, []specs.Mount{{Destination: "/proc", Type: "proc"}}, s.Mounts)
}
