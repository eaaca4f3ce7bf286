#!/usr/bin/env bash
# cri-tools.sh: build crictl and critest from a pinned sigs.k8s.io/cri-tools
# (Go module proxy) into a cache outside the clone, and print the cache
# directory. Fast when cached: the build is keyed by the version, the Go
# version and the build recipe (buildRecipe below); a build lands in the
# cache by renaming a finished directory, so a half-built entry is never
# used.
#
# Usage: hack/cri-tools.sh            build if needed, print the directory
#                                     holding crictl and critest
#
# Environment: CRI_TOOLS_VERSION (default v1.37.0), SBL_CACHE (default
# /var/cache/sysbox-lite-test; falls back to ~/.cache/sysbox-lite-test when
# that is not writable).
set -euo pipefail

version=${CRI_TOOLS_VERSION:-v1.37.0}
module=sigs.k8s.io/cri-tools
# bump when the build commands below change: it is part of the cache key
buildRecipe="CGO_ENABLED=0 -trimpath; crictl: go build; critest: go test -c"

log() { echo "cri-tools: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

gobin=$(command -v go || true)
if [[ -z $gobin && -x /usr/local/go/bin/go ]]; then
	gobin=/usr/local/go/bin/go
fi
[[ -n $gobin ]] || die "go is not installed (expected in PATH or /usr/local/go/bin)"

cache=${SBL_CACHE:-/var/cache/sysbox-lite-test}
if ! mkdir -p -- "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
	cache=${HOME:-/tmp}/.cache/sysbox-lite-test
	mkdir -p -- "$cache"
fi
key=$({
	echo "$version"
	"$gobin" env GOVERSION GOARCH
	echo "$buildRecipe"
} | sha256sum | cut -c1-12)
out=$cache/cri-tools-$version-$key
if [[ -f $out/.done && -x $out/crictl && -x $out/critest ]]; then
	echo "$out"
	exit 0
fi

log "building crictl and critest $version into $out"
start=$SECONDS
tmp=$(mktemp -d "$cache/.cri-tools-build.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
# The module's source, as the proxy serves it (read-only in the module cache).
src=$(GOFLAGS=-mod=mod "$gobin" mod download -json "$module@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -n $src && -f $src/go.mod ]] || die "go mod download $module@$version gave no source directory"
ldflags="-X $module/pkg/version.Version=$version"
(
	cd -- "$src"
	export CGO_ENABLED=0 GOFLAGS=-mod=mod
	"$gobin" build -trimpath -ldflags "$ldflags" -o "$tmp/crictl" ./cmd/crictl
	# critest is the test binary of cmd/critest (as upstream's Makefile builds it)
	"$gobin" test -c -trimpath -ldflags "$ldflags" -o "$tmp/critest" ./cmd/critest
)
touch "$tmp/.done"
rm -rf -- "$out"
mv -- "$tmp" "$out"
trap - EXIT
log "built in $((SECONDS - start))s"
echo "$out"
