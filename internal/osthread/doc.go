// Package osthread runs a function on a dedicated OS thread whose
// per-thread state (filesystem context, credentials) may be changed freely:
// the thread is never returned to the Go scheduler.
package osthread
