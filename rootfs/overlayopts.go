package rootfs

import (
	"fmt"
	"path/filepath"
	"strings"
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
	for _, opt := range splitEscaped(superOptions, ',') {
		key, value, _ := strings.Cut(opt, "=")
		switch key {
		case "lowerdir":
			for _, l := range splitEscaped(value, ':') {
				if l == "" {
					continue // "::" separates data-only layers
				}
				c.Lower = append(c.Lower, absUnder(base, unescape(l)))
			}
		case "upperdir":
			c.Upper = absUnder(base, unescape(value))
		case "workdir":
			c.Work = absUnder(base, unescape(value))
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

// splitEscaped splits s at sep, except where sep is backslash-escaped.
func splitEscaped(s string, sep byte) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			cur.WriteByte(s[i])
			cur.WriteByte(s[i+1])
			i++
		case s[i] == sep:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, cur.String())
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapeLayer escapes the characters overlayfs treats specially in a path.
func escapeLayer(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `:`, `\:`, `,`, `\,`)
	return r.Replace(p)
}
