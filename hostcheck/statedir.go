package hostcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// StateDirAccess checks that the state directory and every directory above
// it can be traversed by anyone (o+x): the engine works on a container's
// root under it from inside the container's user namespace, as an
// unprivileged host user. dir need not exist (create makes it, 0711).
func StateDirAccess(dir string) Result {
	const name = "state_dir access"
	var closed []string
	checked := ""
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		switch {
		case err == nil && !st.IsDir():
			return missing(name, p+" is not a directory", "set state_dir in the config to a directory")
		case err == nil:
			if checked == "" {
				checked = p
			}
			if st.Mode().Perm()&0o001 == 0 {
				closed = append(closed, fmt.Sprintf("%s (%04o)", p, st.Mode().Perm()))
			}
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ENOTDIR):
			return warn(name, err.Error(), "check that root can stat "+p)
		}
		if p == "/" {
			break
		}
	}
	if len(closed) > 0 {
		dirs := make([]string, len(closed))
		for i, c := range closed {
			dirs[i], _, _ = strings.Cut(c, " ")
		}
		return missing(name, "not traversable by other users: "+strings.Join(closed, ", "),
			"chmod o+x "+strings.Join(dirs, " "))
	}
	found := dir + " and every directory above it are traversable (o+x)"
	if checked != filepath.Clean(dir) {
		found = dir + " does not exist yet (create makes it 0711); every directory above it is traversable (o+x)"
	}
	return ok(name, found)
}
