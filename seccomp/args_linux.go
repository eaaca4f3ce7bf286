package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// maxString bounds strings read from a caller: PATH_MAX for paths, a page
// for mount data (what the kernel itself copies).
const maxString = 4096

// memory reads a trapped process's memory through /proc/PID/mem.
type memory struct{ f *os.File }

func openMemory(pid int) (*memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return nil, fmt.Errorf("open caller memory: %w", err)
	}
	return &memory{f: f}, nil
}

func (m *memory) Close() error { return m.f.Close() }

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
