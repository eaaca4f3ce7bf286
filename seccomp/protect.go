package seccomp

import (
	"fmt"
	"strings"
	"sync"

	"github.com/moby/sys/mountinfo"
)

// Identity names what a mount shows, whatever namespace or mountpoint it
// sits at: the filesystem (device number and type) and the directory of it
// that is the mount's root. Every copy of a mount (`unshare -m`, a bind)
// has the identity of the original.
type Identity struct {
	Major, Minor int
	Root         string
	FSType       string
}

func (i Identity) String() string {
	return fmt.Sprintf("%s %d:%d %s", i.FSType, i.Major, i.Minor, i.Root)
}

// IdentityOf returns a mount's identity.
func IdentityOf(m *mountinfo.Info) Identity {
	return Identity{Major: m.Major, Minor: m.Minor, Root: m.Root, FSType: m.FSType}
}

// Protection is what a container may not undo. It is shared by every
// notify loop of a container and guarded by its own lock.
type Protection struct {
	mu sync.Mutex
	// protected are the identities of the mounts the container started
	// with: no copy of them may be unmounted (unless the container made
	// that copy itself with a bind) or lose ro/nosuid/nodev/noexec.
	protected map[Identity]bool
	// masks hide or narrow something (masked and read-only paths): not even
	// a copy the container made may be unmounted or moved on its own, since
	// that would reveal what it covers.
	masks map[Identity]bool
	// owned are the IDs of mounts made through the supervisor.
	owned map[int]bool
}

// NewProtection protects the mounts of a container's initial mount table,
// except its root (the engine's bind of the root, which sits on the
// kernel-locked root sysbox-lite assembled). maskPaths are the spec's masked
// and read-only paths.
func NewProtection(initial []*mountinfo.Info, maskPaths []string) *Protection {
	p := &Protection{protected: map[Identity]bool{}, masks: map[Identity]bool{}, owned: map[int]bool{}}
	isMask := map[string]bool{}
	for _, m := range maskPaths {
		isMask[m] = true
	}
	for _, m := range initial {
		if m.Mountpoint == "/" {
			continue
		}
		id := IdentityOf(m)
		p.protected[id] = true
		if isMask[m.Mountpoint] {
			p.masks[id] = true
		}
	}
	return p
}

// Snapshot is a copy of the protection, as handed to a helper.
type Snapshot struct {
	Protected []Identity `json:"protected"`
	Masks     []Identity `json:"masks"`
	Owned     []int      `json:"owned"`
}

// Snapshot copies the current protection.
func (p *Protection) Snapshot() Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s Snapshot
	for id := range p.protected {
		s.Protected = append(s.Protected, id)
	}
	for id := range p.masks {
		s.Masks = append(s.Masks, id)
	}
	for id := range p.owned {
		s.Owned = append(s.Owned, id)
	}
	return s
}

// Update records what a helper did: mounts the container now owns and new
// masks (made over a new procfs or sysfs), which are protected too.
func (p *Protection) Update(owned []int, masks []Identity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range owned {
		p.owned[id] = true
	}
	for _, m := range masks {
		p.masks[m] = true
		p.protected[m] = true
	}
}

// Forget drops owned mount IDs that are gone (IDs are reused once free).
func (p *Protection) Forget(ids []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		delete(p.owned, id)
	}
}

// Rules answers the questions of one decision from a snapshot.
type Rules struct {
	protected, masks map[Identity]bool
	owned            map[int]bool
}

// Rules returns the decision rules for a snapshot.
func (s Snapshot) Rules() Rules {
	r := Rules{protected: map[Identity]bool{}, masks: map[Identity]bool{}, owned: map[int]bool{}}
	for _, id := range s.Protected {
		r.protected[id] = true
	}
	for _, id := range s.Masks {
		r.masks[id] = true
	}
	for _, id := range s.Owned {
		r.owned[id] = true
	}
	return r
}

// Rules of the live protection.
func (p *Protection) Rules() Rules { return p.Snapshot().Rules() }

// CanDetach says whether m may be unmounted or moved away on its own;
// mounts is the table m is in.
func (r Rules) CanDetach(m *mountinfo.Info, mounts []*mountinfo.Info) error {
	id := IdentityOf(m)
	switch {
	case r.masks[id] && (!r.owned[m.ID] || onProcOrSys(m, mounts)):
		return fmt.Errorf("%s is a masked or read-only path of the container", m.Mountpoint)
	case r.protected[id] && !r.owned[m.ID]:
		return fmt.Errorf("%s was mounted when the container started", m.Mountpoint)
	}
	return nil
}

// onProcOrSys reports whether m covers a path of a procfs or sysfs: only
// there does a mask hide something. (A mask is known by its identity, and
// the container's own bind of /dev/null elsewhere is the same file as the
// /proc masks: that one it may remove.)
func onProcOrSys(m *mountinfo.Info, mounts []*mountinfo.Info) bool {
	for _, p := range mounts {
		if p.ID == m.Parent {
			return p.FSType == "proc" || p.FSType == "sysfs"
		}
	}
	return true // parent unknown: assume the worst
}

// Restrictions are the per-mount flags a protected mount may not lose.
type Restrictions struct{ ReadOnly, NoSuid, NoDev, NoExec bool }

// RestrictionsOf reads them from a mount's per-mount options.
func RestrictionsOf(m *mountinfo.Info) Restrictions {
	var r Restrictions
	for _, o := range strings.Split(m.Options, ",") {
		switch o {
		case "ro":
			r.ReadOnly = true
		case "nosuid":
			r.NoSuid = true
		case "nodev":
			r.NoDev = true
		case "noexec":
			r.NoExec = true
		}
	}
	return r
}

// CanReconfigure says whether m may be remounted so that it ends with the
// restrictions in want: a protected mount (or a copy of it) may gain
// restrictions but never lose one, as the kernel does for locked mounts.
func (r Rules) CanReconfigure(m *mountinfo.Info, want Restrictions) error {
	if !r.protected[IdentityOf(m)] {
		return nil
	}
	have := RestrictionsOf(m)
	var lost []string
	if have.ReadOnly && !want.ReadOnly {
		lost = append(lost, "ro")
	}
	if have.NoSuid && !want.NoSuid {
		lost = append(lost, "nosuid")
	}
	if have.NoDev && !want.NoDev {
		lost = append(lost, "nodev")
	}
	if have.NoExec && !want.NoExec {
		lost = append(lost, "noexec")
	}
	if len(lost) > 0 {
		return fmt.Errorf("%s was mounted when the container started and may not lose %s", m.Mountpoint, strings.Join(lost, ","))
	}
	return nil
}

// HidesBelow reports whether a mask, or a mount the container may not
// remove, sits at or below path inside the tree of the mount src, among
// mounts (one mount table): a non-recursive bind would show what the mask
// hides (and the kernel refuses one over its locked mounts, EINVAL), so
// such binds are made recursive.
func (r Rules) HidesBelow(src *mountinfo.Info, path string, mounts []*mountinfo.Info) bool {
	children := map[int][]*mountinfo.Info{}
	for _, m := range mounts {
		children[m.Parent] = append(children[m.Parent], m)
	}
	var walk func(id int) bool
	walk = func(id int) bool {
		for _, c := range children[id] {
			if c.ID == id {
				continue
			}
			if (c.Mountpoint == path || strings.HasPrefix(c.Mountpoint, strings.TrimSuffix(path, "/")+"/")) &&
				(r.masks[IdentityOf(c)] || (r.protected[IdentityOf(c)] && !r.owned[c.ID]) || walk(c.ID)) {
				return true
			}
		}
		return false
	}
	return walk(src.ID)
}
