package rootfs

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
)

func TestDataDirPathsSkipsUserMounts(t *testing.T) {
	paths := []string{"/var/lib/docker", "/var/lib/containerd", "/var/lib/kubelet"}
	cases := []struct {
		name   string
		mounts []specs.Mount
		use    []string
	}{
		{"none", nil, paths},
		{"docker's own", []specs.Mount{{Destination: "/proc"}, {Destination: "/dev/shm"}, {Destination: "/etc/hosts"}}, paths},
		{"volume at the path", []specs.Mount{{Destination: "/var/lib/docker"}}, []string{"/var/lib/containerd", "/var/lib/kubelet"}},
		{"volume above it", []specs.Mount{{Destination: "/var/lib/"}}, nil},
		{"volume below it", []specs.Mount{{Destination: "var/lib/docker/volumes"}}, []string{"/var/lib/containerd", "/var/lib/kubelet"}},
		{"a sibling prefix is not a parent", []specs.Mount{{Destination: "/var/lib/docker2"}, {Destination: "/var/lib/containerd-x"}}, paths},
	}
	for _, c := range cases {
		use, skipped := DataDirPaths(paths, c.mounts)
		assert.Equal(t, c.use, use, c.name)
		assert.Len(t, skipped, len(paths)-len(c.use), c.name)
	}
	use, skipped := DataDirPaths(nil, []specs.Mount{{Destination: "/x"}})
	assert.Empty(t, use, "turned off")
	assert.Empty(t, skipped)
}

func TestEngineLayerDir(t *testing.T) {
	home := "/var/lib/docker/overlay2"
	assert.Equal(t, home+"/abc", engineLayerDir(home+"/abc/merged", home+"/abc/diff"), "dockerd's overlay2 layout")
	assert.Equal(t, "", engineLayerDir("/run/containerd/io.containerd.runtime.v2.task/default/c1/rootfs",
		"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/12/fs"), "containerd's snapshots")
	assert.Equal(t, "", engineLayerDir(home+"/abc/merged", ""), "no upper layer (read-only root)")
	assert.Equal(t, "", engineLayerDir(home+"/abc/merged", home+"/other/diff"), "upper elsewhere")
	assert.Equal(t, "", engineLayerDir(home+"/abc/rootfs", home+"/abc/diff"), "not a merged dir")
}

func TestDataDirHost(t *testing.T) {
	assert.Equal(t, "/l/abc/sysbox-lite/data/var/lib/docker", dataDirHost("/l/abc", "/var/lib/docker"))
	assert.Equal(t, "/s/k/sysbox-lite/data/var/lib/containerd", dataDirHost("/s/k", "var/lib/containerd"))
	assert.Equal(t, "/s/k/sysbox-lite/data/x", dataDirHost("/s/k", "/../x"), "stays below the base")
}
