package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/sysbox-lite/sysbox-lite/fsemu"
)

// sysinfo(2) is trapped so that busybox free and uptime (and glibc's
// get_phys_pages, sysconf(_SC_PHYS_PAGES)), which read it rather than
// /proc, see the container as its emulated /proc/meminfo, /proc/uptime
// and /proc/loadavg show it. The supervisor fills the caller's struct
// sysinfo as the kernel would, with the container's values, for the
// caller's ABI.

// SysinfoSource computes the values sysinfo(2) shows a process of the
// container (host pid): fsemu.Emulator.
type SysinfoSource interface {
	Sysinfo(pid int) (fsemu.Sysinfo, error)
}

const (
	// sysinfoSize is sizeof(struct sysinfo) on x86_64 (and x32, whose
	// sysinfo is the 64-bit call), sysinfoCompatSize sizeof(struct
	// compat_sysinfo), what an i386 caller gets.
	sysinfoSize       = 112
	sysinfoCompatSize = 64

	// The kernel keeps load averages with fshift fractional bits and
	// hands them out with siLoadShift (SI_LOAD_SHIFT).
	fshift      = 11
	siLoadShift = 16
)

// kernelSysinfo is struct sysinfo as the kernel's do_sysinfo fills it
// (unsigned long is 64 bits).
type kernelSysinfo struct {
	Uptime                                  int64
	Loads                                   [3]uint64
	TotalRAM, FreeRAM, SharedRAM, BufferRAM uint64
	TotalSwap, FreeSwap                     uint64
	Procs                                   uint16
	TotalHigh, FreeHigh                     uint64
	MemUnit                                 uint32
}

// newKernelSysinfo computes what do_sysinfo would with the container's
// values: the uptime rounded up to the second, the loads as the kernel's
// fixed-point averages, the thread count in 16 bits, and the memory (no
// high memory on x86_64) counted in pages, then in bytes with mem_unit 1
// when RAM plus swap in bytes fits an unsigned long.
func newKernelSysinfo(v fsemu.Sysinfo, pageSize uint64) kernelSysinfo {
	k := kernelSysinfo{
		Uptime:    int64(math.Ceil(v.Uptime)),
		Procs:     uint16(v.Procs),
		TotalRAM:  v.TotalRAM / pageSize,
		FreeRAM:   v.FreeRAM / pageSize,
		SharedRAM: v.SharedRAM / pageSize,
		BufferRAM: v.BufferRAM / pageSize,
		TotalSwap: v.TotalSwap / pageSize,
		FreeSwap:  v.FreeSwap / pageSize,
		MemUnit:   uint32(pageSize),
	}
	for i, l := range v.Loads {
		if l > 0 {
			k.Loads[i] = uint64(l*(1<<fshift)+0.5) << (siLoadShift - fshift)
		}
	}
	total := k.TotalRAM + k.TotalSwap
	if total < k.TotalRAM || total < k.TotalSwap {
		return k
	}
	bits := 0
	for unit := k.MemUnit; unit > 1; unit >>= 1 {
		bits++
		prev := total
		total <<= 1
		if total < prev {
			return k
		}
	}
	k.MemUnit = 1
	for _, p := range k.memory() {
		*p <<= bits
	}
	return k
}

func (k *kernelSysinfo) memory() []*uint64 {
	return []*uint64{&k.TotalRAM, &k.FreeRAM, &k.SharedRAM, &k.BufferRAM, &k.TotalSwap, &k.FreeSwap, &k.TotalHigh, &k.FreeHigh}
}

// native is the struct as the 64-bit sysinfo(2) copies it out: every
// byte, padding zeroed.
func (k kernelSysinfo) native() []byte {
	b := make([]byte, sysinfoSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(k.Uptime))
	for i, l := range k.Loads {
		le.PutUint64(b[8+8*i:], l)
	}
	le.PutUint64(b[32:], k.TotalRAM)
	le.PutUint64(b[40:], k.FreeRAM)
	le.PutUint64(b[48:], k.SharedRAM)
	le.PutUint64(b[56:], k.BufferRAM)
	le.PutUint64(b[64:], k.TotalSwap)
	le.PutUint64(b[72:], k.FreeSwap)
	le.PutUint16(b[80:], k.Procs)
	// 82: pad (u16), 84: 4 bytes of alignment
	le.PutUint64(b[88:], k.TotalHigh)
	le.PutUint64(b[96:], k.FreeHigh)
	le.PutUint32(b[104:], k.MemUnit)
	// 108: _f[0] and 4 bytes of alignment
	return b
}

// compat is struct compat_sysinfo as the i386 sysinfo(2) copies it out:
// when RAM or swap does not fit 32 bits, every memory value is counted in
// larger units, up to pages; then each value is truncated to its field.
func (k kernelSysinfo) compat(pageSize uint64) []byte {
	if k.TotalRAM>>32 != 0 || k.TotalSwap>>32 != 0 {
		bits := 0
		for uint64(k.MemUnit) < pageSize {
			k.MemUnit <<= 1
			bits++
		}
		for _, p := range k.memory() {
			*p >>= bits
		}
	}
	b := make([]byte, sysinfoCompatSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(k.Uptime))
	for i, l := range k.Loads {
		le.PutUint32(b[4+4*i:], uint32(l))
	}
	le.PutUint32(b[16:], uint32(k.TotalRAM))
	le.PutUint32(b[20:], uint32(k.FreeRAM))
	le.PutUint32(b[24:], uint32(k.SharedRAM))
	le.PutUint32(b[28:], uint32(k.BufferRAM))
	le.PutUint32(b[32:], uint32(k.TotalSwap))
	le.PutUint32(b[36:], uint32(k.FreeSwap))
	le.PutUint16(b[40:], k.Procs)
	// 42: pad (u16)
	le.PutUint32(b[44:], uint32(k.TotalHigh))
	le.PutUint32(b[48:], uint32(k.FreeHigh))
	le.PutUint32(b[52:], k.MemUnit)
	// 56: _f[8]
	return b
}

// sysinfoOut is what sysinfo(2) copies to a caller of arch, and where (the
// pointer argument as that ABI passes it).
func sysinfoOut(v fsemu.Sysinfo, arch libseccomp.ScmpArch, arg uint64, pageSize uint64) (addr uint64, data []byte, err error) {
	k := newKernelSysinfo(v, pageSize)
	switch arch {
	case libseccomp.ArchAMD64, libseccomp.ArchX32:
		return arg, k.native(), nil
	case libseccomp.ArchX86:
		// The i386 entry takes the low 32 bits of the register.
		return arg & math.MaxUint32, k.compat(pageSize), nil
	}
	return 0, nil, fmt.Errorf("sysinfo for architecture %s is not handled", arch)
}

// answerSysinfo fills the caller's struct sysinfo with its container's
// values: success (0), or EFAULT for an address the struct cannot be
// written to, as from the kernel.
//
// When the container's values cannot be computed (or the caller's memory
// not opened or its map not read), the call is answered CONTINUE: the kernel then fills in
// the host's values, as it would without the trap. That is no security
// decision: sysinfo only reads host-wide counters (memory, swap, uptime,
// loads, thread count) that grant nothing and that the container may see
// anyway; emulating them is for the programs' sake. Every other trapped
// call is decided here and never continued for convenience.
func (s *Supervisor) answerSysinfo(fd int, req *libseccomp.ScmpNotifReq) *libseccomp.ScmpNotifResp {
	kernels := &libseccomp.ScmpNotifResp{ID: req.ID, Flags: libseccomp.NotifRespFlagContinue}
	if s.Sysinfo == nil {
		return kernels
	}
	pid := int(req.Pid)
	v, err := s.Sysinfo.Sysinfo(pid)
	if err != nil {
		s.Log.WithError(err).WithField("pid", pid).Debug("sysinfo: the container's values, the host's instead")
		return kernels
	}
	addr, data, err := sysinfoOut(v, req.Data.Arch, req.Data.Args[0], uint64(unix.Getpagesize()))
	if err != nil {
		s.Log.WithError(err).Debug("sysinfo: the host's values")
		return kernels
	}
	// Opened before the check below: the write goes to the address space
	// of the process that made this call, never to one that got its pid.
	mem, err := openMemoryForWrite(pid)
	if err != nil {
		s.Log.WithError(err).WithField("pid", pid).Debug("sysinfo: the host's values")
		return kernels
	}
	defer mem.Close()
	if err := libseccomp.NotifIDValid(libseccomp.ScmpFd(fd), req.ID); err != nil {
		return deny(req.ID, unix.ENOENT)
	}
	if err := mem.Write(addr, data); err != nil {
		if errors.Is(err, errBadAddress) {
			return deny(req.ID, unix.EFAULT)
		}
		s.Log.WithError(err).WithField("pid", pid).Debug("sysinfo: the host's values")
		return kernels
	}
	return &libseccomp.ScmpNotifResp{ID: req.ID}
}
