#!/usr/bin/env bash
# payload.sh: stage what a guest run needs and write it as an ext4 image
# (label sbl-payload), the guest's second disk.
#
# Usage: hack/vm/payload.sh smoke|full OUT.img
#
# Staged under $VM_CACHE/payload (a fixed path: the guest mounts the disk at
# the very same path, read from its MOUNTPOINT file, so that the Go build
# cache warmed here is hit by the guest's `go build`s):
#   repo/            `git archive HEAD` of this checkout (committed code only:
#                    what is tested is what is in git) plus bin/ from
#                    `make build` in that copy
#   integration.test `go test -c ./integration` of that copy (full)
#   go/              a copy of the host's Go toolchain (full: the suite runs
#                    `go build` of sysbox-lite and its probes at run time)
#   gomod/, gocache/ the modules that needs (GOPROXY=off in the guest, which
#                    has no network) and a build cache warmed with exactly the
#                    suite's builds
#   cache/           hack/debian-image.sh's Debian 12 tarball, which the
#                    systemd and DinD tests import (full; it cannot be
#                    debootstrapped in a guest without network)
#   run/             hack/vm/guest-run.sh, smoke.sh, the mode and the -run
#                    selection
# The toolchain, modules and tarball stay between runs (refreshed when their
# source changes); repo/ and run/ are made anew each time. The staging
# directory is shared by every checkout on the host (worktrees too), so this
# script holds $VM_CACHE/payload.lock from the first write to the finished
# image: concurrent runs wait for each other here, and only here.
set -euo pipefail

# shellcheck source=hack/vm/lib.sh
. "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

[[ $# -eq 2 && ( $1 == smoke || $1 == full ) ]] || {
	echo "usage: $0 smoke|full OUT.img" >&2
	exit 2
}
mode=$1
img=$2
need_root
P=$VM_CACHE/payload
mkdir -p -- "$P"
exec 8>"$VM_CACHE/payload.lock"
if ! flock -n 8; then
	vm_log "waiting for another run's payload staging ($VM_CACHE/payload.lock)"
	flock 8
fi
start=$(date +%s)

# --- the checkout: committed code, built here
rm -rf -- "$P/repo" "$P/run" "$P/integration.test"
mkdir -p -- "$P/repo" "$P/run"
git -C "$REPO" archive --format=tar HEAD | tar -x -C "$P/repo"
version=$(git -C "$REPO" describe --always 2>/dev/null || echo dev)
git -C "$REPO" rev-parse HEAD >"$P/run/commit"
if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no) ]]; then
	vm_log "note: $REPO has uncommitted changes; the guests test HEAD ($(cat "$P/run/commit"))"
fi
vm_log "make build (HEAD $version)"
make -s -C "$P/repo" build VERSION="$version" >&2

# the guest side
install -m 0755 -- "$VM_HERE/guest-run.sh" "$VM_HERE/smoke.sh" "$P/run/"
echo "$mode" >"$P/run/mode"
# full mode: the go test -run selection and -timeout (from hack/vm/run.sh)
echo "${VM_SELECTION:-.}" >"$P/run/selection"
echo "${VM_GOTEST_TIMEOUT:-60m}" >"$P/run/timeout"
echo "$P" >"$P/MOUNTPOINT"
# the smoke's busybox image, as hack/load-image.sh makes it (root-owned)
"$REPO/hack/busybox-rootfs.sh" "$P/run/busybox.tar" 2>/dev/null

if [[ $mode == full ]]; then
	# the toolchain, at a path that is the same in the guest
	if ! cmp -s -- /usr/local/go/VERSION "$P/go/VERSION" 2>/dev/null; then
		vm_log "copying the Go toolchain ($("$GO" version))"
		rm -rf -- "$P/go" "$P/gocache"
		cp -a -- "$(dirname -- "$(dirname -- "$(readlink -f -- "$GO")")")" "$P/go"
	fi
	# Everything the guest's go uses lives under $P, with the same
	# environment as here; GOPROXY: the host's module cache first (no
	# download for what it has), then the usual proxy.
	hostmods=$("$GO" env GOMODCACHE)
	export GOROOT="$P/go" GOMODCACHE="$P/gomod" GOCACHE="$P/gocache" GOPATH="$P/gopath"
	export GOFLAGS=-mod=mod GOTOOLCHAIN=local
	export GOPROXY="file://$hostmods/cache/download,$("$GO" env GOPROXY)"
	export PATH="$P/go/bin:$PATH"
	(cd -- "$P/repo" && go mod download)
	# Warm the build cache with the suite's own builds (integration/main_test.go,
	# traps_helpers_test.go): same paths, same environment as in the guest.
	# cgo packages are rebuilt there anyway (another gcc), the rest is hit.
	vm_log "warming the Go build cache"
	(
		cd -- "$P/repo"
		go build -o /dev/null ./cmd/sysbox-lite
		CGO_ENABLED=0 go build -o /dev/null ./integration/probe
		GOARCH=386 CGO_ENABLED=0 go build -o /dev/null ./integration/probe386
		go test -c -o "$P/integration.test" ./integration
	)
	# the systemd/DinD test image: built (cached) on the host, hard-linked in
	# (same file system) under the name the guest's debian-image.sh looks for
	# (the copy's script: its hash is part of the tarball's name, as in the guest)
	tar=$("$P/repo/hack/debian-image.sh" --print-tar)
	mkdir -p -- "$P/cache"
	find "$P/cache" -maxdepth 1 -name 'debian-12-*.tar' ! -name "$(basename -- "$tar")" -delete
	[[ -e $P/cache/$(basename -- "$tar") ]] || ln -f -- "$tar" "$P/cache/" 2>/dev/null || cp -- "$tar" "$P/cache/"
	vm_mirror >"$P/run/mirror"
else
	# smoke: no toolchain, no test binary on the disk
	:
fi

# the disk: what is staged plus room for the guest's go build outputs and
# caches (smoke: only the checkout)
if [[ $mode == full ]]; then
	exclude=()
else
	exclude=(go gomod gocache gopath cache)
fi
stage=$P
if ((${#exclude[@]})); then
	# mkfs.ext4 -d takes one directory: a tree of hard links without the
	# excluded parts (instant, same file system)
	stage=$VM_CACHE/payload-smoke
	rm -rf -- "$stage"
	mkdir -p -- "$stage"
	for e in "$P"/* ; do
		n=$(basename -- "$e")
		[[ " ${exclude[*]} " == *" $n "* ]] && continue
		cp -al -- "$e" "$stage/"
	done
fi
size_mb=$(($(du -sm -- "$stage" | cut -f1) + 3072))
rm -f -- "$img"
mkfs.ext4 -q -F -L sbl-payload -d "$stage" "$img" "${size_mb}M" >&2
[[ $stage == "$P" ]] || rm -rf -- "$stage"
vm_log "payload ($mode) $img: ${size_mb} MiB in $(($(date +%s) - start)) s"
