package seccomp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// maxString bounds strings read from a caller: PATH_MAX for paths, a page
// for mount data (what the kernel itself copies).
const maxString = 4096

// memory reads a trapped process's memory through /proc/PID/mem.
type memory struct {
	f    *os.File
	maps *os.File // for writes: the caller's /proc/PID/maps
}

func openMemory(pid int) (*memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return nil, fmt.Errorf("open caller memory: %w", err)
	}
	return &memory{f: f}, nil
}

// openMemoryForWrite opens a trapped process's memory to write a result
// into it, and its memory map. Both files stay bound to the address space
// they were opened on: a write after the caller died (and its pid went to
// another process) fails instead of reaching the new process.
func openMemoryForWrite(pid int) (*memory, error) {
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", pid), os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open caller memory: %w", err)
	}
	maps, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open caller memory map: %w", err)
	}
	return &memory{f: f, maps: maps}, nil
}

func (m *memory) Close() error {
	if m.maps != nil {
		m.maps.Close()
	}
	return m.f.Close()
}

// errBadAddress is a write the kernel's copy_to_user would fail (EFAULT).
var errBadAddress = errors.New("bad address")

// Write copies data to addr, where the kernel's copy_to_user would: all of
// it, or errBadAddress when the range is not all mapped writable. (The
// write through /proc/PID/mem itself would also go to read-only and
// PROT_NONE private mappings, copy-on-write, as a debugger's does: the
// kernel answers EFAULT there.) Other errors are the supervisor's.
func (m *memory) Write(addr uint64, data []byte) error {
	if m.maps == nil {
		return errors.New("caller memory opened read-only")
	}
	if _, err := m.maps.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read caller memory map: %w", err)
	}
	ok, err := writableRange(m.maps, addr, uint64(len(data)))
	if err != nil {
		return fmt.Errorf("read caller memory map: %w", err)
	}
	if !ok || addr > math.MaxInt64 {
		return fmt.Errorf("write caller memory at %#x: not mapped writable: %w", addr, errBadAddress)
	}
	if _, err := m.f.WriteAt(data, int64(addr)); err != nil {
		// Mapped writable yet not written (device memory, a mapping
		// changed meanwhile): as the kernel's copy would fail.
		return fmt.Errorf("write caller memory at %#x: %v: %w", addr, err, errBadAddress)
	}
	return nil
}

// writableRange reports whether [addr, addr+n) lies in writable mappings
// of a /proc/PID/maps (sorted by address), without a gap.
func writableRange(maps io.Reader, addr, n uint64) (bool, error) {
	end := addr + n
	if end < addr {
		return false, nil
	}
	cur := addr
	sc := bufio.NewScanner(maps)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || len(f[1]) < 2 {
			return false, fmt.Errorf("malformed line %q", sc.Text())
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		stop, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil {
			return false, fmt.Errorf("malformed line %q", sc.Text())
		}
		if stop <= cur {
			continue
		}
		if start > cur || f[1][1] != 'w' {
			return false, nil
		}
		if cur = stop; cur >= end {
			return true, nil
		}
	}
	return false, sc.Err()
}

// String copies the NUL-terminated string at addr. ok is false for NULL.
func (m *memory) String(addr uint64) (s string, ok bool, err error) {
	if addr == 0 {
		return "", false, nil
	}
	buf := make([]byte, maxString)
	n, err := m.f.ReadAt(buf, int64(addr))
	if n == 0 && err != nil {
		return "", true, fmt.Errorf("read caller memory at %#x: %w", addr, err)
	}
	buf = buf[:n]
	i := bytes.IndexByte(buf, 0)
	if i < 0 {
		if n < maxString {
			return "", true, errors.New("unterminated string in caller memory")
		}
		return "", true, errors.New("string argument longer than 4096 bytes")
	}
	return string(buf[:i]), true, nil
}
