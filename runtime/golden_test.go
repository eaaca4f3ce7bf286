package runtime

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/rootfs"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current modifiers")

var goldenRange = userns.Range{UID: 1048576, GID: 1048576, Size: 65536}

// transform is what create does to a spec, minus the host-side mounting.
func transform(t *testing.T, spec *specs.Spec) rootfs.Plan {
	t.Helper()
	require.NoError(t, DefaultChain(goldenRange).Modify(spec))
	plan, err := rootfs.NewPlan(spec.Mounts)
	require.NoError(t, err)
	require.NoError(t, rootfs.NewModifier("/run/sysbox-lite/KEY/rootfs", plan).Modify(spec))
	return plan
}

func TestGoldenSpecs(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	require.Len(t, inputs, 5)
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			spec, err := DecodeSpec(data)
			require.NoError(t, err, "the real engine output decodes strictly")
			transform(t, spec)
			got, err := json.MarshalIndent(spec, "", "  ")
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", name)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./runtime -update to create it")
			assert.JSONEq(t, string(want), string(got))
		})
	}
}

// The golden files pin the whole output; these pin what matters and why.
func TestGoldenSemantics(t *testing.T) {
	for _, name := range []string{"docker-default", "docker-privileged", "docker-options", "ctr-default", "ctr-privileged"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			require.NoError(t, err)
			spec, err := DecodeSpec(data)
			require.NoError(t, err)
			before := len(spec.Mounts)
			plan := transform(t, spec)
			types := map[specs.LinuxNamespaceType]bool{}
			for _, ns := range spec.Linux.Namespaces {
				types[ns.Type] = true
				assert.Empty(t, ns.Path, "no namespace is joined")
			}
			for _, ns := range []specs.LinuxNamespaceType{specs.UserNamespace, specs.CgroupNamespace, specs.PIDNamespace, specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.MountNamespace} {
				assert.True(t, types[ns], "namespace %s", ns)
			}
			want := []specs.LinuxIDMapping{{ContainerID: 0, HostID: goldenRange.UID, Size: 65536}}
			assert.Equal(t, want, spec.Linux.UIDMappings)
			assert.Equal(t, want, spec.Linux.GIDMappings)
			if v, ok := spec.Linux.Sysctl["net.ipv4.ping_group_range"]; ok {
				assert.Equal(t, "0 65535", v)
			}
			assert.Equal(t, "/run/sysbox-lite/KEY/rootfs", spec.Root.Path)
			kept := map[string]string{}
			for _, m := range spec.Mounts {
				kept[m.Destination] = m.Type
				assert.NotEqual(t, "bind", m.Type, "every bind is pre-mounted on the host: %s", m.Destination)
			}
			for _, d := range []string{"/proc", "/dev/pts", "/sys", "/dev/mqueue"} {
				assert.Contains(t, kept, d, "made inside the namespaces by the engine")
			}
			assert.NotContains(t, kept, "/dev", "the /dev tmpfs is pre-mounted (so /dev/shm under it is too)")
			assert.Equal(t, before, len(spec.Mounts)+len(plan.Premounted()))
		})
	}
}
