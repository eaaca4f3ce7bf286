package seccomp

import (
	"encoding/json"
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ruleFor(sc *specs.LinuxSeccomp, name string) []specs.LinuxSyscall {
	var out []specs.LinuxSyscall
	for _, r := range sc.Syscalls {
		for _, n := range r.Names {
			if n == name {
				out = append(out, r)
			}
		}
	}
	return out
}

func TestModifierWithoutProfile(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{}}
	require.NoError(t, NewModifier("/run/x/seccomp.sock", "meta").Modify(s))
	sc := s.Linux.Seccomp
	require.NotNil(t, sc)
	assert.Equal(t, specs.ActAllow, sc.DefaultAction)
	assert.Equal(t, []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}, sc.Architectures)
	assert.Equal(t, "/run/x/seccomp.sock", sc.ListenerPath)
	assert.Equal(t, "meta", sc.ListenerMetadata)
	for _, tr := range Traps() {
		rules := ruleFor(sc, tr.Name)
		require.Len(t, rules, 1, tr.Name)
		if tr.Action == Notify {
			assert.Equal(t, specs.ActNotify, rules[0].Action, tr.Name)
		} else {
			assert.Equal(t, specs.ActErrno, rules[0].Action, tr.Name)
			assert.EqualValues(t, 38, *rules[0].ErrnoRet, tr.Name)
		}
	}
}

func TestModifierMergesDockerProfile(t *testing.T) {
	data, err := os.ReadFile("../runtime/testdata/docker-default.json")
	require.NoError(t, err)
	var s specs.Spec
	require.NoError(t, json.Unmarshal(data, &s))
	before := len(s.Linux.Seccomp.Syscalls)
	// What docker adds for CAP_SYS_ADMIN holders: the family among other names.
	s.Linux.Seccomp.Syscalls = append(s.Linux.Seccomp.Syscalls,
		specs.LinuxSyscall{Names: []string{"mount", "umount2", "setns"}, Action: specs.ActAllow},
		specs.LinuxSyscall{Names: []string{"fsopen"}, Action: specs.ActAllow})
	before += 2
	require.NoError(t, NewModifier("/l", "").Modify(&s))
	sc := s.Linux.Seccomp
	assert.Equal(t, specs.ActErrno, sc.DefaultAction, "the caller's default stays")
	for _, tr := range Traps() {
		assert.Len(t, ruleFor(sc, tr.Name), 1, "%s appears in exactly one rule", tr.Name)
	}
	assert.NotEmpty(t, ruleFor(sc, "read"), "other rules are kept")
	assert.NotEmpty(t, ruleFor(sc, "setns"), "other names of a rule with the family are kept")
	assert.Equal(t, before-1+2, len(sc.Syscalls), "the fsopen-only rule is gone, two rules are added")
	for _, r := range sc.Syscalls {
		assert.NotEmpty(t, r.Names, "no rule is left without names")
	}
}

func TestModifierIdempotent(t *testing.T) {
	s := &specs.Spec{Linux: &specs.Linux{}}
	m := NewModifier("/l", "")
	require.NoError(t, m.Modify(s))
	first, _ := json.Marshal(s)
	require.NoError(t, m.Modify(s))
	second, _ := json.Marshal(s)
	assert.JSONEq(t, string(first), string(second))
}

func TestNames(t *testing.T) {
	assert.Equal(t, []string{"mount", "umount2", "umount", "sysinfo"}, Names(Notify))
	assert.Contains(t, Names(NoSys), "open_tree")
	assert.Contains(t, Names(NoSys), "mount_setattr")
	assert.Len(t, Traps(), 11)
}

// sysinfo is trapped only where the profile lets it through: a profile
// that refuses it (by its default, by a rule, or for some arguments)
// keeps its rules for it.
func TestModifierEmulatedTrapOnlyWhereAllowed(t *testing.T) {
	eperm := uint(1)
	notified := func(sc *specs.LinuxSeccomp) bool {
		for _, r := range ruleFor(sc, "sysinfo") {
			if r.Action == specs.ActNotify {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		name    string
		profile specs.LinuxSeccomp
		trapped bool
	}{
		{"allowed by default", specs.LinuxSeccomp{DefaultAction: specs.ActAllow}, true},
		{"allowed by a rule", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "sysinfo"}, Action: specs.ActAllow}}}, true},
		{"refused by default", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read"}, Action: specs.ActAllow}}}, false},
		{"refused by a rule", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"sysinfo"}, Action: specs.ActErrno, ErrnoRet: &eperm}}}, false},
		{"allowed for some arguments", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"sysinfo"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0, Op: specs.OpNotEqual}}}}}, false},
	} {
		s := &specs.Spec{Linux: &specs.Linux{Seccomp: &c.profile}}
		before, _ := json.Marshal(ruleFor(&c.profile, "sysinfo"))
		require.NoError(t, NewModifier("/l", "").Modify(s))
		sc := s.Linux.Seccomp
		assert.Equal(t, c.trapped, notified(sc), c.name)
		if c.trapped {
			assert.Len(t, ruleFor(sc, "sysinfo"), 1, "%s: only in the notify rule", c.name)
		} else {
			after, _ := json.Marshal(ruleFor(sc, "sysinfo"))
			assert.JSONEq(t, string(before), string(after), "%s: the profile's rules for it stay", c.name)
		}
		assert.Len(t, ruleFor(sc, "mount"), 1, "%s: the mount family is trapped whatever the profile", c.name)
		assert.Equal(t, specs.ActNotify, ruleFor(sc, "mount")[0].Action, c.name)
		// A second pass changes nothing.
		first, _ := json.Marshal(s)
		require.NoError(t, NewModifier("/l", "").Modify(s))
		second, _ := json.Marshal(s)
		assert.JSONEq(t, string(first), string(second), c.name)
	}
}

func TestModifierRefusesOwnAgent(t *testing.T) {
	for name, sc := range map[string]*specs.LinuxSeccomp{
		"notify rule":    {DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}, ListenerPath: "/run/agent.sock"},
		"listener only":  {DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock"},
		"default notify": {DefaultAction: specs.ActNotify},
	} {
		spec := &specs.Spec{Linux: &specs.Linux{Seccomp: sc}}
		err := NewModifier("/state/seccomp.sock", "").Modify(spec)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "notify rules of its own", name)
	}
	// Twice over the same spec: the first pass's rules are not the caller's.
	spec := &specs.Spec{Linux: &specs.Linux{}}
	m := NewModifier("/state/seccomp.sock", "")
	require.NoError(t, m.Modify(spec))
	require.NoError(t, m.Modify(spec))
}
