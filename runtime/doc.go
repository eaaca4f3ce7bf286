// Package runtime is sysbox-lite's core: the runc argv model, bundle
// loading and atomic flushing, the SpecModifier chain (DefaultChain decides
// the order), the engine runner, and the create/delete orchestration that
// ties the ID allocator and the host-side rootfs assembly together.
package runtime
