package rootfs

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sysbox-lite/sysbox-lite/internal/overlayopt"
)

// OverlayConfig is what an existing overlay mount was made of.
type OverlayConfig struct {
	Lower   []string // top-most first, absolute
	Upper   string   // "" for a read-only overlay
	Work    string
	Options []string // every other superblock option, in order
}

// ParseOverlayOptions decodes an overlay's superblock options as shown in
// mountinfo. Relative layer paths (dockerd uses them when the absolute
// list would not fit in a page) are resolved against base.
func ParseOverlayOptions(superOptions, base string) (OverlayConfig, error) {
	var c OverlayConfig
	for _, opt := range overlayopt.Split(superOptions, ',') {
		key, value, _ := strings.Cut(opt, "=")
		switch key {
		case "lowerdir":
			for _, l := range overlayopt.Split(value, ':') {
				if l == "" {
					continue // "::" separates data-only layers
				}
				c.Lower = append(c.Lower, absUnder(base, overlayopt.Unescape(l)))
			}
		case "upperdir":
			c.Upper = absUnder(base, overlayopt.Unescape(value))
		case "workdir":
			c.Work = absUnder(base, overlayopt.Unescape(value))
		case "rw", "ro":
		default:
			c.Options = append(c.Options, opt)
		}
	}
	if len(c.Lower) == 0 {
		return c, fmt.Errorf("overlay options %q have no lowerdir", superOptions)
	}
	if (c.Upper == "") != (c.Work == "") {
		return c, fmt.Errorf("overlay options %q have only one of upperdir and workdir", superOptions)
	}
	return c, nil
}

func absUnder(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}
