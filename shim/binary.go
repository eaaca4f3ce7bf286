package shim

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// RuntimeName is the runtime's name in containerd (ctr run --runtime, CRI
// runtime_type); containerd turns it into this shim's binary name.
const RuntimeName = "io.containerd.sysbox-lite.v2"

// BinaryName is the file name of sysbox-lite, looked up next to the shim
// binary first, then in PATH.
const BinaryName = "sysbox-lite"

// FindBinary returns the absolute path of the sysbox-lite binary: the file
// next to the shim executable self (so `make install` puts both in one
// directory and containerd's PATH does not matter), else the first
// sysbox-lite in PATH.
func FindBinary(self string) (string, error) {
	if self != "" {
		next := filepath.Join(filepath.Dir(self), BinaryName)
		if isExecutable(next) {
			return next, nil
		}
	}
	p, err := exec.LookPath(BinaryName)
	if err != nil {
		return "", fmt.Errorf("find %s next to %s or in PATH: %w", BinaryName, self, err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", BinaryName, err)
	}
	return abs, nil
}

// isExecutable reports whether path is a regular file (after symlinks)
// with an execute bit.
func isExecutable(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	return st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// errNoBinary is returned by Create when no sysbox-lite binary was found
// and the caller named none.
var errNoBinary = errors.New("no sysbox-lite binary")
