package hostcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// ConfigFile is a daemon's configuration file as read.
type ConfigFile struct {
	Path    string
	Data    []byte
	Exists  bool
	ReadErr error
}

// ReadConfigFile reads path; a missing file is not an error.
func ReadConfigFile(path string) ConfigFile {
	c := ConfigFile{Path: path}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		c.ReadErr = err
	default:
		c.Data, c.Exists = data, true
	}
	return c
}

// binaryDirs are searched after PATH, as for the engine: daemons and
// sysbox-lite often live in sbin directories a user's PATH lacks.
var binaryDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// FindBinary returns the path of the executable name (a path or a name in
// PATH or binaryDirs), or "".
func FindBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if filepath.Base(name) != name {
		return ""
	}
	for _, d := range binaryDirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// executable says why path cannot be run by a daemon, or "".
func executable(path string) string {
	if path == "" {
		return "no path is set"
	}
	if !filepath.IsAbs(path) {
		if FindBinary(path) == "" {
			return fmt.Sprintf("%s is not in PATH", path)
		}
		return ""
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return err.Error()
	case !st.Mode().IsRegular():
		return path + " is not a regular file"
	case st.Mode()&0o111 == 0:
		return path + " is not executable"
	}
	return ""
}
