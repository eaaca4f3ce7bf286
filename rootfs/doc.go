// Package rootfs assembles a container's root on the host before the engine
// runs: the image root (overlay layers idmapped under a new overlay, or an
// idmapped bind of a plain directory) plus every bind and tmpfs mount of the
// spec that can be pre-mounted. Mounts made here are copied into the
// container's mount namespace by the engine and so become MNT_LOCKED: the
// container's root can neither unmount them nor change their flags.
package rootfs
