package confine

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var amd64 = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}

func errnoRule(errno uint, names ...string) specs.LinuxSyscall {
	return specs.LinuxSyscall{Names: names, Action: specs.ActErrno, ErrnoRet: &errno}
}

// baselineWant is the baseline's rules for names, as the test spells them:
// EPERM, then ENOSYS for the keyring calls.
func baselineWant(names ...string) []specs.LinuxSyscall {
	var perm, nosys []string
	for _, n := range names {
		switch n {
		case "add_key", "request_key", "keyctl":
			nosys = append(nosys, n)
		default:
			perm = append(perm, n)
		}
	}
	var out []specs.LinuxSyscall
	if len(perm) > 0 {
		out = append(out, errnoRule(1, perm...))
	}
	if len(nosys) > 0 {
		out = append(out, errnoRule(38, nosys...))
	}
	return out
}

func TestSeccompKeyringIsENOSYS(t *testing.T) {
	for _, n := range baselineSyscalls {
		want := uint(1)
		if n == "add_key" || n == "request_key" || n == "keyctl" {
			want = 38 // runc and systemd go on without a keyring on ENOSYS, not on EPERM
		}
		assert.Equal(t, want, BaselineErrno(n), n)
	}
}

func TestSeccompBaselineWithoutProfile(t *testing.T) {
	for _, s := range []*specs.Spec{{}, loadSpec(t, "docker-privileged"), loadSpec(t, "ctr-default"), loadSpec(t, "ctr-privileged")} {
		require.NoError(t, NewSeccompFor(amd64).Modify(s))
		assert.Equal(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Architectures: amd64,
			Syscalls:      baselineWant(baselineSyscalls...),
		}, s.Linux.Seccomp)
	}
}

func TestSeccompBaselineList(t *testing.T) {
	for _, n := range []string{"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "bpf",
		"perf_event_open", "add_key", "request_key", "keyctl", "iopl", "ioperm", "swapon", "swapoff", "acct",
		"settimeofday", "clock_settime", "stime", "syslog", "quotactl", "open_by_handle_at", "userfaultfd"} {
		assert.Contains(t, baselineSyscalls, n)
	}
	for _, n := range []string{"mount", "umount2", "open_tree", "move_mount", "fsopen", "fsmount", "fspick", "fsconfig", "mount_setattr",
		"unshare", "setns", "clone", "clone3", "pivot_root", "sethostname", "reboot", "adjtimex", "clock_adjtime", "name_to_handle_at"} {
		assert.NotContains(t, baselineSyscalls, n, "what --privileged needs, or what is trapped elsewhere")
	}
	seen := map[string]bool{}
	for _, n := range baselineSyscalls {
		assert.False(t, seen[n], n)
		seen[n] = true
	}
	assert.Equal(t, baselineSyscalls, BaselineSyscalls())
}

func TestSeccompMergesDockersDefaultProfile(t *testing.T) {
	s := loadSpec(t, "docker-default")
	orig := loadSpec(t, "docker-default").Linux.Seccomp
	require.NoError(t, NewSeccompFor(nil).Modify(s))
	got := s.Linux.Seccomp
	assert.Equal(t, orig.DefaultAction, got.DefaultAction)
	assert.Equal(t, orig.Architectures, got.Architectures, "the profile's own architectures stay")
	require.Len(t, got.Syscalls, len(orig.Syscalls), "docker denies by default: no deny rule is needed")
	big := got.Syscalls[0].Names
	assert.Len(t, big, len(orig.Syscalls[0].Names)-3, "docker's default allows io_uring: it goes")
	for _, n := range []string{"io_uring_setup", "io_uring_enter", "io_uring_register"} {
		assert.Contains(t, orig.Syscalls[0].Names, n)
		assert.NotContains(t, big, n)
	}
	for _, n := range []string{"read", "write", "adjtimex", "clock_adjtime", "memfd_secret", "seccomp"} {
		assert.Contains(t, big, n, "the rest stays")
	}
	assert.Equal(t, orig.Syscalls[1:], got.Syscalls[1:], "rules without baseline names are untouched")
}

func TestSeccompMergeAllowDefault(t *testing.T) {
	errnoPerm := uint(1)
	s := &specs.Spec{Linux: &specs.Linux{Seccomp: &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "bpf", "write"}, Action: specs.ActAllow},
			{Names: []string{"keyctl"}, Action: specs.ActAllow},
			{Names: []string{"syslog"}, Action: specs.ActErrno, ErrnoRet: &errnoPerm, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 3, Op: specs.OpEqualTo}}},
			{Names: []string{"perf_event_open", "mount"}, Action: specs.ActNotify},
			{Names: []string{"kexec_load", "getpid"}, Action: specs.ActKillProcess},
			{Names: []string{"reboot"}, Action: specs.ActErrno, ErrnoRet: &errnoPerm},
		},
	}}}
	require.NoError(t, NewSeccompFor(amd64).Modify(s))
	var missing []string
	for _, n := range baselineSyscalls {
		if n != "kexec_load" {
			missing = append(missing, n)
		}
	}
	assert.Equal(t, []specs.LinuxSyscall{
		{Names: []string{"read", "write"}, Action: specs.ActAllow},
		{Names: []string{"mount"}, Action: specs.ActNotify},
		{Names: []string{"kexec_load", "getpid"}, Action: specs.ActKillProcess},
		{Names: []string{"reboot"}, Action: specs.ActErrno, ErrnoRet: &errnoPerm},
		baselineWant(missing...)[0],
		baselineWant(missing...)[1],
	}, s.Linux.Seccomp.Syscalls)
	assert.Empty(t, s.Linux.Seccomp.Architectures, "a profile's architectures are its own")

	before := *s.Linux.Seccomp
	require.NoError(t, NewSeccompFor(amd64).Modify(s))
	assert.Equal(t, before, *s.Linux.Seccomp, "idempotent")
}

func TestSeccompMergeLogDefaultGetsTheDenyRule(t *testing.T) {
	for _, def := range []specs.LinuxSeccompAction{specs.ActLog, specs.ActTrace, specs.ActNotify} {
		s := &specs.Spec{Linux: &specs.Linux{Seccomp: &specs.LinuxSeccomp{DefaultAction: def}}}
		require.NoError(t, NewSeccompFor(amd64).Modify(s))
		assert.Equal(t, baselineWant(baselineSyscalls...), s.Linux.Seccomp.Syscalls, def)
	}
	for _, def := range []specs.LinuxSeccompAction{specs.ActErrno, specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap} {
		s := &specs.Spec{Linux: &specs.Linux{Seccomp: &specs.LinuxSeccomp{DefaultAction: def}}}
		require.NoError(t, NewSeccompFor(amd64).Modify(s))
		assert.Empty(t, s.Linux.Seccomp.Syscalls, def)
	}
}

func TestSeccompRealSpecs(t *testing.T) {
	for _, name := range realSpecs {
		s := loadSpec(t, name)
		require.NoError(t, NewSeccomp().Modify(s))
		require.NotNil(t, s.Linux.Seccomp, name)
		for _, r := range s.Linux.Seccomp.Syscalls {
			if denies(r.Action) && len(r.Args) == 0 {
				continue
			}
			for _, n := range baselineSyscalls {
				assert.NotContains(t, r.Names, n, name)
			}
		}
	}
}

func TestNativeArches(t *testing.T) {
	assert.Equal(t, amd64, nativeArches("amd64"))
	assert.Equal(t, []specs.Arch{specs.ArchAARCH64, specs.ArchARM}, nativeArches("arm64"))
	assert.Nil(t, nativeArches("riscv64"))
}
