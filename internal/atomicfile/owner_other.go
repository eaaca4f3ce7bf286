//go:build !linux

package atomicfile

import (
	"io/fs"
	"os"
)

// copyOwner keeps the owner only on Linux; elsewhere it does nothing.
func copyOwner(*os.File, fs.FileInfo) error { return nil }
