package fsemu

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

func sysctl(name string) Sysctl {
	for _, s := range Sysctls() {
		if s.Name == name {
			return s
		}
	}
	panic(name)
}

func TestSysctlParse(t *testing.T) {
	cases := []struct {
		name, in, want string // want "" is EINVAL
	}{
		{"kernel.panic", "7\n", "7"},
		{"kernel.panic", "  -3\t\n", "-3"},
		{"kernel.panic", "0x10\n", "16"},
		{"kernel.panic", "010", "8"},
		{"kernel.panic", "1 2\n", "1"}, // the rest of a one-value write is ignored
		{"kernel.panic", "2147483647", "2147483647"},
		{"kernel.panic", "-2147483648", "-2147483648"},
		{"kernel.panic", "2147483648", ""},
		{"kernel.panic", "-2147483649", ""},
		{"kernel.panic", "", ""},
		{"kernel.panic", "\n", ""},
		{"kernel.panic", "abc", ""},
		{"kernel.panic", "12abc", ""},
		{"kernel.panic", "1\r", ""},
		{"kernel.panic", "08", ""},
		{"kernel.panic", "0x", ""},
		{"kernel.panic", "-", ""},
		{"kernel.panic", "+1", ""},
		{"kernel.panic", "000000000000000000001", ""}, // 21 characters: refused as by the kernel
		{"vm.overcommit_memory", "2", "2"},
		{"vm.overcommit_memory", "3", ""},
		{"vm.overcommit_memory", "-1", ""},
		{"kernel.pid_max", "300", ""},
		{"kernel.pid_max", "301", "301"},
		{"kernel.pid_max", "4194304", "4194304"},
		{"kernel.pid_max", "4194305", ""},
		{"fs.file-max", "9223372036854775807", "9223372036854775807"},
		{"fs.file-max", "9223372036854775808", ""},
		{"fs.file-max", "-1", ""},
		{"fs.file-max", "18446744073709551616", ""},
		{"vm.max_map_count", "0", "0"},
		{"vm.max_map_count", "-5", ""},
	}
	for _, c := range cases {
		got, err := sysctl(c.name).Parse([]byte(c.in))
		if c.want == "" {
			assert.Equal(t, syscall.EINVAL, err, "%s %q: got %q", c.name, c.in, got)
			continue
		}
		if assert.NoError(t, err, "%s %q", c.name, c.in) {
			assert.Equal(t, c.want, got, "%s %q", c.name, c.in)
		}
	}
}

func TestSysctlPaths(t *testing.T) {
	assert.Equal(t, "/proc/sys/kernel/panic", sysctl("kernel.panic").Path())
	assert.Equal(t, "/proc/sys/fs/file-max", sysctl("fs.file-max").Path())
	for _, s := range Sysctls() {
		assert.True(t, s.File().ByHook(), "%s: runc refuses spec mounts there", s.Name)
		assert.NotNil(t, s.File().Write)
	}
}

func TestKernelVersion(t *testing.T) {
	maj, min, ok := kernelVersion("6.18.44-fc-v769\n")
	assert.True(t, ok)
	assert.Equal(t, [2]int{6, 18}, [2]int{maj, min})
	maj, min, ok = kernelVersion("5.10-rc1")
	assert.True(t, ok)
	assert.Equal(t, [2]int{5, 10}, [2]int{maj, min})
	_, _, ok = kernelVersion("garbage")
	assert.False(t, ok)
}
