// Package hostcheck probes whether this host can run sysbox-lite (`sysbox-lite
// check`): one Result per thing sysbox-lite needs, each found by a real probe
// (a user namespace created, a mount idmapped, an overlay mounted over
// idmapped layers, a seccomp notification answered, ...), with what was found
// and how to fix it.
//
// Each check is split in two: a probe that touches the system and returns
// what it saw (an error, a file's content), and a decision that turns that
// into a Result. Decisions take their inputs as parameters, so tests cover
// them with real files in temporary directories; the probes that need root
// are tested as root only.
//
// Probes never change the host: mounts are made detached (open_tree) or in a
// child process's own mount namespace, and the few temporary directories
// made are removed.
package hostcheck
