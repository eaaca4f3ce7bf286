// Package shim is containerd-shim-sysbox-lite-v2: containerd's own runc shim
// (github.com/containerd/containerd/v2, cmd/containerd-shim-runc-v2) with
// sysbox-lite as its default runtime binary, so that
// `ctr run --runtime io.containerd.sysbox-lite.v2` and a CRI runtime with
// runtime_type "io.containerd.sysbox-lite.v2" need no BinaryName option.
//
// It is a nested Go module: the main module does not pull in containerd's
// dependency tree. All it changes of the runc shim is the runtime binary
// when the caller names none (Create's options, the Info call); every other
// option (SystemdCgroup, Root, ...) is the runc shim's. It works with
// containerd 1.6 to 2.4: containerd's shim package (2.4) speaks the
// bootstrap start protocol of containerd >= 2.3 and task API v3; for older
// containerds this package answers the old start (legacy.go) and serves
// task API v2 too (taskv2.go).
package shim
