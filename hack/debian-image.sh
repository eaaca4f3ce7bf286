#!/usr/bin/env bash
# debian-image.sh: a Debian 12 (bookworm) test image with systemd and
# docker.io, built with debootstrap and cached as a tarball outside the clone.
#
# Usage:
#   hack/debian-image.sh --print-tar
#       build the rootfs tarball if it is not cached yet, print its path.
#   DOCKER_HOST=unix:///path/docker.sock hack/debian-image.sh [TAG]
#       same, then `docker import` it into that daemon as TAG
#       (default sysbox-lite-test/debian:12) with CMD ["/sbin/init"],
#       STOPSIGNAL SIGRTMIN+3 (systemd's "halt"; SIGTERM only makes it
#       re-execute) and ENV container=docker (what systemd expects from a
#       container manager). DOCKER_HOST is required so that the system
#       daemon is never touched by accident.
#
# Contents: debootstrap --variant=minbase plus docker.io (dockerd, containerd,
# runc), systemd, systemd-sysv, dbus, busybox-static, procps, iproute2; apt
# lists/caches, logs and /etc/resolv.conf removed, /etc/machine-id empty;
# systemd-networkd, docker and containerd NOT enabled (start an inner dockerd
# by hand, with --bridge=none --iptables=false). Inside the
# image, /usr/local/bin/busybox-image is hack/busybox-rootfs.sh: it builds a
# busybox rootfs tarball (copy of /bin/busybox + hard links) for an inner
# dockerd, e.g.
#   busybox-image /tmp/bb.tar && docker import --change 'CMD ["/bin/sh"]' /tmp/bb.tar busybox
#
# Cache: $SBL_CACHE_DIR (default /var/cache/sysbox-lite-test)/debian-12-<key>.tar,
# key = sha256 of this script, hack/busybox-rootfs.sh, the mirror and the
# architecture; older debian-12-*.tar files are removed when a new one is
# written. Concurrent callers serialize on a lock file next to it.
# Measured here (2 shared cores): cold build ~80-90 s (414 MiB tarball),
# cached: a stat; import into a private dockerd ~6 s.
#
# Exit codes: 0 done, 2 usage, 3 the mirror cannot be reached (tests skip on
# it), 1 anything else.
#
# Environment: DEBIAN_MIRROR (default: the first .../debian URI of the host's
# /etc/apt/sources.list*, else http://deb.debian.org/debian), SBL_CACHE_DIR,
# DOCKER (docker client, default docker). Needs root and debootstrap
# (hack/install-deps.sh) for a cold build.
set -euo pipefail

DOCKER=${DOCKER:-docker}
SUITE=bookworm
CACHE_DIR=${SBL_CACHE_DIR:-/var/cache/sysbox-lite-test}
PACKAGES=docker.io,systemd,systemd-sysv,dbus,busybox-static,procps,iproute2
DEFAULT_TAG=sysbox-lite-test/debian:12

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
self="$here/$(basename -- "${BASH_SOURCE[0]}")"

log() { echo "debian-image: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
usage() {
	echo "usage: $0 --print-tar | DOCKER_HOST=unix:///path/docker.sock $0 [TAG]" >&2
	exit 2
}

# host_mirror: the first Debian (not -security) URI of the host's apt sources.
host_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
			/^[[:space:]]*#/ { next }
			$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i; next }
			$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }
		' "$f"
	done | grep -E '^https?://[^ ]+/debian/?$' | head -n1 | sed 's#/$##'
}

# build_tar OUT: debootstrap into a scratch directory next to OUT, clean it
# up and write OUT atomically.
build_tar() {
	local out=$1 mirror=$2 work start
	[[ $EUID -eq 0 ]] || die "building the image needs root"
	local c
	for c in debootstrap wget chroot; do
		command -v "$c" >/dev/null 2>&1 || die "$c is not installed (hack/install-deps.sh)"
	done
	# exit 3 (callers may skip on it) only when the mirror cannot be reached
	if ! wget -q -T 20 -t 2 -O /dev/null -- "$mirror/dists/$SUITE/Release"; then
		log "error: mirror $mirror unreachable (no $mirror/dists/$SUITE/Release); set DEBIAN_MIRROR"
		exit 3
	fi
	start=$(date +%s)
	work=$(mktemp -d "$CACHE_DIR/.debian-build.XXXXXX")
	# debootstrap mounts proc/sys inside the target; never leave them behind
	# shellcheck disable=SC2064 # expand now: clean exactly this directory
	trap "cleanup_build '$work'" EXIT
	log "debootstrap $SUITE from $mirror (cold build, a few minutes)"
	if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$work/rootfs" "$mirror" \
		>"$work/debootstrap.log" 2>&1; then
		tail -n 30 "$work/debootstrap.log" >&2 || true
		die "debootstrap failed (mirror $mirror unreachable?); log above"
	fi

	local r=$work/rootfs
	# no caches, lists, logs or identity that belong to this build
	rm -rf -- "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/var/cache/debconf/*-old \
		"$r"/var/log/* "$r"/tmp/* "$r"/var/tmp/* "$r/debootstrap"
	rm -f -- "$r/var/lib/dbus/machine-id" "$r/etc/resolv.conf" "$r/etc/hostname"
	# the engine provides the hostname at run time
	: >"$r/etc/hostname"
	# An EMPTY machine-id (machine-id(5), generic images): systemd makes a
	# random one at boot without "first boot" semantics, so the interactive
	# systemd-firstboot (stdin on /dev/console, which a container without -t
	# does not have) is not started.
	: >"$r/etc/machine-id"
	# Nothing that needs a network or an engine starts by itself: containers
	# run with --network none (systemd-networkd-wait-online would block boot
	# for 2 minutes, then fail), and an inner dockerd must be started with
	# --bridge=none --iptables=false by whoever uses it.
	# (the image's own systemctl: the host may have none)
	chroot "$r" /bin/systemctl --quiet disable systemd-networkd.service systemd-networkd.socket \
		systemd-networkd-wait-online.service docker.service docker.socket containerd.service
	printf 'deb %s %s main\n' "$mirror" "$SUITE" >"$r/etc/apt/sources.list"
	install -m 0755 -o 0 -g 0 -- "$here/busybox-rootfs.sh" "$r/usr/local/bin/busybox-image"

	tar --numeric-owner --xattrs --sort=name -C "$r" -cf "$work/rootfs.tar" .
	chmod 0644 -- "$work/rootfs.tar"
	mv -f -- "$work/rootfs.tar" "$out"
	cleanup_build "$work"
	trap - EXIT
	log "wrote $out ($(du -m -- "$out" | cut -f1) MiB) in $(($(date +%s) - start)) s"
}

# cleanup_build DIR: unmount whatever debootstrap left mounted under DIR
# (deepest first), then remove DIR.
cleanup_build() {
	local dir=$1 m
	while read -r m; do
		umount -- "$m" 2>/dev/null || umount -l -- "$m" || true
	done < <(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	if awk -v d="$dir/" 'index($5, d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		log "WARNING: mounts left under $dir; not removing it"
		return 0
	fi
	rm -rf --one-file-system -- "$dir"
}

mode=import
tag=$DEFAULT_TAG
case ${1:-} in
--print-tar)
	[[ $# -eq 1 ]] || usage
	mode=print
	;;
-h | --help) usage ;;
-*) usage ;;
"") [[ $# -le 1 ]] || usage ;;
*)
	[[ $# -eq 1 ]] || usage
	tag=$1
	;;
esac
if [[ $mode == import ]]; then
	[[ -n ${DOCKER_HOST:-} ]] || die "DOCKER_HOST is not set: point it at a private daemon (hack/private-daemon.sh env DIR)"
fi

mirror=${DEBIAN_MIRROR:-$(host_mirror || true)}
mirror=${mirror:-http://deb.debian.org/debian}
key=$(cat -- "$self" "$here/busybox-rootfs.sh" <(printf '%s\n%s\n%s\n' "$mirror" "$SUITE" "$(uname -m)") |
	sha256sum | cut -c1-16)
tarball=$CACHE_DIR/debian-12-$key.tar

if [[ ! -s $tarball ]]; then
	mkdir -p -- "$CACHE_DIR"
	exec 9>"$CACHE_DIR/debian-12.lock"
	flock 9
	if [[ ! -s $tarball ]]; then
		build_tar "$tarball" "$mirror"
		# older keys are stale: keep only this one
		find "$CACHE_DIR" -maxdepth 1 -name 'debian-12-*.tar' ! -name "debian-12-$key.tar" -delete
	fi
	exec 9>&-
fi

if [[ $mode == print ]]; then
	echo "$tarball"
	exit 0
fi
start=$(date +%s)
# docker 20.10's import refuses STOPSIGNAL as a --change: import under a
# temporary tag, then a context-less build (no RUN, no container) adds it.
base="sysbox-lite-test/debian-import:$key"
"$DOCKER" import \
	--change 'CMD ["/sbin/init"]' \
	--change 'ENV container=docker' \
	"$tarball" "$base" >/dev/null
if ! out=$(printf 'FROM %s\nSTOPSIGNAL SIGRTMIN+3\n' "$base" |
	DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$tag" - 2>&1); then
	"$DOCKER" rmi "$base" >/dev/null 2>&1 || true
	die "docker build (STOPSIGNAL) failed: $out"
fi
"$DOCKER" rmi "$base" >/dev/null
log "imported $tag into $DOCKER_HOST in $(($(date +%s) - start)) s"
