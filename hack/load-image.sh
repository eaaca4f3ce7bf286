#!/usr/bin/env bash
# load-image.sh: build the busybox test rootfs (hack/busybox-rootfs.sh),
# optionally add files to its /usr/local/bin, and `docker import` it as TAG
# (with CMD ["/bin/sh"]) into the daemon that DOCKER_HOST points to.
#
# Usage: DOCKER_HOST=unix:///path/docker.sock hack/load-image.sh TAG [extra-files-dir]
#
# DOCKER_HOST is required (eval "$(hack/private-daemon.sh env DIR)"), so that
# a system daemon is never touched by accident. Everything inside
# extra-files-dir is copied (cp -a, ownership reset to 0:0) into
# /usr/local/bin of the image; it must run without the host's libraries
# (static binaries or busybox scripts). Environment: DOCKER (docker client,
# default: docker).
set -euo pipefail

DOCKER=${DOCKER:-docker}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

die() {
	echo "load-image: error: $*" >&2
	exit 1
}

[[ $# -ge 1 && $# -le 2 && -n $1 ]] || {
	echo "usage: DOCKER_HOST=unix:///path/docker.sock $0 TAG [extra-files-dir]" >&2
	exit 2
}
tag=$1
extra=${2:-}
[[ -n ${DOCKER_HOST:-} ]] || die "DOCKER_HOST is not set: point it at a private daemon (hack/private-daemon.sh env DIR)"
[[ -z $extra || -d $extra ]] || die "$extra is not a directory"

work=$(mktemp -d "${TMPDIR:-/tmp}/load-image.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

"$here/busybox-rootfs.sh" "$work/rootfs"
if [[ -n $extra ]]; then
	cp -a -- "$extra"/. "$work/rootfs/usr/local/bin/"
	if [[ $EUID -eq 0 ]]; then
		chown -R 0:0 -- "$work/rootfs/usr/local/bin"
	fi
fi
owner=()
[[ $EUID -eq 0 ]] || owner=(--owner=0 --group=0)
tar --numeric-owner "${owner[@]}" --sort=name -C "$work/rootfs" -cf "$work/rootfs.tar" .

"$DOCKER" import --change 'CMD ["/bin/sh"]' "$work/rootfs.tar" "$tag" >/dev/null
echo "load-image: imported $tag into $DOCKER_HOST" >&2
