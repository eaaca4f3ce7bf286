// Package audit records what sysbox-lite refused or took away from a
// container: one JSON object per line in the host's audit log
// (/var/log/sysbox-lite/audit.log by default, [policy] audit_log).
//
// The spec modifiers that enforce the host policy (package confine) report
// to a Sink they receive through their constructor, so they stay pure and
// tests use Memory. create wires a File sink bound to the container's ID
// (ForContainer).
//
// Writing the audit log is best effort: a line that cannot be written is
// reported to the File's OnError (create logs a warning to the runtime's
// --log) and the container is not failed for it. The refusal itself is
// enforced either way and is also the error the engine's caller sees; an
// audit log on a full or read-only disk must not turn into a denial of
// service for every container on the host.
package audit
