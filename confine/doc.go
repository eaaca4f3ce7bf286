// Package confine holds the spec modifiers that keep a container, even a
// --privileged one, from reaching the host: one file per rule.
//
//   - devices.go: host device nodes only when the policy allows them; the
//     device cgroup never allows more than what is exposed.
//   - masks.go: docker's masked and read-only /proc and /sys paths, always.
//   - seccomp.go: a baseline of syscalls that stay denied with EPERM.
//   - namespaces.go: the host's namespaces are never shared; another
//     sysbox-lite container's may be joined (with its user namespace).
//   - hostpaths.go: no bind mount of the engine's socket or state, of
//     sysbox-lite's own state, of host system directories, of unix sockets
//     owned by host root, or of any of them reached through another mount.
//
// Capabilities are deliberately left alone: the container's root holds them
// only inside its own user namespace, where they are what --privileged
// promises (mount, sysctls of its own namespaces, nested containers).
//
// Every modifier is pure: what it needs from the host (device numbers,
// namespace identity, symlink resolution, file types and owners, the host's
// mount table) comes through its constructor or the Host it is given, so
// tests run without root. (HostPaths falls back to the real host for the
// facts its Host leaves unset.) Refusals are *Refusal errors whose message is what
// the engine's caller shows ("OCI runtime create failed: sysbox-lite: ...");
// every refusal, and every device taken away from a --privileged container,
// is reported to an audit.Sink.
//
// The host policy (config.Policy, the [policy] table of
// /etc/sysbox-lite/config.toml) can only widen the defaults; a container's
// annotations (io.sysbox-lite.allowed-devices, io.sysbox-lite.allowed-mounts)
// can only narrow what the policy allows.
package confine
