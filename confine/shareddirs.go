package confine

import (
	"fmt"
	"os/user"
	"path"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/audit"
	"github.com/sysbox-lite/sysbox-lite/config"
)

// Shared host directories. A bind mount of a host directory is where the
// container meets the host's own files; its root must act there as no more
// than the directory's owner (or the user the host policy names), never as
// host root or as any other host user. The mount is idmapped so that one
// container user (the spec's process user: root, or 1000 for -u 1000)
// is that host identity and no other container ID is mapped at all:
//   - files of other host users show as the overflow ID inside, and the
//     container's capabilities do not apply to them (the kernel grants
//     CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN only over inodes whose owner
//     is mapped), so their permission bits for "other" are all it has;
//   - what the container creates is owned by the identity on the host, and
//     it cannot chown anything to another ID (unmapped: EOVERFLOW/EINVAL),
//     so a setuid bit it sets can only ever be the identity's own;
//   - other container users cannot create files there at all.
//
// The engine's per-container storage is the container's own, not a host
// user's, and keeps the range's mapping (disk ID n is container ID n):
// docker's per-container files and named volumes, CRI's sandbox files,
// kubelet's pod directories (emptyDir, configMap, secret, projected),
// sysbox-lite's own state, and the data directories (package rootfs). A
// volume whose directory is a bind mount of some other host directory (a
// volume driver's o=bind, kubelet's subPath of a hostPath) is a shared
// directory again. Paths of [shared_dirs] root_paths keep the range's
// mapping too: the container's root is host root there, as under runc.

// ShareKind says which mapping a bind mount gets.
type ShareKind int

const (
	// ShareContainer: the container's own storage, the range's mapping.
	ShareContainer ShareKind = iota
	// ShareRoot: an allow-listed root path, the range's mapping.
	ShareRoot
	// ShareUser: a shared host directory; the spec's process user acts as
	// host UID:GID there and no other container ID is mapped.
	ShareUser
)

// Share is the decision for one mount of a spec.
type Share struct {
	Kind     ShareKind
	UID, GID uint32 // the host identity, for ShareUser
	// Groups are the identity's other host groups (/etc/group): mapped
	// too, so that its own files of those groups stay writable (the kernel
	// refuses writes to an inode whose group it cannot map), and within
	// its rights (it is a member).
	Groups []uint32
}

// AnnotationSharedIdentity narrows [shared_dirs] identity for a container:
// "owner" or "nobody" (more narrow than owner, root or a fixed user).
const AnnotationSharedIdentity = "io.sysbox-lite.shared-identity"

// kubeletPods is where kubelet keeps each pod's volumes and files.
const kubeletPods = "/var/lib/kubelet/pods"

// SharedDirs decides the identity of every bind mount of a spec.
type SharedDirs struct {
	paths    HostPaths
	cfg      config.SharedDirs
	stateDir string
	sink     audit.Sink
	// groups are a host user's primary group (/etc/passwd) and other
	// groups (/etc/group).
	groups func(uid uint32) (primary uint32, others []uint32, ok bool)
}

// NewSharedDirs returns the decider for a host configuration; host answers
// what the paths are (as for NewHostPaths).
func NewSharedDirs(cfg config.Config, sink audit.Sink, host Host) SharedDirs {
	return SharedDirs{
		paths:    NewHostPaths(cfg, sink, host.Resolve).WithHost(host),
		cfg:      cfg.SharedDirs,
		stateDir: path.Clean(cfg.StateDir),
		sink:     sink,
		groups:   hostGroups,
	}
}

// WithGroups replaces the /etc/passwd and /etc/group lookup (tests).
func (s SharedDirs) WithGroups(f func(uint32) (uint32, []uint32, bool)) SharedDirs {
	s.groups = f
	return s
}

func hostGroups(uid uint32) (uint32, []uint32, bool) {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return 0, nil, false
	}
	primary, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return 0, nil, false
	}
	ids, _ := u.GroupIds()
	var others []uint32
	for _, id := range ids {
		if g, err := strconv.ParseUint(id, 10, 32); err == nil && g != primary {
			others = append(others, uint32(g))
		}
	}
	return uint32(primary), others, true
}

// withGroups adds the identity's other groups, never root's.
func (s SharedDirs) withGroups(sh Share) Share {
	if _, others, ok := s.groups(sh.UID); ok {
		for _, g := range others {
			if g != 0 && g != sh.GID {
				sh.Groups = append(sh.Groups, g)
			}
		}
	}
	return sh
}

// Decide returns one Share per mount of spec.Mounts (ShareContainer for
// what is not a bind), and records each shared directory's identity in
// the audit log. It refuses an annotation that asks for more than the
// policy gives.
func (s SharedDirs) Decide(spec *specs.Spec) ([]Share, error) {
	narrow, err := s.narrowing(spec)
	if err != nil {
		return nil, err
	}
	r := s.paths.resolveAll(spec)
	var table mountTable
	loaded := false
	out := make([]Share, len(spec.Mounts))
	for i, m := range spec.Mounts {
		if !isBind(m) || !path.IsAbs(m.Source) {
			continue
		}
		src, err := s.paths.resolve(m.Source)
		if err != nil {
			continue // the host-paths rule refused it already
		}
		if !loaded {
			if table, err = s.paths.mounts(); err != nil {
				return nil, fmt.Errorf("shared directories: read the host's mount table: %w", err)
			}
			loaded = true
		}
		if s.containerStorage(r, table, src) {
			continue
		}
		sh, why, err := s.identity(src, narrow)
		if err != nil {
			return nil, err
		}
		out[i] = sh
		s.sink.Record(audit.Event{Asked: "bind mount of " + src + " at " + m.Destination, Rule: audit.RuleSharedDirs, Verdict: audit.Mapped, Reason: why})
	}
	return out, nil
}

// narrowing reads the annotation: "" (none), owner or nobody.
func (s SharedDirs) narrowing(spec *specs.Spec) (string, error) {
	v, ok := spec.Annotations[AnnotationSharedIdentity]
	if !ok {
		return "", nil
	}
	v = strings.TrimSpace(v)
	asked := "annotation " + AnnotationSharedIdentity + "=" + v
	switch v {
	case config.IdentityNobody:
		return v, nil
	case config.IdentityOwner:
		if s.cfg.Identity == config.IdentityOwner {
			return v, nil
		}
		return "", refuse(s.sink, audit.RuleSharedDirs, asked, "the annotation %s=owner asks for more than the host policy's shared_dirs.identity %q", AnnotationSharedIdentity, s.cfg.Identity)
	}
	return "", refuse(s.sink, audit.RuleSharedDirs, asked, "the annotation %s=%q is not one of %q, %q (it can only narrow the host policy)", AnnotationSharedIdentity, v, config.IdentityOwner, config.IdentityNobody)
}

// containerStorage: src is the container's own storage, not a host user's.
func (s SharedDirs) containerStorage(r resolved, table mountTable, src string) bool {
	var roots []string
	switch {
	case within(src, s.stateDir):
		return true // sysbox-lite's own (emulated files, data directories)
	case within(src, kubeletPods):
		roots = []string{kubeletPods}
	default:
		if !r.engineFile(src).trusted {
			return false
		}
		roots = r.roots
	}
	// A directory of a host filesystem bound in below the engine's root
	// (a volume driver's o=bind, a subPath) is that directory, shared.
	m, ok := table.at(src)
	if !ok || m.Root == "/" {
		return true // on the root's own filesystem, or a fresh one (tmpfs)
	}
	for _, root := range roots {
		if within(m.MountPoint, root) && m.MountPoint != root {
			return false
		}
	}
	return true
}

// identity decides who the container acts as on the shared directory src.
func (s SharedDirs) identity(src, narrow string) (Share, string, error) {
	nobody := Share{Kind: ShareUser, UID: config.NobodyID, GID: config.NobodyID}
	if narrow == config.IdentityNobody {
		return nobody, "acts as host nobody (65534:65534): the container's annotation " + AnnotationSharedIdentity + " asks for it", nil
	}
	if narrow == "" {
		for _, p := range s.cfg.RootPaths {
			for _, q := range s.paths.both(p) {
				if within(src, q) {
					return Share{Kind: ShareRoot}, "the container's root is host root there: " + q + " is in shared_dirs.root_paths", nil
				}
			}
		}
	}
	if uid, gid, ok, _ := s.cfg.FixedUser(); ok {
		sh := s.withGroups(Share{Kind: ShareUser, UID: uid, GID: gid})
		return sh, fmt.Sprintf("acts as host %d:%d%s (shared_dirs.identity)", uid, gid, groupsNote(sh.Groups)), nil
	}
	if s.cfg.Identity == config.IdentityNobody {
		return nobody, "acts as host nobody (65534:65534): shared_dirs.identity is nobody", nil
	}
	info, err := s.paths.inspect(src)
	if err != nil {
		return Share{}, "", refuse(s.sink, audit.RuleSharedDirs, "bind mount of "+src, "bind mount of %s is refused: cannot find its owner: %v", src, err)
	}
	if !info.Exists {
		return Share{}, "", refuse(s.sink, audit.RuleSharedDirs, "bind mount of "+src, "bind mount of %s is refused: it does not exist on the host", src)
	}
	if info.UID == 0 {
		return nobody, "acts as host nobody (65534:65534): the directory is owned by host root, whose rights a container never gets on a shared directory", nil
	}
	gid, why := info.GID, ""
	if gid == 0 {
		gid = config.NobodyID
		if g, _, ok := s.groups(info.UID); ok && g != 0 {
			gid = g
		}
		why = fmt.Sprintf(" (group %d: the directory's group is root's)", gid)
	}
	sh := s.withGroups(Share{Kind: ShareUser, UID: info.UID, GID: gid})
	return sh, fmt.Sprintf("acts as host %d:%d%s, the owner of %s%s", info.UID, gid, groupsNote(sh.Groups), src, why), nil
}

func groupsNote(groups []uint32) string {
	if len(groups) == 0 {
		return ""
	}
	return fmt.Sprintf(" (and its groups %v)", groups)
}
