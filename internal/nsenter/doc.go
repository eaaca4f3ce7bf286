// Package nsenter enters the namespaces, root and cwd of another process
// before the Go runtime starts, when the process was started for that (see
// Command). setns into a user namespace is refused to multithreaded
// processes, and a Go program is multithreaded before main runs; so, as in
// runc, a C constructor does it while the process still has one thread.
//
// Importing the package (for its side effect) is enough to make a binary
// usable as such a helper.
package nsenter
