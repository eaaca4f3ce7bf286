package seccomp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCallerString reads a string argument, as copyCall does from
// /proc/PID/mem, out of a file holding the fuzzer's bytes: no panic, never
// a NUL in the result or more than maxString bytes, and an error exactly
// when there is no NUL within maxString bytes of the address.
// The seeds are in testdata/fuzz/FuzzCallerString.
func FuzzCallerString(f *testing.F) {
	// One file per worker, rewritten for each input: the caller's memory.
	file, err := os.Create(filepath.Join(f.TempDir(), "mem"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { file.Close() })
	f.Fuzz(func(t *testing.T, data []byte, addr uint64) {
		if err := file.Truncate(0); err != nil {
			t.Fatal(err)
		}
		if _, err := file.WriteAt(data, 0); err != nil {
			t.Fatal(err)
		}
		m := &memory{f: file}

		s, ok, err := m.String(addr)
		if addr == 0 {
			if ok || err != nil || s != "" {
				t.Fatalf("NULL: %q %v %v", s, ok, err)
			}
			return
		}
		if !ok {
			t.Fatalf("addr %#x: ok false for a non-NULL pointer", addr)
		}
		if strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("addr %#x: %q contains NUL", addr, s)
		}
		if len(s) > maxString {
			t.Fatalf("addr %#x: %d bytes", addr, len(s))
		}
		// What the caller's memory holds at addr, up to maxString bytes.
		var window []byte
		if addr < uint64(len(data)) {
			window = data[addr:]
			if len(window) > maxString {
				window = window[:maxString]
			}
		}
		end := bytes.IndexByte(window, 0)
		if end < 0 {
			if err == nil {
				t.Fatalf("addr %#x: unterminated input %q read as %q without error", addr, window, s)
			}
			if s != "" {
				t.Fatalf("addr %#x: %q alongside error %v", addr, s, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("addr %#x: terminated string %q: %v", addr, window[:end], err)
		}
		if s != string(window[:end]) {
			t.Fatalf("addr %#x: read %q, want %q", addr, s, window[:end])
		}
	})
}
