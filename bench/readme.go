package main

import (
	"fmt"
	"strings"
)

// The README section that the benchmark rewrites lies between these markers.
const (
	sectionBegin = "<!-- bench:begin -->"
	sectionEnd   = "<!-- bench:end -->"
)

// RewriteSection replaces what lies between the markers in doc with
// section (surrounded by one newline on each side). Each marker must appear
// exactly once, the begin marker first; nothing outside them changes.
func RewriteSection(doc, section string) (string, error) {
	if n := strings.Count(doc, sectionBegin); n != 1 {
		return "", fmt.Errorf("want exactly one %s marker, found %d", sectionBegin, n)
	}
	if n := strings.Count(doc, sectionEnd); n != 1 {
		return "", fmt.Errorf("want exactly one %s marker, found %d", sectionEnd, n)
	}
	begin := strings.Index(doc, sectionBegin) + len(sectionBegin)
	end := strings.Index(doc, sectionEnd)
	if end < begin {
		return "", fmt.Errorf("%s comes before %s", sectionEnd, sectionBegin)
	}
	return doc[:begin] + "\n" + strings.TrimSpace(section) + "\n" + doc[end:], nil
}
