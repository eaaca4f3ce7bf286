package rootfs

import (
	"os"

	"github.com/sysbox-lite/sysbox-lite/userns"
)

// namespaces are the user namespaces of the plan's own mappings (shared
// host directories), one per distinct mapping, by Idmap.Key.
type namespaces map[string]*os.File

// openIdmaps opens a namespace for every distinct mapping of the plan's
// pre-mounted binds.
func openIdmaps(plan Plan) (namespaces, error) {
	out := namespaces{}
	for _, it := range plan.Premounted() {
		if it.Kind != Bind || it.Idmap == nil {
			continue
		}
		k := it.Idmap.Key()
		if out[k] != nil {
			continue
		}
		f, err := userns.OpenIdmapNamespace(*it.Idmap)
		if err != nil {
			out.Close()
			return nil, err
		}
		out[k] = f
	}
	return out, nil
}

// Close closes every namespace.
func (n namespaces) Close() {
	for _, f := range n {
		f.Close()
	}
}
