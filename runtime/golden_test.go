package runtime

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
	"github.com/sysbox-lite/sysbox-lite/confine"
	"github.com/sysbox-lite/sysbox-lite/fsemu"
	"github.com/sysbox-lite/sysbox-lite/rootfs"
	"github.com/sysbox-lite/sysbox-lite/userns"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current modifiers")

var goldenRange = userns.Range{UID: 1048576, GID: 1048576, Size: 65536}

// goldenHost is a host with /dev/fuse and /dev/net/tun, /var/run a symlink
// to /run, and no namespace of its own in the specs: the goldens must not
// depend on the machine that runs the tests.
var goldenHost = confine.Host{
	Device: func(p string) (confine.Node, bool) {
		switch p {
		case "/dev/fuse":
			return confine.Node{Type: "c", Major: 10, Minor: 229}, true
		case "/dev/net/tun":
			return confine.Node{Type: "c", Major: 10, Minor: 200}, true
		}
		return confine.Node{}, false
	},
	IsHostNamespace: func(string, string) (bool, error) { return false, nil },
	Resolve: func(p string) (string, error) {
		if p == "/var/run" || strings.HasPrefix(p, "/var/run/") {
			return strings.TrimPrefix(p, "/var"), nil
		}
		return p, nil
	},
}

// goldenEmulation emulates every file of the registry (whatever this
// machine has), from the FUSE mount create would use.
var goldenEmulation = fsemu.Modifier{
	FuseDir: "/run/sysbox-lite/KEY/fuse",
	Rootfs:  "/run/sysbox-lite/KEY/rootfs",
	Self:    "/usr/local/bin/sysbox-lite",
	Files:   fsemu.Files(),
}

// transform is what create does to a spec, minus the host-side mounting.
func transform(t *testing.T, spec *specs.Spec) rootfs.Plan {
	t.Helper()
	return transformAudited(t, spec, audit.Discard{})
}

func transformAudited(t *testing.T, spec *specs.Spec, sink audit.Sink) rootfs.Plan {
	t.Helper()
	require.NoError(t, DefaultChain(goldenRange, config.Default(), sink, goldenHost, "/run/sysbox-lite/KEY/seccomp.sock", goldenEmulation).Modify(spec))
	plan, err := rootfs.NewPlan(spec.Mounts)
	require.NoError(t, err)
	require.NoError(t, rootfs.NewModifier("/run/sysbox-lite/KEY/rootfs", plan, nil).Modify(spec))
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
			caps := *spec.Process.Capabilities
			roIn := spec.Linux.ReadonlyPaths
			privileged := strings.HasSuffix(name, "-privileged")
			var events audit.Memory
			plan := transformAudited(t, spec, audit.ForContainer(&events, name, nil))
			assert.Equal(t, caps, *spec.Process.Capabilities, "capabilities are untouched: they act only inside the user namespace")
			checkDevices(t, spec, privileged)
			checkMasks(t, spec, roIn)
			checkSeccomp(t, spec)
			for _, e := range events.Events() {
				assert.Equal(t, audit.Dropped, e.Verdict, "%+v", e)
				assert.Equal(t, audit.RuleDevices, e.Rule, "%+v", e)
				assert.Equal(t, name, e.Container)
			}
			if privileged {
				require.Len(t, events.Events(), 1, "one audit line per container")
				assert.True(t, strings.HasPrefix(events.Events()[0].Asked, fmt.Sprintf("%d devices: ", 102-9)),
					"every host device but null, zero, full, random, urandom, tty, ptmx, fuse and net/tun is dropped and audited: %s", events.Events()[0].Asked)
				assert.Contains(t, events.Events()[0].Asked, "/dev/vda")
			} else {
				assert.Empty(t, events.Events(), "nothing is taken away from a non-privileged container")
			}
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
			emulated := 0
			for _, m := range spec.Mounts {
				kept[m.Destination] = m.Type
				if strings.HasPrefix(m.Source, goldenEmulation.FuseDir+"/") {
					emulated++
					assert.Equal(t, goldenEmulation.FuseDir+m.Destination, m.Source, "an emulated file comes from its place in the FUSE mount")
					assert.Equal(t, []string{"bind", "ro", "nosuid", "nodev", "noexec"}, m.Options)
					continue
				}
				assert.NotEqual(t, "bind", m.Type, "every bind is pre-mounted on the host: %s", m.Destination)
			}
			assert.Equal(t, 9, emulated, "/proc/{cpuinfo,diskstats,loadavg,meminfo,stat,swaps,uptime}, /sys/devices/system/cpu/online and product_uuid")
			require.NotNil(t, spec.Hooks)
			require.NotEmpty(t, spec.Hooks.CreateContainer)
			hook := spec.Hooks.CreateContainer[len(spec.Hooks.CreateContainer)-1]
			assert.Equal(t, []string{"sysbox-lite", fsemu.HookCommand, "/run/sysbox-lite/KEY/fuse", "/run/sysbox-lite/KEY/rootfs"}, hook.Args[:4])
			if contains(spec.Linux.ReadonlyPaths, "/proc/sys") {
				assert.Contains(t, hook.Args, "ro:/proc/sys/kernel/panic", "the sysctls are bound by the hook, read-only under a read-only /proc/sys")
			} else {
				assert.Contains(t, hook.Args, "rw:/proc/sys/kernel/panic", "the sysctls are bound by the hook, writable")
			}
			for _, d := range []string{"/proc", "/dev/pts", "/sys", "/dev/mqueue"} {
				assert.Contains(t, kept, d, "made inside the namespaces by the engine")
			}
			assert.NotContains(t, kept, "/dev", "the /dev tmpfs is pre-mounted (so /dev/shm under it is too)")
			assert.Equal(t, before, len(spec.Mounts)-emulated+len(plan.Premounted()))
		})
	}
}

// exposedDevices is every device a golden spec may end with.
var exposedDevices = map[string]string{
	"/dev/null": "c 1:3", "/dev/zero": "c 1:5", "/dev/full": "c 1:7", "/dev/random": "c 1:8",
	"/dev/urandom": "c 1:9", "/dev/tty": "c 5:0", "/dev/console": "c 5:1", "/dev/ptmx": "c 5:2",
	"/dev/fuse": "c 10:229", "/dev/net/tun": "c 10:200",
}

func numbers(typ string, major, minor *int64) string {
	n := func(p *int64) string {
		if p == nil || *p == -1 {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	if typ == "" {
		typ = "a"
	}
	return typ + " " + n(major) + ":" + n(minor)
}

func checkDevices(t *testing.T, spec *specs.Spec, privileged bool) {
	t.Helper()
	got := map[string]string{}
	for _, d := range spec.Linux.Devices {
		got[d.Path] = numbers(d.Type, &d.Major, &d.Minor)
		assert.Equal(t, exposedDevices[d.Path], got[d.Path], "only allowed devices, with their own numbers: %s", d.Path)
	}
	rules := spec.Linux.Resources.Devices
	require.NotEmpty(t, rules)
	assert.Equal(t, specs.LinuxDeviceCgroup{Allow: false, Access: "rwm"}, rules[0], "the device cgroup starts with deny-all")
	allowed := map[string]bool{"c 136:*": true}
	for _, n := range exposedDevices {
		allowed[n] = true
	}
	for _, r := range rules {
		if !r.Allow || !strings.ContainsAny(r.Access, "rw") {
			continue
		}
		assert.True(t, allowed[numbers(r.Type, r.Major, r.Minor)], "rule allows only exposed devices: %+v", r)
	}
	if privileged {
		assert.Len(t, spec.Linux.Devices, 9, "the pseudo-devices the host listed, /dev/fuse and /dev/net/tun")
		assert.Contains(t, got, "/dev/fuse")
		assert.Contains(t, got, "/dev/net/tun")
		assert.NotContains(t, got, "/dev/vda")
		assert.NotContains(t, got, "/dev/kmsg")
		want := []string{"a *:* rwm", "c *:* m", "b *:* m"}
		for i, w := range want {
			r := rules[i]
			assert.Equal(t, w, numbers(r.Type, r.Major, r.Minor)+" "+r.Access)
		}
		have := map[string]bool{}
		for _, r := range rules {
			if r.Allow {
				have[numbers(r.Type, r.Major, r.Minor)] = true
			}
		}
		for _, n := range []string{"c 10:229", "c 10:200", "c 1:3", "c 5:2", "c 136:*", "c 5:0", "c 5:1"} {
			assert.True(t, have[n], "allowed: %s", n)
		}
	} else {
		assert.Empty(t, spec.Linux.Devices, "no device added without --privileged")
	}
}

func checkMasks(t *testing.T, spec *specs.Spec, roIn []string) {
	t.Helper()
	for _, p := range []string{"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
		"/sys/kernel/security", "/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/config"} {
		assert.Contains(t, spec.Linux.MaskedPaths, p)
	}
	for _, p := range []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"} {
		assert.Contains(t, spec.Linux.ReadonlyPaths, p)
	}
	if contains(roIn, "/proc/sys") {
		assert.Contains(t, spec.Linux.ReadonlyPaths, "/proc/sys", "the spec's own read-only /proc/sys stays")
	} else {
		assert.NotContains(t, spec.Linux.ReadonlyPaths, "/proc/sys", "/proc/sys is not forced read-only")
	}
	for _, list := range [][]string{spec.Linux.MaskedPaths, spec.Linux.ReadonlyPaths} {
		seen := map[string]bool{}
		for _, p := range list {
			assert.False(t, seen[p], "no duplicate: %s", p)
			seen[p] = true
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkSeccomp(t *testing.T, spec *specs.Spec) {
	t.Helper()
	sc := spec.Linux.Seccomp
	require.NotNil(t, sc, "a seccomp profile in every container")
	baseline := confine.BaselineSyscalls()
	for _, r := range sc.Syscalls {
		if r.Action == specs.ActErrno && len(r.Args) == 0 {
			continue
		}
		for _, n := range baseline {
			assert.NotContains(t, r.Names, n, "%s is not let through by a %s rule", n, r.Action)
		}
	}
	// The traps (the mount family, sysinfo) come last, and point at the
	// supervisor.
	n := len(sc.Syscalls)
	require.GreaterOrEqual(t, n, 2)
	assert.Equal(t, specs.ActNotify, sc.Syscalls[n-2].Action)
	assert.Equal(t, []string{"mount", "umount2", "umount", "sysinfo"}, sc.Syscalls[n-2].Names)
	assert.Equal(t, specs.ActErrno, sc.Syscalls[n-1].Action)
	assert.Contains(t, sc.Syscalls[n-1].Names, "mount_setattr")
	assert.Equal(t, "/run/sysbox-lite/KEY/seccomp.sock", sc.ListenerPath)
	assert.Equal(t, []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}, sc.Architectures[:3])
	if sc.DefaultAction == specs.ActAllow {
		// the baseline: EPERM, and ENOSYS for the keyring calls
		perm, nosys := sc.Syscalls[n-4], sc.Syscalls[n-3]
		for _, r := range []specs.LinuxSyscall{perm, nosys} {
			assert.Equal(t, specs.ActErrno, r.Action)
			require.NotNil(t, r.ErrnoRet)
		}
		assert.EqualValues(t, 1, *perm.ErrnoRet, "EPERM")
		assert.EqualValues(t, 38, *nosys.ErrnoRet, "ENOSYS")
		assert.ElementsMatch(t, []string{"add_key", "request_key", "keyctl"}, nosys.Names)
		assert.ElementsMatch(t, baseline, append(append([]string(nil), perm.Names...), nosys.Names...))
		for _, name := range nosys.Names {
			assert.EqualValues(t, 38, confine.BaselineErrno(name))
		}
	} else {
		assert.Equal(t, specs.ActErrno, sc.DefaultAction, "docker's profile keeps its default")
	}
}

// Refusals come out of the chain unwrapped enough for create to pass them on.
func TestChainRefusalIsARefusal(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "docker-default.json"))
	require.NoError(t, err)
	spec, err := DecodeSpec(data)
	require.NoError(t, err)
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/s", Type: "bind", Source: "/var/run/docker.sock", Options: []string{"rbind"}})
	var events audit.Memory
	err = DefaultChain(goldenRange, config.Default(), audit.ForContainer(&events, "c1", nil), goldenHost, "/run/sysbox-lite/KEY/seccomp.sock", goldenEmulation).Modify(spec)
	var refusal *confine.Refusal
	require.ErrorAs(t, err, &refusal)
	assert.Equal(t, "sysbox-lite: bind mount of /var/run/docker.sock (which is /run/docker.sock) is refused: it is the container engine's socket (allow it in /etc/sysbox-lite/config.toml [policy] allowed_mounts)", refusal.Error())
	require.Len(t, events.Events(), 1)
	assert.Equal(t, audit.Refused, events.Events()[0].Verdict)
	assert.Equal(t, "c1", events.Events()[0].Container)
}
