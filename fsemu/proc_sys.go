package fsemu

import (
	"bytes"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// /proc/sys: kernel-wide sysctls (not namespaced) are emulated per
// container. A read shows the host's value until the container writes
// one; a write is parsed and range-checked as the kernel does and kept
// (in the supervisor's memory) for this container only. Nothing ever
// reaches the host: without the emulation, the container's root (not the
// host's) may not write these files at all.

// Sysctl is one emulated sysctl.
type Sysctl struct {
	Name string // e.g. "kernel.panic"
	// Unsigned: an unsigned long (the kernel's proc_doulongvec_minmax);
	// otherwise an int (proc_dointvec, proc_dointvec_minmax).
	Unsigned bool
	// Min and Max bound the value when Bounded.
	Bounded  bool
	Min, Max int64
	// NamespacedSince is the first kernel (major, minor) that keeps the
	// sysctl per namespace itself: it is not emulated there.
	NamespacedSince [2]int
}

// Sysctls are the emulated sysctls.
func Sysctls() []Sysctl {
	return []Sysctl{
		{Name: "kernel.panic"},
		{Name: "kernel.panic_on_oops"},
		{Name: "kernel.sysrq"},
		// pid_max belongs to the pid namespace since Linux 6.14.
		{Name: "kernel.pid_max", Bounded: true, Min: 301, Max: 4 << 20, NamespacedSince: [2]int{6, 14}},
		{Name: "vm.overcommit_memory", Bounded: true, Min: 0, Max: 2},
		{Name: "vm.panic_on_oom", Bounded: true, Min: 0, Max: 2},
		{Name: "vm.max_map_count", Bounded: true, Min: 0, Max: math.MaxInt32},
		{Name: "fs.file-max", Unsigned: true, Bounded: true, Min: 0, Max: math.MaxInt64},
	}
}

// Path is the sysctl's file under /proc/sys.
func (s Sysctl) Path() string { return "/proc/sys/" + strings.ReplaceAll(s.Name, ".", "/") }

// File is the emulated file of the sysctl.
func (s Sysctl) File() File {
	p := s.Path()
	return File{
		Path: p,
		Mode: 0o644,
		Read: func(c *Caller) ([]byte, error) {
			c.e.mu.Lock()
			v, ok := c.e.sysctls[p]
			c.e.mu.Unlock()
			if ok {
				return []byte(v + "\n"), nil
			}
			return c.hostFile(p)
		},
		Write: func(c *Caller, data []byte) error {
			v, err := s.Parse(data)
			if err != nil {
				return err
			}
			c.e.mu.Lock()
			c.e.sysctls[p] = v
			c.e.mu.Unlock()
			return nil
		},
		Available: func(h Host) bool {
			return h.Has(p) && !s.namespacedOn(h)
		},
	}
}

// namespacedOn reports whether the host's kernel keeps the sysctl per
// namespace.
func (s Sysctl) namespacedOn(h Host) bool {
	if s.NamespacedSince == [2]int{} {
		return false
	}
	rel, err := os.ReadFile(h.Path("/proc/sys/kernel/osrelease"))
	if err != nil {
		return false
	}
	maj, min, ok := kernelVersion(string(rel))
	return ok && (maj > s.NamespacedSince[0] || maj == s.NamespacedSince[0] && min >= s.NamespacedSince[1])
}

func kernelVersion(release string) (major, minor int, ok bool) {
	f := strings.SplitN(strings.TrimSpace(release), ".", 3)
	if len(f) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(f[0])
	end := 0
	for end < len(f[1]) && f[1][end] >= '0' && f[1][end] <= '9' {
		end++
	}
	minor, err2 := strconv.Atoi(f[1][:end])
	return major, minor, err1 == nil && err2 == nil
}

// Parse checks a write as the kernel would and returns the value to keep
// (in the kernel's own format). A refused write is EINVAL, as from the
// kernel: an empty or non-numeric value, trailing garbage, a number that
// does not fit, a negative unsigned value, a value out of range.
func (s Sysctl) Parse(data []byte) (string, error) {
	neg, val, err := parseSysctlNumber(data)
	if err != nil {
		return "", err
	}
	if s.Unsigned {
		if neg {
			return "", syscall.EINVAL
		}
		if s.Bounded && (val < uint64(max(s.Min, 0)) || s.Max >= 0 && val > uint64(s.Max)) {
			return "", syscall.EINVAL
		}
		return strconv.FormatUint(val, 10), nil
	}
	var v int64
	switch {
	case neg && val > math.MaxInt32+1, !neg && val > math.MaxInt32:
		return "", syscall.EINVAL
	case neg:
		v = -int64(val)
	default:
		v = int64(val)
	}
	if s.Bounded && (v < s.Min || v > s.Max) {
		return "", syscall.EINVAL
	}
	return strconv.FormatInt(v, 10), nil
}

// tmpBufLen is the kernel's TMPBUFLEN: a number of 21 characters or more
// is refused.
const tmpBufLen = 22

// parseSysctlNumber is the kernel's proc_get_long for the first value of a
// write: leading white space, an optional '-', a number in base 0 (0x
// hex, 0 octal, decimal), then the end or white space. What follows the
// first value is ignored, as the kernel does for a one-value sysctl.
func parseSysctlNumber(data []byte) (neg bool, val uint64, err error) {
	if len(data) > 4095 {
		data = data[:4095] // the kernel reads one page less one byte
	}
	p := bytes.TrimLeft(data, " \t\n\v\f\r")
	if len(p) == 0 {
		return false, 0, syscall.EINVAL
	}
	if len(p) > tmpBufLen-1 {
		p = p[:tmpBufLen-1]
	}
	rest := p
	if rest[0] == '-' && len(rest) > 1 {
		neg = true
		rest = rest[1:]
	}
	if rest[0] < '0' || rest[0] > '9' {
		return false, 0, syscall.EINVAL
	}
	base := uint64(10)
	switch {
	case len(rest) >= 3 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') && isHex(rest[2]):
		base, rest = 16, rest[2:]
	case rest[0] == '0':
		base = 8
	}
	n := 0
	for ; n < len(rest); n++ {
		d, ok := digit(rest[n], base)
		if !ok {
			break
		}
		if val > (math.MaxUint64-d)/base {
			return false, 0, syscall.EINVAL
		}
		val = val*base + d
	}
	consumed := len(p) - len(rest) + n
	if consumed == tmpBufLen-1 {
		return false, 0, syscall.EINVAL
	}
	if consumed < len(p) && !strings.ContainsRune(" \t\n", rune(p[consumed])) {
		return false, 0, syscall.EINVAL
	}
	return neg, val, nil
}

func isHex(c byte) bool {
	_, ok := digit(c, 16)
	return ok
}

func digit(c byte, base uint64) (uint64, bool) {
	var d uint64
	switch {
	case c >= '0' && c <= '9':
		d = uint64(c - '0')
	case c >= 'a' && c <= 'f':
		d = uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		d = uint64(c-'A') + 10
	default:
		return 0, false
	}
	return d, d < base
}
