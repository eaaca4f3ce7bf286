// Package overlayopt splits and escapes overlayfs option strings, where
// ',' separates options, ':' separates layers, and a backslash escapes
// either (and itself) inside a path.
package overlayopt

import "strings"

// Split splits s at sep, except where sep is escaped with a backslash; the
// escapes stay (see Unescape).
func Split(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
		case s[i] == sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Unescape drops the backslash escapes.
func Unescape(s string) string {
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

// Escape escapes what overlayfs treats specially in a layer path.
func Escape(p string) string {
	return strings.NewReplacer(`\`, `\\`, `:`, `\:`, `,`, `\,`).Replace(p)
}
