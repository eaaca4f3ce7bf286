package hostcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Location is a directory whose file system sysbox-lite mounts from: its
// state_dir, an engine's data root. It need not exist yet (dockerd makes
// its data root when it first starts); then the probes look at the nearest
// directory above it that does, on whose file system it will be made.
type Location struct {
	// Label says what the directory is ("state_dir", "docker data-root").
	Label string
	// Dir is the configured path.
	Dir string
	// Source says where Dir came from ("default", "/etc/docker/daemon.json").
	Source string
	// Setting is what moves it ("state_dir in /etc/sysbox-lite/config.toml").
	Setting string
	// Probed is Dir, or its nearest existing ancestor.
	Probed string
	// FSType and Mountpoint are Probed's file system and its mount point.
	FSType, Mountpoint string
}

// Describe is how result lines name the location: the path, where it came
// from, what was probed, and the file system.
func (l Location) Describe() string {
	var b strings.Builder
	b.WriteString(l.Dir)
	if l.Source != "" {
		b.WriteString(" (" + l.Source + ")")
	}
	if l.Probed != l.Dir {
		b.WriteString(", absent: probed " + l.Probed)
	}
	if l.FSType != "" {
		fmt.Fprintf(&b, " on %s (%s)", l.Mountpoint, l.FSType)
	}
	return b.String()
}

// ResolveLocation finds what to probe for dir, and its file system among
// mounts (this process's mountinfo).
func ResolveLocation(label, dir, source, setting string, mounts []*mountinfo.Info) (Location, error) {
	l := Location{Label: label, Dir: dir, Source: source, Setting: setting}
	if !filepath.IsAbs(dir) {
		return l, fmt.Errorf("%s %q is not an absolute path", label, dir)
	}
	probed, err := nearestExisting(filepath.Clean(dir))
	if err != nil {
		return l, fmt.Errorf("%s %s: %w", label, dir, err)
	}
	l.Probed = probed
	var st unix.Stat_t
	if err := unix.Stat(probed, &st); err != nil {
		return l, fmt.Errorf("stat %s: %w", probed, err)
	}
	real, err := filepath.EvalSymlinks(probed)
	if err != nil {
		return l, fmt.Errorf("resolve %s: %w", probed, err)
	}
	if m := mountOf(real, uint64(st.Dev), mounts); m != nil {
		l.FSType, l.Mountpoint = m.FSType, m.Mountpoint
	}
	return l, nil
}

// nearestExisting returns dir if it is a directory, else the closest
// ancestor that exists (an existing non-directory is an error).
func nearestExisting(dir string) (string, error) {
	for p := dir; ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		switch {
		case err == nil && st.IsDir():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("%s exists and is not a directory", p)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.ENOTDIR):
			return "", err
		}
		if p == "/" {
			return "", errors.New("no directory of the path exists")
		}
	}
}

// mountOf returns the mount that holds path (symlink-free) on device dev:
// among the mounts of that device, the deepest mount point above path.
func mountOf(path string, dev uint64, mounts []*mountinfo.Info) *mountinfo.Info {
	var best *mountinfo.Info
	for _, m := range mounts {
		if uint64(unix.Mkdev(uint32(m.Major), uint32(m.Minor))) != dev || !isUnder(path, m.Mountpoint) {
			continue
		}
		if best == nil || len(m.Mountpoint) >= len(best.Mountpoint) {
			best = m // later mounts over the same point hide earlier ones
		}
	}
	return best
}

func isUnder(path, dir string) bool {
	return dir == "/" || path == dir || strings.HasPrefix(path, dir+"/")
}
