// Package atomicfile writes files so that readers see either the old or the
// new content, never a torn one, and never writes through a planted symlink.
package atomicfile
