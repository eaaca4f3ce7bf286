package install

import (
	"bufio"
	"bytes"
	"strings"
)

// inlineTableKey returns the first of keys' tables that data seems to
// define as an inline table ("containerd = { ... }"). TOML forbids adding
// to an inline table with a [header], and containerd 2.x's parser enforces
// that, but BurntSushi/toml accepts it; so appending our block after such a
// definition would pass our check yet break containerd. This is a line
// scan, not a parser: a false positive only means asking the user to add
// the runtime by hand.
func inlineTableKey(data []byte, keys []string) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		lhs, rhs, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(strings.TrimSpace(rhs), "{") {
			continue
		}
		lhs = strings.TrimSpace(lhs)
		for _, k := range keys {
			if lastKeyIs(lhs, k) {
				return k, true
			}
		}
	}
	return "", false
}

// lastKeyIs reports whether the (possibly dotted) key lhs ends in k, bare
// or quoted.
func lastKeyIs(lhs, k string) bool {
	for _, form := range []string{k, `"` + k + `"`, "'" + k + "'"} {
		if lhs == form || strings.HasSuffix(lhs, "."+form) || strings.HasSuffix(lhs, ". "+form) {
			return true
		}
	}
	return false
}
