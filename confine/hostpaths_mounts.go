package confine

import (
	"fmt"
	"path"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/internal/overlayopt"
)

// Seeing through mounts. A bind source's path is not all it is: a volume
// driver can mount any host directory at a volume's _data (docker's local
// driver: type=none,o=bind,device=/etc; or a block device of the host's own
// disks, or an overlay over host directories), an administrator can have
// bound /etc under /srv, and a recursive bind copies every mount below its
// source. The mount table says which filesystem, and which directory of it,
// is mounted where; so a source on a mount is also known by its canonical
// path: the same directory through the first mount of that filesystem in
// the table that shows it (the one made first: the host's own / or /run,
// not a volume, a bind or a container's copy mounted since). That path is
// checked by name like the source itself.
//
// Limits: the table is read once, before the engine mounts (like symlinks,
// a mount made between the check and the mount is not seen); an overlay is
// looked through only at a volume's _data (elsewhere, a host whose / is an
// overlay would make every path an overlay's).

// mountTable is the host's mount table.
type mountTable []Mount

// at is the mount p is on: the deepest mount point above p (of several at
// the same point, the last, which is on top).
func (t mountTable) at(p string) (Mount, bool) {
	best, found := Mount{}, false
	for _, m := range t {
		if within(p, m.MountPoint) && (!found || len(m.MountPoint) >= len(best.MountPoint)) {
			best, found = m, true
		}
	}
	return best, found
}

// canonical is the path at which the directory fsPath of m's filesystem
// is mounted first: through the first mount in the table of that
// filesystem whose root is, or is above, fsPath (m itself if no other).
func (t mountTable) canonical(m Mount, fsPath string) string {
	for _, f := range t {
		if f.Dev == m.Dev && within(fsPath, f.Root) {
			return path.Join(f.MountPoint, strings.TrimPrefix(fsPath, f.Root))
		}
	}
	return path.Join(m.MountPoint, strings.TrimPrefix(fsPath, m.Root))
}

// fsPath is the directory of m's filesystem that p (on m) is.
func fsPath(m Mount, p string) string {
	return path.Join(m.Root, strings.TrimPrefix(p, m.MountPoint))
}

// overlayDirs are the directories an overlay mount is made of, as its
// options name them ("lowerdir", "upperdir", ...).
func overlayDirs(options string) [][2]string {
	var out [][2]string
	for _, o := range overlayopt.Split(options, ',') {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			continue
		}
		switch k {
		case "lowerdir", "lowerdir+", "datadir+":
			for _, d := range overlayopt.Split(v, ':') {
				if d != "" {
					out = append(out, [2]string{k, overlayopt.Unescape(d)})
				}
			}
		case "upperdir", "workdir":
			out = append(out, [2]string{k, overlayopt.Unescape(v)})
		}
	}
	return out
}

// isVolumeData reports whether p is a volume's _data directory itself.
func isVolumeData(p string) bool {
	m := volumeShape.FindStringSubmatch(p)
	return m != nil && m[3] == ""
}

// sensitiveAlias says how a path that a source also is (through a mount)
// is sensitive: "" when it is not (or allowed, or one of the engines'
// files).
func (r resolved) sensitiveAlias(a string, allowed []string) string {
	for _, ok := range allowed {
		if within(a, ok) {
			return ""
		}
	}
	if r.engineFile(a).match {
		return ""
	}
	s, bad := r.find(a)
	switch {
	case !bad:
		return ""
	case a == s.path:
		return s.what
	case within(a, s.path):
		return fmt.Sprintf("inside %s, %s", s.path, s.what)
	default:
		return fmt.Sprintf("which contains %s, %s", s.path, s.what)
	}
}

// overlayReason says why an overlay mount at a volume's _data is refused:
// a directory it is made of is sensitive, or cannot be told (relative).
func (r resolved) overlayReason(m Mount, allowed []string) string {
	for _, d := range overlayDirs(m.Options) {
		key, dir := d[0], d[1]
		if !path.IsAbs(dir) {
			return fmt.Sprintf("an overlay mount whose %s %s is not an absolute path (what it is over cannot be told)", key, dir)
		}
		if why := r.sensitiveAlias(path.Clean(dir), allowed); why != "" {
			return fmt.Sprintf("an overlay mount over %s (%s), %s", path.Clean(dir), key, why)
		}
	}
	return ""
}

// throughMounts says why the bind of src is refused for what its mounts
// are (see above), or "". recursive: the bind copies the mounts below src.
func (r resolved) throughMounts(t mountTable, src string, recursive bool, allowed []string) string {
	if e, ok := t.at(src); ok {
		if a := t.canonical(e, fsPath(e, src)); a != src {
			if why := r.sensitiveAlias(a, allowed); why != "" {
				return fmt.Sprintf("it is %s through a mount, %s", a, why)
			}
		}
		if e.FSType == "overlay" && isVolumeData(e.MountPoint) {
			if why := r.overlayReason(e, allowed); why != "" {
				if e.MountPoint == src {
					return "it is " + why
				}
				return fmt.Sprintf("it is inside %s, %s", e.MountPoint, why)
			}
		}
	}
	if !recursive {
		return ""
	}
	for _, g := range t {
		if g.MountPoint == src || !within(g.MountPoint, src) {
			continue
		}
		if a := t.canonical(g, g.Root); a != g.MountPoint {
			if why := r.sensitiveAlias(a, allowed); why != "" {
				return fmt.Sprintf("it contains %s, which is %s through a mount, %s", g.MountPoint, a, why)
			}
		}
		if g.FSType == "overlay" && isVolumeData(g.MountPoint) {
			if why := r.overlayReason(g, allowed); why != "" {
				return fmt.Sprintf("it contains %s, %s", g.MountPoint, why)
			}
		}
	}
	return ""
}
