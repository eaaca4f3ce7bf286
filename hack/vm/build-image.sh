#!/usr/bin/env bash
# build-image.sh: build (once) and print the cached guest image directory of
# a VM test bed guest (docs/vmtest.md).
#
# Usage: hack/vm/build-image.sh [--cached] debian13|debian12
#
# --cached: print the directory only if it is already built (exit 1 if not);
# never builds.
#
# Prints a directory holding:
#   root.img     raw ext4 (no partition table; the guest's root=/dev/vda),
#                sparse, never modified after the build (runs boot a qcow2
#                overlay on top of it)
#   vmlinuz, initrd.img   the guest's own kernel and Debian's initrd
#   versions.txt kernel, systemd, docker, containerd, runc versions
# Cache: $VM_CACHE (default /var/cache/sysbox-lite-test/vm)/GUEST-KEY/, with
# KEY = sha256 of this script, lib.sh, hack/vm/guest/*, the mirror, the suite
# and the package list. Older GUEST-* directories are removed when a new one
# is complete. Concurrent callers serialize on GUEST.lock.
#
# The build: debootstrap --variant=minbase --include=PACKAGES from the host's
# Debian mirror (trixie too: only debootstrap sees that suite, the host's
# apt configuration is not touched), a few files and units, then
# `mkfs.ext4 -d` (no loop mount). Nothing stays mounted, even on failure.
set -euo pipefail

# shellcheck source=hack/vm/lib.sh
. "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

cached_only=0
if [[ ${1:-} == --cached ]]; then
	cached_only=1
	shift
fi
[[ $# -eq 1 ]] || {
	echo "usage: $0 [--cached] ${GUESTS[*]// /|}" >&2
	exit 2
}
guest=$1
suite=$(guest_suite "$guest")
packages=$(guest_packages "$guest")
mirror=$(vm_mirror)
# image size: the guest's docker data (/var/lib/docker) and the integration
# suite's /tmp live on it (a sparse file: only what is written takes space)
IMG_SIZE=${VM_IMG_SIZE:-16G}

key=$(cat -- "$VM_HERE/build-image.sh" "$VM_HERE/lib.sh" "$VM_HERE"/guest/* \
	<(printf '%s\n' "$mirror" "$suite" "$packages" "$IMG_SIZE" "$(uname -m)") | sha256sum | cut -c1-16)
out=$VM_CACHE/$guest-$key

if [[ -s $out/root.img && -s $out/vmlinuz && -s $out/initrd.img ]]; then
	echo "$out"
	exit 0
fi
((cached_only == 0)) || exit 1

need_root
ensure_host_deps
mkdir -p -- "$VM_CACHE"
exec 9>"$VM_CACHE/$guest.lock"
flock 9
if [[ -s $out/root.img ]]; then
	echo "$out"
	exit 0
fi

start=$(date +%s)
work=$(mktemp -d "$VM_CACHE/.build-$guest.XXXXXX")
cleanup() {
	if unmount_under "$work"; then
		rm -rf --one-file-system -- "$work"
	else
		vm_log "WARNING: mounts left under $work; not removing it"
	fi
}
trap cleanup EXIT
r=$work/rootfs

vm_log "$guest: debootstrap $suite from $mirror (cold build, several minutes)"
# the .debs stay in a cache of their own (a rebuild after a script change
# does not download them again; debootstrap checks them against the Release)
debs=$VM_CACHE/debs/$suite
mkdir -p -- "$debs"
if ! debootstrap --variant=minbase --cache-dir="$debs" --include="$packages" "$suite" "$r" "$mirror" >"$work/debootstrap.log" 2>&1; then
	tail -n 40 "$work/debootstrap.log" >&2 || true
	vm_die "$guest: debootstrap failed (log above)"
fi
# debootstrap unmounts what it mounted; make sure (a failed postinst can
# leave proc behind) before touching the tree further
unmount_under "$r" || vm_die "$guest: mounts left under $r after debootstrap"

# --- configuration: what a freshly installed host would have, minus network
echo "sbl-$guest" >"$r/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsbl-%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$guest" >"$r/etc/hosts"
printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t1\n' >"$r/etc/fstab"
# empty machine-id: systemd makes one at boot (with systemd.firstboot=off on
# the kernel command line, no interactive first-boot wizard)
: >"$r/etc/machine-id"
rm -f -- "$r/var/lib/dbus/machine-id" "$r/etc/resolv.conf"
# root without a password on the serial console (a debugging aid: the guest
# has no network device, nobody else can reach it)
chroot "$r" /usr/bin/passwd -d root >/dev/null
printf 'deb %s %s main\n' "$mirror" "$suite" >"$r/etc/apt/sources.list"

# chroot_systemctl ARGS: the image's own systemctl, offline (it warns that
# /proc is not mounted: expected in a chroot, filtered)
chroot_systemctl() {
	chroot "$r" /bin/systemctl --quiet "$@" 2> >(grep -v -e '/proc/ is not mounted' -e 'invocation environment' -e 'mileage may vary' >&2)
}

# dockerd: no bridge, no iptables (the guest has no network device anyway,
# and containers run with --network none); everything else is the distro's
# default, the systemd cgroup driver included
install -D -m 0644 -- "$VM_HERE/guest/daemon.json" "$r/etc/docker/daemon.json"
install -D -m 0755 -- "$VM_HERE/guest/sbl-vmtest-boot" "$r/usr/local/sbin/sbl-vmtest-boot"
install -D -m 0644 -- "$VM_HERE/guest/sbl-vmtest.service" "$r/etc/systemd/system/sbl-vmtest.service"
chroot_systemctl enable sbl-vmtest.service docker.service containerd.service
# Timers that would compete for the emulated CPU and can do nothing useful
# without a network (apt) or on a throwaway disk (fstrim, e2scrub, man-db).
for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer \
	systemd-networkd-wait-online.service; do
	if [[ -e $r/lib/systemd/system/$u || -e $r/usr/lib/systemd/system/$u ]]; then
		chroot_systemctl mask "$u"
	fi
done
# trixie mounts a tmpfs on /tmp by default (tmp.mount); the integration
# suite keeps a private dockerd's data root and images under /tmp, which
# must be a disk (4 GiB RAM, and an overlay2 data root on tmpfs is not what
# users run). The smoke does not care.
if [[ -e $r/usr/lib/systemd/system/tmp.mount ]]; then
	chroot_systemctl mask tmp.mount
fi

# versions, for the report
{
	echo "guest: $guest ($suite)"
	for p in linux-image-amd64 systemd docker.io docker-cli containerd runc libseccomp2 apparmor; do
		chroot "$r" dpkg-query -W -f='${Package} ${Version}\n' "$p" 2>/dev/null || true
	done
} >"$work/versions.txt"

# the guest's own kernel and initrd (Debian's initrd mounts root=/dev/vda
# with virtio_blk)
kernel=$(find "$r/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n1)
initrd=$(find "$r/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -n1)
[[ -n $kernel && -n $initrd ]] || vm_die "$guest: no kernel/initrd in $r/boot"
cp -- "$kernel" "$work/vmlinuz"
cp -- "$initrd" "$work/initrd.img"
echo "kernel $(basename -- "$kernel")" >>"$work/versions.txt"

# no caches, lists or logs of the build
rm -rf -- "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
	"$r"/var/log/* "$r"/tmp/* "$r"/var/tmp/* "$r/debootstrap"

vm_log "$guest: mkfs.ext4 -d ($IMG_SIZE, sparse)"
mkfs.ext4 -q -F -L "sbl-root" -d "$r" "$work/root.img" "$IMG_SIZE" >&2
rm -rf --one-file-system -- "$r"

mkdir -p -- "$out.tmp"
mv -f -- "$work/root.img" "$work/vmlinuz" "$work/initrd.img" "$work/versions.txt" "$out.tmp/"
rm -rf -- "$out"
mv -- "$out.tmp" "$out"
# older keys of this guest are stale
find "$VM_CACHE" -mindepth 1 -maxdepth 1 -type d -name "$guest-*" ! -name "$guest-$key" -exec rm -rf -- {} +
vm_log "$guest: image $out ready in $(($(date +%s) - start)) s ($(du -sm -- "$out" | cut -f1) MiB on disk)"
cat -- "$out/versions.txt" >&2
echo "$out"
