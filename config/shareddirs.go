package config

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// SharedDirs is the [shared_dirs] table: who a container acts as on a bind
// mount of a host directory (package confine, SharedDirs).
//
//	[shared_dirs]
//	identity = "owner"          # "owner", "nobody", or "UID:GID" of a host user
//	root_paths = ["/srv/cache"]  # trusted paths where the container's root is host root, as under runc
//
// "owner": the directory's owner (its uid, and its gid unless that is 0:
// then the owner's primary group from /etc/passwd, or nogroup); a
// directory owned by host root gives "nobody" instead. The engine's own
// per-container storage (named volumes, /etc/hosts, /dev/shm, secrets, the
// data directories, kubelet's pod volumes) is the container's and keeps its
// range's mapping.
type SharedDirs struct {
	Identity  string   `toml:"identity"`
	RootPaths []string `toml:"root_paths"`
}

// Identity kinds of [shared_dirs] identity.
const (
	IdentityOwner  = "owner"
	IdentityNobody = "nobody"
)

// NobodyID is the host's nobody and nogroup.
const NobodyID = 65534

// DefaultSharedDirs acts as each directory's owner, with no root paths.
func DefaultSharedDirs() SharedDirs { return SharedDirs{Identity: IdentityOwner} }

// FixedUser returns the host user that identity names ("UID:GID"); ok is
// false for "owner" and "nobody".
func (s SharedDirs) FixedUser() (uid, gid uint32, ok bool, err error) {
	if s.Identity == IdentityOwner || s.Identity == IdentityNobody {
		return 0, 0, false, nil
	}
	u, g, found := strings.Cut(s.Identity, ":")
	if !found {
		return 0, 0, false, fmt.Errorf("shared_dirs.identity %q: want %q, %q or UID:GID", s.Identity, IdentityOwner, IdentityNobody)
	}
	uv, uerr := strconv.ParseUint(u, 10, 32)
	gv, gerr := strconv.ParseUint(g, 10, 32)
	if uerr != nil || gerr != nil {
		return 0, 0, false, fmt.Errorf("shared_dirs.identity %q: UID and GID must be numbers", s.Identity)
	}
	if uv == 0 || gv == 0 {
		return 0, 0, false, fmt.Errorf("shared_dirs.identity %q: host root is never a shared directory's identity (name the paths in shared_dirs.root_paths instead)", s.Identity)
	}
	return uint32(uv), uint32(gv), true, nil
}

// Validate checks the identity and that root_paths are clean absolute paths
// other than "/".
func (s SharedDirs) Validate() error {
	if _, _, _, err := s.FixedUser(); err != nil {
		return err
	}
	for _, p := range s.RootPaths {
		if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
			return fmt.Errorf("shared_dirs.root_paths: %q must be a clean absolute path", p)
		}
		if p == "/" {
			return fmt.Errorf("shared_dirs.root_paths: \"/\" would make every host directory root's")
		}
	}
	return nil
}
