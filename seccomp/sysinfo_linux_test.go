package seccomp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
)

const page = 4096

// container256 is what a container with -m 256m sees.
var container256 = fsemu.Sysinfo{
	Uptime:    41.2,
	Loads:     [3]float64{0.08, 1.5, 0},
	Procs:     3,
	TotalRAM:  256 << 20,
	FreeRAM:   200 << 20,
	SharedRAM: 1 << 20,
	BufferRAM: 0,
	TotalSwap: 0,
	FreeSwap:  0,
}

func TestKernelSysinfoValues(t *testing.T) {
	k := newKernelSysinfo(container256, page)
	assert.EqualValues(t, 42, k.Uptime, "rounded up, as the kernel does a partial second")
	// avenrun has 11 fractional bits; SI_LOAD_SHIFT is 16.
	assert.Equal(t, [3]uint64{164 << 5, 3072 << 5, 0}, k.Loads)
	assert.InDelta(t, 0.08, float64(k.Loads[0])/(1<<16), 0.001)
	assert.EqualValues(t, 3, k.Procs)
	assert.EqualValues(t, 1, k.MemUnit, "in bytes, as do_sysinfo leaves it when RAM and swap fit")
	assert.EqualValues(t, 256<<20, k.TotalRAM)
	assert.EqualValues(t, 200<<20, k.FreeRAM)
	assert.EqualValues(t, 1<<20, k.SharedRAM)

	assert.EqualValues(t, 10, newKernelSysinfo(fsemu.Sysinfo{Uptime: 10}, page).Uptime, "a whole second stays")
	assert.EqualValues(t, uint16(70000-65536), newKernelSysinfo(fsemu.Sysinfo{Procs: 70000}, page).Procs, "procs is 16 bits")

	// RAM plus swap that does not fit 64 bits in bytes stays in pages.
	huge := newKernelSysinfo(fsemu.Sysinfo{TotalRAM: 1 << 63, FreeRAM: 1 << 62, TotalSwap: 1 << 63}, page)
	assert.EqualValues(t, page, huge.MemUnit)
	assert.EqualValues(t, uint64(1<<63)/page, huge.TotalRAM)
	assert.EqualValues(t, uint64(1<<62)/page, huge.FreeRAM)
}

// sysinfo386 is struct sysinfo of i386 (golang.org/x/sys/unix's
// ztypes_linux_386.go; the kernel's struct compat_sysinfo).
type sysinfo386 struct {
	Uptime    int32
	Loads     [3]uint32
	Totalram  uint32
	Freeram   uint32
	Sharedram uint32
	Bufferram uint32
	Totalswap uint32
	Freeswap  uint32
	Procs     uint16
	Pad       uint16
	Totalhigh uint32
	Freehigh  uint32
	Unit      uint32
	_         [8]int8
}

func encode386(t *testing.T, s sysinfo386) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, binary.Write(&b, binary.LittleEndian, s))
	return b.Bytes()
}

func TestSysinfoCompatLayout(t *testing.T) {
	require.Equal(t, sysinfoCompatSize, binary.Size(sysinfo386{}))
	k := newKernelSysinfo(container256, page)
	got := k.compat(page)
	want := encode386(t, sysinfo386{
		Uptime: 42, Loads: [3]uint32{164 << 5, 3072 << 5, 0},
		Totalram: 256 << 20, Freeram: 200 << 20, Sharedram: 1 << 20,
		Procs: 3, Unit: 1,
	})
	assert.Equal(t, want, got, "byte for byte, padding zeroed")
}

// A 32-bit caller on a host (or in a container) with more than 4 GiB gets
// the memory in pages, as from the kernel's compat sysinfo.
func TestSysinfoCompatScaling(t *testing.T) {
	host := fsemu.Sysinfo{
		Uptime: 4617.8, TotalRAM: 24683656 << 10, FreeRAM: 23354876 << 10, SharedRAM: 8924 << 10,
		BufferRAM: 1000 << 10, TotalSwap: 0, FreeSwap: 0, Procs: 200,
	}
	k := newKernelSysinfo(host, page)
	assert.EqualValues(t, 1, k.MemUnit, "64 bits: bytes")
	got := k.compat(page)
	assert.Equal(t, encode386(t, sysinfo386{
		Uptime: 4618, Totalram: 24683656 / 4, Freeram: 23354876 / 4, Sharedram: 8924 / 4, Bufferram: 1000 / 4,
		Procs: 200, Unit: page,
	}), got)

	// Swap alone above 4 GiB scales everything too.
	k = newKernelSysinfo(fsemu.Sysinfo{TotalRAM: 256 << 20, FreeRAM: 100 << 20, TotalSwap: 8 << 30, FreeSwap: 8 << 30}, page)
	assert.Equal(t, encode386(t, sysinfo386{
		Totalram: (256 << 20) / page, Freeram: (100 << 20) / page, Totalswap: (8 << 30) / page, Freeswap: (8 << 30) / page, Unit: page,
	}), k.compat(page))

	// Just under 4 GiB: bytes still.
	k = newKernelSysinfo(fsemu.Sysinfo{TotalRAM: 4<<30 - page, FreeRAM: 1 << 30}, page)
	assert.Equal(t, encode386(t, sysinfo386{Totalram: 4<<30 - page, Freeram: 1 << 30, Unit: 1}), k.compat(page))

	// Past 16 TiB even pages do not fit: truncated, as by the kernel.
	k = newKernelSysinfo(fsemu.Sysinfo{TotalRAM: 1<<45 + 5*page}, page)
	assert.Equal(t, encode386(t, sysinfo386{Totalram: 5, Unit: page}), k.compat(page), "2^33 + 5 pages")

	// An uptime past 2^31 s wraps as the kernel's s32 does.
	k = newKernelSysinfo(fsemu.Sysinfo{Uptime: 1 << 31}, page)
	assert.EqualValues(t, uint32(1<<31), binary.LittleEndian.Uint32(k.compat(page)[0:]))
}

func TestSysinfoOut(t *testing.T) {
	addr, data, err := sysinfoOut(container256, libseccomp.ArchAMD64, 0x7ffd_0000_1000, page)
	require.NoError(t, err)
	assert.EqualValues(t, 0x7ffd_0000_1000, addr)
	assert.Len(t, data, sysinfoSize)

	addr, data, err = sysinfoOut(container256, libseccomp.ArchX32, 0xff00_1000, page)
	require.NoError(t, err)
	assert.EqualValues(t, 0xff00_1000, addr)
	assert.Len(t, data, sysinfoSize, "x32's sysinfo is the 64-bit call")

	addr, data, err = sysinfoOut(container256, libseccomp.ArchX86, 0xdead_0000_ffff_1000, page)
	require.NoError(t, err)
	assert.EqualValues(t, 0xffff_1000, addr, "the i386 entry takes the register's low 32 bits")
	assert.Len(t, data, sysinfoCompatSize)

	_, _, err = sysinfoOut(container256, libseccomp.ArchARM64, 0x1000, page)
	assert.Error(t, err)
}

func TestWritableRange(t *testing.T) {
	maps := `00400000-00401000 r--p 00000000 fd:01 123 /bin/x
00401000-00402000 r-xp 00001000 fd:01 123 /bin/x
00600000-00602000 rw-p 00000000 00:00 0 [heap]
00602000-00603000 rw-p 00000000 00:00 0
00700000-00701000 ---p 00000000 00:00 0
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`
	for _, c := range []struct {
		addr, n uint64
		want    bool
	}{
		{0x600000, 112, true},
		{0x601fc0, 112, true},  // across two adjacent writable mappings
		{0x602fa0, 112, false}, // runs past the end into a gap
		{0x602f90, 112, true},  // ends at the end
		{0x400000, 112, false}, // read-only
		{0x401000, 64, false},  // text
		{0x700000, 64, false},  // PROT_NONE
		{0x500000, 64, false},  // not mapped
		{0, 112, false},
		{0x7ffd00000100, 112, true},
		{0xffffffffff600000, 64, false},
		{math.MaxUint64 - 10, 112, false}, // wraps
	} {
		got, err := writableRange(strings.NewReader(maps), c.addr, c.n)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%#x+%d", c.addr, c.n)
	}
	_, err := writableRange(strings.NewReader("garbage\n"), 0x1000, 8)
	assert.Error(t, err)
}

// fakeSysinfo is a SysinfoSource with fixed values (or a failure).
type fakeSysinfo struct {
	v   fsemu.Sysinfo
	err error
}

func (f *fakeSysinfo) Sysinfo(int) (fsemu.Sysinfo, error) { return f.v, f.err }

// TestSysinfoTrapped runs the supervisor's notify loop on a filter of this
// test's own: one locked thread traps sysinfo(2) (as a container's process
// would) and sees the fake source's values; a bad or read-only address is
// EFAULT; when the source fails, the kernel answers (the host's values).
// No root needed: an unprivileged process may install a filter with
// no_new_privs, and write its own memory.
func TestSysinfoTrapped(t *testing.T) {
	src := &fakeSysinfo{v: container256}
	type outcome struct {
		si            unix.Sysinfo_t
		errno         unix.Errno
		badAddr       unix.Errno
		readOnly      unix.Errno
		readOnlyAfter []byte
		fallback      unix.Sysinfo_t
		fallbackErrno unix.Errno
	}
	fdc := make(chan int, 1)
	ready := make(chan struct{})
	done := make(chan outcome, 1)
	fail := make(chan error, 1)
	go func() {
		// This thread gets the filter and is thrown away with it (a locked
		// goroutine that returns takes its thread along).
		runtime.LockOSThread()
		f, err := libseccomp.NewFilter(libseccomp.ActAllow)
		if err == nil {
			var call libseccomp.ScmpSyscall
			if call, err = libseccomp.GetSyscallFromName("sysinfo"); err == nil {
				err = f.AddRule(call, libseccomp.ActNotify)
			}
		}
		if err == nil {
			err = f.Load()
		}
		var fd libseccomp.ScmpFd
		if err == nil {
			fd, err = f.GetNotifFd()
		}
		if err != nil {
			fail <- err
			return
		}
		// libseccomp keeps its notify fd; the loop closes its own copy.
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			fail <- err
			return
		}
		fdc <- dup
		<-ready
		var o outcome
		_, _, o.errno = unix.Syscall(unix.SYS_SYSINFO, uintptr(unsafe.Pointer(&o.si)), 0, 0)
		_, _, o.badAddr = unix.Syscall(unix.SYS_SYSINFO, 8, 0, 0)
		ro, err := unix.Mmap(-1, 0, page, unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			fail <- err
			return
		}
		_, _, o.readOnly = unix.Syscall(unix.SYS_SYSINFO, uintptr(unsafe.Pointer(&ro[0])), 0, 0)
		o.readOnlyAfter = append([]byte(nil), ro[:sysinfoSize]...)
		src.err = errors.New("no cgroup")
		_, _, o.fallbackErrno = unix.Syscall(unix.SYS_SYSINFO, uintptr(unsafe.Pointer(&o.fallback)), 0, 0)
		done <- o
	}()
	var fd int
	select {
	case err := <-fail:
		t.Skipf("cannot install a seccomp notify filter here: %v", err)
	case fd = <-fdc:
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	s := &Supervisor{Log: log, Sysinfo: src}
	ctx, cancel := context.WithCancel(context.Background())
	looped := make(chan struct{})
	go func() {
		defer close(looped)
		s.loop(ctx, 1, fd)
	}()
	defer func() {
		cancel()
		<-looped
	}()
	close(ready)
	var o outcome
	select {
	case err := <-fail:
		t.Fatal(err)
	case o = <-done:
	}

	require.Zero(t, o.errno)
	assert.EqualValues(t, 42, o.si.Uptime)
	assert.Equal(t, [3]uint64{164 << 5, 3072 << 5, 0}, o.si.Loads)
	assert.EqualValues(t, 256<<20, o.si.Totalram)
	assert.EqualValues(t, 200<<20, o.si.Freeram)
	assert.EqualValues(t, 1<<20, o.si.Sharedram)
	assert.EqualValues(t, 3, o.si.Procs)
	assert.EqualValues(t, 1, o.si.Unit)

	assert.Equal(t, unix.EFAULT, o.badAddr, "an unmapped address")
	assert.Equal(t, unix.EFAULT, o.readOnly, "a read-only page")
	assert.Equal(t, make([]byte, sysinfoSize), o.readOnlyAfter, "and it is left alone")

	require.Zero(t, o.fallbackErrno)
	var host unix.Sysinfo_t
	require.NoError(t, unix.Sysinfo(&host))
	assert.Equal(t, host.Totalram, o.fallback.Totalram, "the source failed: the kernel's answer")
}
