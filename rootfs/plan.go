package rootfs

import (
	"fmt"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// Kind says how a spec mount is handled.
type Kind int

const (
	// Keep leaves the mount in the spec: the engine makes it inside the
	// container's namespaces (proc, sysfs, devpts, mqueue, cgroup, and
	// anything under them).
	Keep Kind = iota
	// Bind is pre-mounted on the host as an idmapped bind.
	Bind
	// Tmpfs is pre-mounted on the host as a tmpfs owned by the container's root.
	Tmpfs
)

// Item is one spec mount and its handling.
type Item struct {
	Mount       specs.Mount
	Destination string // cleaned, absolute
	Kind        Kind
	Options     MountOptions
	// dataDir marks a data directory's bind (see DataDir): idmapped or
	// not at all.
	dataDir bool
	// Idmap, for a Bind, replaces the range's mapping (a shared host
	// directory: see confine.SharedDirs).
	Idmap *userns.Idmap
}

// Plan says which mounts sysbox-lite makes on the host and which the engine
// keeps making.
type Plan struct {
	Items []Item
}

// NewPlan classifies a spec's mounts. A bind or tmpfs mount is pre-mounted
// unless a mount the engine keeps would cover it (its destination is at or
// above the candidate's), since that mount would hide ours.
func NewPlan(mounts []specs.Mount) (Plan, error) {
	items := make([]Item, len(mounts))
	for i, m := range mounts {
		if m.Destination == "" {
			return Plan{}, fmt.Errorf("mount %d (%s) has no destination", i, m.Source)
		}
		opts, err := ParseOptions(m.Options)
		if err != nil {
			return Plan{}, fmt.Errorf("mount %s: %w", m.Destination, err)
		}
		it := Item{Mount: m, Destination: path.Clean("/" + m.Destination), Options: opts}
		switch {
		case opts.Idmap || len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0:
			it.Kind = Keep // the engine handles mounts that bring their own mapping
		case m.Type == "bind" || opts.Bind:
			if m.Source == "" || !path.IsAbs(m.Source) {
				return Plan{}, fmt.Errorf("bind mount %s: source %q is not an absolute path", m.Destination, m.Source)
			}
			it.Kind = Bind
		case m.Type == "tmpfs":
			it.Kind = Tmpfs
		default:
			it.Kind = Keep
		}
		if it.Destination == "/" && it.Kind != Keep {
			return Plan{}, fmt.Errorf("a %s mount over / is not supported", m.Type)
		}
		items[i] = it
	}
	for changed := true; changed; {
		changed = false
		for i := range items {
			if items[i].Kind == Keep {
				continue
			}
			for j := range items {
				if items[j].Kind == Keep && covers(items[j].Destination, items[i].Destination) {
					items[i].Kind = Keep
					changed = true
					break
				}
			}
		}
	}
	return Plan{Items: items}, nil
}

// SetIdmap gives the plan's i-th item (the spec's i-th mount) its own
// mapping; it is used only if the item is a pre-mounted bind.
func (p Plan) SetIdmap(i int, m userns.Idmap) {
	p.Items[i].Idmap = &m
}

// covers reports whether a mount at dir hides what is at p.
func covers(dir, p string) bool {
	return dir == p || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// Kept returns the mounts left for the engine, in their original order.
func (p Plan) Kept() []specs.Mount {
	out := []specs.Mount{}
	for _, it := range p.Items {
		if it.Kind == Keep {
			out = append(out, it.Mount)
		}
	}
	return out
}

// Premounted returns the items sysbox-lite mounts, in spec order.
func (p Plan) Premounted() []Item {
	var out []Item
	for _, it := range p.Items {
		if it.Kind != Keep {
			out = append(out, it)
		}
	}
	return out
}
