package seccomp

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The 64-bit struct is byte for byte golang.org/x/sys/unix's Sysinfo_t
// (the kernel's struct sysinfo on x86_64), padding zeroed.
func TestSysinfoNativeLayout(t *testing.T) {
	require.EqualValues(t, sysinfoSize, unsafe.Sizeof(unix.Sysinfo_t{}))
	k := kernelSysinfo{
		Uptime: -2, Loads: [3]uint64{1, 2, 3},
		TotalRAM: 4, FreeRAM: 5, SharedRAM: 6, BufferRAM: 7, TotalSwap: 8, FreeSwap: 9,
		Procs: 0xabcd, TotalHigh: 10, FreeHigh: 1 << 60, MemUnit: 0x12345678,
	}
	want := unix.Sysinfo_t{
		Uptime: -2, Loads: [3]uint64{1, 2, 3},
		Totalram: 4, Freeram: 5, Sharedram: 6, Bufferram: 7, Totalswap: 8, Freeswap: 9,
		Procs: 0xabcd, Totalhigh: 10, Freehigh: 1 << 60, Unit: 0x12345678,
	}
	wantBytes := unsafe.Slice((*byte)(unsafe.Pointer(&want)), unsafe.Sizeof(want))
	assert.Equal(t, wantBytes, k.native())

	k = newKernelSysinfo(container256, page)
	want = unix.Sysinfo_t{
		Uptime: 42, Loads: [3]uint64{164 << 5, 3072 << 5, 0},
		Totalram: 256 << 20, Freeram: 200 << 20, Sharedram: 1 << 20, Procs: 3, Unit: 1,
	}
	assert.Equal(t, wantBytes, k.native())
}
