package rootfs

import (
	"path"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// DataDir is a host-backed directory mounted over a container path where an
// inner engine keeps its data (/var/lib/docker): an overlay cannot have its
// upper layer on another overlay, which the container's root is. The
// directory holds the container's files as the container's root sees them
// on disk (uid 0 is 0) and is bound idmapped to its range, like the root's
// own layers, so it stays right when the container gets another range after
// a stop and start.
type DataDir struct {
	// Path is where the container sees it (cleaned, absolute).
	Path string `json:"path"`
	// Host is the directory on the host.
	Host string `json:"host"`
	// WithEngine is set when Host lies in the engine's own per-container
	// layer directory: the engine removes it with the container, and it
	// survives stop/start and restart. Otherwise Host lies in the
	// container's state directory and goes when the container is deleted.
	WithEngine bool `json:"withEngine,omitempty"`
}

// dataDirsSub is where, below the engine's layer directory or the state
// directory, the data directories live: <base>/sysbox-lite/data/var/lib/docker.
const dataDirsSub = "sysbox-lite/data"

// DataDirPaths returns the configured paths that apply to a container with
// these spec mounts: a path is skipped when a spec mount is at it, above it
// (a volume at /var) or below it (a volume at /var/lib/docker/volumes): the
// user's own mount decides what is there.
func DataDirPaths(paths []string, mounts []specs.Mount) (use, skipped []string) {
	for _, p := range paths {
		p = path.Clean("/" + p)
		clash := false
		for _, m := range mounts {
			d := path.Clean("/" + m.Destination)
			if d != "/" && (covers(d, p) || covers(p, d)) {
				clash = true
				break
			}
		}
		if clash {
			skipped = append(skipped, p)
		} else {
			use = append(use, p)
		}
	}
	return use, skipped
}

// engineLayerDir returns the engine's per-container layer directory when
// the root is dockerd's overlay2 layout (<home>/<id>/merged, with upperdir
// <home>/<id>/diff): dockerd removes that directory with the container and
// keeps it across stop/start. "" otherwise (containerd's snapshots keep the
// upper layer apart from the mountpoint).
func engineLayerDir(mountpoint, upper string) string {
	if upper == "" || filepath.Base(mountpoint) != "merged" {
		return ""
	}
	dir := filepath.Dir(mountpoint)
	if filepath.Dir(filepath.Clean(upper)) != dir || dir == "/" {
		return ""
	}
	return dir
}

// dataDirHost is where the data directory for container path p lives below
// base (the engine's layer directory or the state directory).
func dataDirHost(base, p string) string {
	return filepath.Join(base, dataDirsSub, filepath.Clean("/"+p))
}
