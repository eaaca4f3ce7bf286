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
	assert.Equal(t, []string{"mount", "umount2", "umount"}, Names(Notify))
	assert.Contains(t, Names(NoSys), "open_tree")
	assert.Contains(t, Names(NoSys), "mount_setattr")
	assert.Len(t, Traps(), 10)
}
