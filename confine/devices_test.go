package confine

import (
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sysbox-lite/sysbox-lite/audit"
)

func dev(p, typ string, major, minor int64) specs.LinuxDevice {
	return specs.LinuxDevice{Path: p, Type: typ, Major: major, Minor: minor}
}

func rule(allow bool, typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
	r := specs.LinuxDeviceCgroup{Allow: allow, Type: typ, Access: access}
	if major != -1 {
		r.Major = &major
	}
	if minor != -1 {
		r.Minor = &minor
	}
	return r
}

var allowAll = specs.LinuxDeviceCgroup{Allow: true, Access: "rwm"}

func privSpec(devs ...specs.LinuxDevice) *specs.Spec {
	return &specs.Spec{Linux: &specs.Linux{Devices: devs, Resources: &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{allowAll}}}}
}

// docker's default device cgroup, as in runtime/testdata/docker-default.json.
func dockerRules() []specs.LinuxDeviceCgroup {
	return []specs.LinuxDeviceCgroup{
		rule(false, "", -1, -1, "rwm"),
		rule(true, "c", 1, 5, "rwm"), rule(true, "c", 1, 3, "rwm"), rule(true, "c", 1, 9, "rwm"),
		rule(true, "c", 1, 8, "rwm"), rule(true, "c", 5, 0, "rwm"), rule(true, "c", 5, 1, "rwm"),
		rule(false, "c", 10, 229, "rwm"),
	}
}

func plainSpec(devs ...specs.LinuxDevice) *specs.Spec {
	return &specs.Spec{Linux: &specs.Linux{Devices: devs, Resources: &specs.LinuxResources{Devices: dockerRules()}}}
}

func paths(devs []specs.LinuxDevice) []string {
	var out []string
	for _, d := range devs {
		out = append(out, d.Path)
	}
	return out
}

func TestDevicesPrivilegedRealSpecs(t *testing.T) {
	for _, name := range []string{"docker-privileged", "ctr-privileged"} {
		t.Run(name, func(t *testing.T) {
			s := loadSpec(t, name)
			var m audit.Memory
			require.NoError(t, NewDevices(nil, &m, fakeDevices).Modify(s))
			assert.ElementsMatch(t, []string{"/dev/full", "/dev/fuse", "/dev/net/tun", "/dev/null", "/dev/ptmx", "/dev/random", "/dev/tty", "/dev/urandom", "/dev/zero"}, paths(s.Linux.Devices))
			require.Len(t, m.Events(), 1, "one audit line per reason, not per device")
			e := m.Events()[0]
			assert.Equal(t, audit.Dropped, e.Verdict)
			assert.Equal(t, audit.RuleDevices, e.Rule)
			assert.True(t, strings.HasPrefix(e.Asked, "93 devices: "), e.Asked)
			for _, d := range []string{"device /dev/vda (b 254:0)", "device /dev/kmsg (c 1:11)", "device /dev/kvm (c 10:232)"} {
				assert.Contains(t, e.Asked, d)
			}
			rules := s.Linux.Resources.Devices
			assert.Equal(t, []specs.LinuxDeviceCgroup{
				rule(false, "", -1, -1, "rwm"), rule(true, "c", -1, -1, "m"), rule(true, "b", -1, -1, "m"),
			}, rules[:3])
			assert.False(t, hasAllowAll(rules))
		})
	}
}

func TestDevicesPrivilegedRulesExactly(t *testing.T) {
	s := privSpec(dev("/dev/null", "c", 1, 3), dev("/dev/sda", "b", 8, 0), dev("/dev/fuse", "c", 10, 229))
	require.NoError(t, NewDevices(nil, audit.Discard{}, fakeDevices).Modify(s))
	assert.Equal(t, []string{"/dev/null", "/dev/fuse", "/dev/net/tun"}, paths(s.Linux.Devices))
	assert.Equal(t, []specs.LinuxDeviceCgroup{
		rule(false, "", -1, -1, "rwm"),
		rule(true, "c", -1, -1, "m"),
		rule(true, "b", -1, -1, "m"),
		rule(true, "c", 1, 3, "rwm"),
		rule(true, "c", 10, 229, "rwm"),
		rule(true, "c", 10, 200, "rwm"),
		rule(true, "c", 5, 2, "rwm"),
		rule(true, "c", 136, -1, "rwm"),
		rule(true, "c", 5, 0, "rwm"),
		rule(true, "c", 5, 1, "rwm"),
	}, s.Linux.Resources.Devices)
}

func TestDevicesPrivilegedAddsFuseAndTun(t *testing.T) {
	s := privSpec(dev("/dev/null", "c", 1, 3))
	require.NoError(t, NewDevices(nil, audit.Discard{}, fakeDevices).Modify(s))
	require.Len(t, s.Linux.Devices, 3)
	mode := os.FileMode(0o666)
	var zero uint32
	assert.Equal(t, specs.LinuxDevice{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: &mode, UID: &zero, GID: &zero}, s.Linux.Devices[1])
	assert.Equal(t, specs.LinuxDevice{Path: "/dev/net/tun", Type: "c", Major: 10, Minor: 200, FileMode: &mode, UID: &zero, GID: &zero}, s.Linux.Devices[2])
}

func TestDevicesPrivilegedDoesNotAddWhatTheHostLacks(t *testing.T) {
	s := privSpec(dev("/dev/null", "c", 1, 3))
	require.NoError(t, NewDevices(nil, audit.Discard{}, noDevices).Modify(s))
	assert.Equal(t, []string{"/dev/null"}, paths(s.Linux.Devices), "the engine would fail to bind a node the host lacks")

	wrong := func(p string) (Node, bool) { return Node{"c", 10, 1}, true }
	s = privSpec()
	require.NoError(t, NewDevices(nil, audit.Discard{}, wrong).Modify(s))
	assert.Empty(t, s.Linux.Devices, "a host node with other numbers is not /dev/fuse")
}

func TestDevicesPrivilegedDropsSmuggledNumbers(t *testing.T) {
	s := privSpec(dev("/dev/null", "b", 8, 0), dev("/dev/pts/0", "b", 8, 1), dev("/dev/fuse", "c", 10, 1))
	var m audit.Memory
	require.NoError(t, NewDevices(nil, &m, fakeDevices).Modify(s))
	assert.Equal(t, []string{"/dev/fuse", "/dev/net/tun"}, paths(s.Linux.Devices))
	assert.Equal(t, int64(229), s.Linux.Devices[0].Minor, "the real /dev/fuse replaces the smuggled one")
	require.Len(t, m.Events(), 3)
	assert.Equal(t, "device /dev/null (b 8:0)", m.Events()[0].Asked)
	assert.Equal(t, "its numbers (b 8:0) are not those of /dev/null (c 1:3)", m.Events()[0].Reason)
	assert.Equal(t, "its numbers (b 8:1) are not those of a pty (c 136-143:*)", m.Events()[1].Reason)
}

func TestDevicesRefusedWithoutPrivileged(t *testing.T) {
	s := plainSpec(dev("/dev/sda", "b", 8, 0))
	var m audit.Memory
	err := NewDevices(nil, &m, fakeDevices).Modify(s)
	var r *Refusal
	require.ErrorAs(t, err, &r)
	assert.Equal(t, "sysbox-lite: device /dev/sda is refused: host devices are not allowed in containers (allow it in /etc/sysbox-lite/config.toml [policy] allowed_devices)", err.Error())
	assert.Equal(t, []audit.Event{{Asked: "device /dev/sda (b 8:0)", Rule: audit.RuleDevices, Verdict: audit.Refused,
		Reason: "device /dev/sda is refused: host devices are not allowed in containers (allow it in /etc/sysbox-lite/config.toml [policy] allowed_devices)"}}, m.Events())
}

func TestDevicesRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		policy []string
		ann    *string
		dev    specs.LinuxDevice
		want   string
	}{
		"smuggled null":       {dev: dev("/dev/null", "b", 8, 0), want: "device /dev/null is refused: its numbers (b 8:0) are not those of /dev/null (c 1:3)"},
		"smuggled fuse":       {dev: dev("/dev/fuse", "b", 8, 0), want: "device /dev/fuse is refused: its numbers (b 8:0) are not those of /dev/fuse (c 10:229)"},
		"unclean path":        {dev: dev("/dev/../dev/null", "c", 1, 3), want: "device /dev/../dev/null is refused: it is not a clean path under /dev"},
		"outside dev":         {dev: dev("/null", "c", 1, 3), want: "device /null is refused: it is not a clean path under /dev"},
		"kvm not in policy":   {dev: dev("/dev/kvm", "c", 10, 232), want: "device /dev/kvm is refused: host devices are not allowed in containers (allow it in /etc/sysbox-lite/config.toml [policy] allowed_devices)"},
		"kvm wrong numbers":   {policy: []string{"/dev/kvm"}, dev: dev("/dev/kvm", "b", 8, 0), want: "device /dev/kvm is refused: its numbers (b 8:0) are not those of the host's /dev/kvm (c 10:232)"},
		"policy, host lacks":  {policy: []string{"/dev/vhost-net"}, dev: dev("/dev/vhost-net", "c", 10, 238), want: "device /dev/vhost-net is refused: the host has no such device"},
		"narrowed away":       {ann: strp(""), dev: dev("/dev/fuse", "c", 10, 229), want: "device /dev/fuse is refused: the container's io.sysbox-lite.allowed-devices annotation does not list it"},
		"annotation widening": {ann: strp("/dev/kvm"), dev: dev("/dev/null", "c", 1, 3), want: "device /dev/kvm is refused: the annotation io.sysbox-lite.allowed-devices asks for it, but the host policy does not allow it (allow it in /etc/sysbox-lite/config.toml [policy] allowed_devices)"},
		"annotation relative": {ann: strp("kvm"), dev: dev("/dev/null", "c", 1, 3), want: `annotation io.sysbox-lite.allowed-devices: "kvm" is not a clean absolute path`},
	} {
		t.Run(name, func(t *testing.T) {
			s := plainSpec(tc.dev)
			if tc.ann != nil {
				s.Annotations = map[string]string{AnnotationAllowedDevices: *tc.ann}
			}
			var m audit.Memory
			err := NewDevices(tc.policy, &m, fakeDevices).Modify(s)
			require.Error(t, err)
			assert.Equal(t, "sysbox-lite: "+tc.want, err.Error())
			require.Len(t, m.Events(), 1)
			assert.Equal(t, audit.Refused, m.Events()[0].Verdict)
			assert.Equal(t, tc.want, m.Events()[0].Reason)
		})
	}
}

func strp(s string) *string { return &s }

func TestDevicesAllowed(t *testing.T) {
	for name, tc := range map[string]struct {
		policy []string
		ann    *string
		dev    specs.LinuxDevice
	}{
		"null":                 {dev: dev("/dev/null", "c", 1, 3)},
		"unbuffered null":      {dev: dev("/dev/null", "u", 1, 3)},
		"pty slave":            {dev: dev("/dev/pts/3", "c", 136, 3)},
		"pts ptmx":             {dev: dev("/dev/pts/ptmx", "c", 5, 2)},
		"fuse":                 {dev: dev("/dev/fuse", "c", 10, 229)},
		"tun":                  {dev: dev("/dev/net/tun", "c", 10, 200)},
		"kvm by policy":        {policy: []string{"/dev/kvm"}, dev: dev("/dev/kvm", "c", 10, 232)},
		"kvm by annotation":    {policy: []string{"/dev/kvm"}, ann: strp(" /dev/kvm, /dev/null ,"), dev: dev("/dev/kvm", "c", 10, 232)},
		"null, narrowest":      {ann: strp(""), dev: dev("/dev/null", "c", 1, 3)},
		"fuse, annotated":      {ann: strp("/dev/fuse"), dev: dev("/dev/fuse", "c", 10, 229)},
		"sda by policy (sure)": {policy: []string{"/dev/sda"}, dev: dev("/dev/sda", "b", 8, 0)},
	} {
		t.Run(name, func(t *testing.T) {
			s := plainSpec(tc.dev)
			if tc.ann != nil {
				s.Annotations = map[string]string{AnnotationAllowedDevices: *tc.ann}
			}
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, allowNode(deviceNode(tc.dev), "rwm"))
			var m audit.Memory
			require.NoError(t, NewDevices(tc.policy, &m, fakeDevices).Modify(s))
			assert.Equal(t, []specs.LinuxDevice{tc.dev}, s.Linux.Devices)
			assert.Empty(t, m.Events())
			want := append(dockerRules(), allowNode(deviceNode(tc.dev), "rwm"))
			if tc.dev.Path == "/dev/pts/3" {
				want[len(want)-1] = rule(true, "c", 136, 3, "rwm")
			}
			assert.Equal(t, want, s.Linux.Resources.Devices, "the rule for the device stays")
		})
	}
}

func TestDevicesNonPrivilegedRules(t *testing.T) {
	s := plainSpec()
	s.Linux.Resources.Devices = append(s.Linux.Resources.Devices,
		rule(true, "b", 8, -1, "rwm"),   // --device-cgroup-rule 'b 8:* rwm'
		rule(true, "c", 10, 232, "rw"),  // kvm, not in the container
		rule(true, "c", -1, -1, "m"),    // mknod only: kept
		rule(true, "a", -1, -1, "m"),    // mknod only: kept
		rule(false, "b", 8, 0, "rwm"),   // deny: kept
		rule(true, "c", 136, -1, "rwm"), // ptys: kept
		rule(true, "c", 10, 229, "rwm"), // fuse, but not in the container
	)
	var m audit.Memory
	require.NoError(t, NewDevices(nil, &m, fakeDevices).Modify(s))
	assert.Equal(t, append(dockerRules(),
		rule(true, "c", -1, -1, "m"), rule(true, "a", -1, -1, "m"), rule(false, "b", 8, 0, "rwm"), rule(true, "c", 136, -1, "rwm"),
	), s.Linux.Resources.Devices)
	var asked []string
	for _, e := range m.Events() {
		assert.Equal(t, audit.Dropped, e.Verdict)
		asked = append(asked, e.Asked)
	}
	assert.Equal(t, []string{"device cgroup rule allow b 8:* rwm", "device cgroup rule allow c 10:232 rw", "device cgroup rule allow c 10:229 rwm"}, asked)
}

func TestDevicesNonPrivilegedGetsDenyAllFirst(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{Resources: &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{rule(true, "c", 1, 3, "rwm")}}}}
	require.NoError(t, NewDevices(nil, audit.Discard{}, fakeDevices).Modify(s))
	assert.Equal(t, []specs.LinuxDeviceCgroup{denyAll(), rule(true, "c", 1, 3, "rwm")}, s.Linux.Resources.Devices)

	s = &specs.Spec{}
	require.NoError(t, NewDevices(nil, audit.Discard{}, fakeDevices).Modify(s))
	assert.Equal(t, []specs.LinuxDeviceCgroup{denyAll()}, s.Linux.Resources.Devices)
	assert.Empty(t, s.Linux.Devices)
}

func TestDevicesNonPrivilegedRealSpecsUnchanged(t *testing.T) {
	for _, name := range []string{"docker-default", "docker-options", "ctr-default"} {
		t.Run(name, func(t *testing.T) {
			s := loadSpec(t, name)
			before := loadSpec(t, name)
			var m audit.Memory
			require.NoError(t, NewDevices(nil, &m, fakeDevices).Modify(s))
			assert.Equal(t, before.Linux, s.Linux, "the engines' defaults already are within the rules")
			assert.Empty(t, m.Events())
		})
	}
}

func TestDevicesPrivilegedAnnotationNarrows(t *testing.T) {
	s := privSpec(dev("/dev/null", "c", 1, 3), dev("/dev/fuse", "c", 10, 229), dev("/dev/kvm", "c", 10, 232))
	s.Annotations = map[string]string{AnnotationAllowedDevices: "/dev/kvm"}
	var m audit.Memory
	require.NoError(t, NewDevices([]string{"/dev/kvm"}, &m, fakeDevices).Modify(s))
	assert.Equal(t, []string{"/dev/null", "/dev/kvm"}, paths(s.Linux.Devices), "fuse is narrowed away and not re-added; tun neither")
	require.Len(t, m.Events(), 1)
	assert.Equal(t, "device /dev/fuse (c 10:229)", m.Events()[0].Asked)
}

func TestHasAllowAll(t *testing.T) {
	assert.True(t, hasAllowAll([]specs.LinuxDeviceCgroup{allowAll}))
	assert.True(t, hasAllowAll([]specs.LinuxDeviceCgroup{rule(true, "a", -1, -1, "rwm")}))
	assert.True(t, hasAllowAll([]specs.LinuxDeviceCgroup{rule(true, "", -1, -1, "r")}))
	assert.True(t, hasAllowAll([]specs.LinuxDeviceCgroup{rule(true, "", -1, -1, "")}))
	assert.False(t, hasAllowAll([]specs.LinuxDeviceCgroup{rule(true, "a", -1, -1, "m")}))
	assert.False(t, hasAllowAll([]specs.LinuxDeviceCgroup{rule(false, "", -1, -1, "rwm")}))
	assert.False(t, hasAllowAll([]specs.LinuxDeviceCgroup{rule(true, "c", -1, -1, "rwm")}))
	assert.False(t, hasAllowAll(nil))
}
