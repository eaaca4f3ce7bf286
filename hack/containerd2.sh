#!/usr/bin/env bash
# containerd2.sh: build a pinned containerd 2.x (containerd,
# containerd-shim-runc-v2, ctr) from the Go module proxy into a cache
# directory outside the clone, and print that bin directory.
#
# Usage: hack/containerd2.sh            build if missing, print the bin dir
#        hack/containerd2.sh --print    print the bin dir only (no build;
#                                       exit 1 when it is not built)
#
# Debian 12 ships containerd 1.6 only; the tests of the `version = 3`
# config format and of the shim's task API v3 need a 2.x. The build is
# keyed by the containerd version, the build tags and the Go version, so a
# second run (or a second test suite) is a no-op that prints the same
# directory. Concurrent runs serialise on a lock file; a build lands in the
# cache atomically (rename of a finished directory), so a half-built cache
# entry is never seen.
#
# Needs only go and the module proxy (github.com/containerd/containerd/v2 is
# a plain module: no replace directives, so `go install pkg@version` builds
# it with its own go.mod). Build tags: no_btrfs (the btrfs snapshotter needs
# libbtrfs headers; tests use the overlayfs snapshotter). Nothing else needs
# a -dev package.
#
# Environment: CONTAINERD2_VERSION (default v2.4.2), SBL_CACHE (default
# /var/cache/sysbox-lite-test), GO (default: go on PATH, else
# /usr/local/go/bin/go).
set -euo pipefail

version=${CONTAINERD2_VERSION:-v2.4.2}
cache=${SBL_CACHE:-/var/cache/sysbox-lite-test}
tags=no_btrfs
module=github.com/containerd/containerd/v2
cmds=(containerd containerd-shim-runc-v2 ctr)

log() { echo "containerd2: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

print_only=0
case ${1:-} in
"") ;;
--print) print_only=1 ;;
*) die "usage: $0 [--print]" ;;
esac
[[ $version =~ ^v2\.[0-9]+\.[0-9]+$ ]] || die "CONTAINERD2_VERSION $version is not a v2.x.y release"

gobin=${GO:-$(command -v go || true)}
if [[ -z $gobin && -x /usr/local/go/bin/go ]]; then
	gobin=/usr/local/go/bin/go
fi
[[ -n $gobin ]] || die "go is not installed (expected in PATH or /usr/local/go/bin)"

# The key: what decides the binaries' content.
goversion=$("$gobin" env GOVERSION)
key=$(printf '%s\n' "$module@$version" "tags=$tags" "$goversion" "$(uname -m)" | sha256sum | cut -c1-12)
dir=$cache/containerd-$version-$key
bin=$dir/bin

complete() {
	local c
	for c in "${cmds[@]}"; do
		[[ -x $bin/$c ]] || return 1
	done
}

if complete; then
	echo "$bin"
	exit 0
fi
((print_only == 0)) || exit 1

mkdir -p -- "$cache"
exec 9>"$cache/.containerd2.lock"
flock 9
if complete; then # another run built it while we waited
	echo "$bin"
	exit 0
fi

tmp=$(mktemp -d "$cache/.containerd-$version.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
start=$(date +%s)
log "building containerd $version (tags $tags) with $goversion into $dir (once; cached afterwards)"
pkgs=()
for c in "${cmds[@]}"; do
	pkgs+=("$module/cmd/$c@$version")
done
# GOFLAGS is reset: -mod=mod (the Makefile's) is refused with pkg@version.
GOFLAGS=-buildvcs=false GOBIN=$tmp/bin CGO_ENABLED=1 "$gobin" install -trimpath -tags "$tags" \
	-ldflags "-X $module/version.Version=$version -X $module/version.Package=$module" \
	"${pkgs[@]}"
for c in "${cmds[@]}"; do
	[[ -x $tmp/bin/$c ]] || die "go install did not produce $c"
done
"$tmp/bin/containerd" --version >&2
rm -rf -- "$dir"
mv -- "$tmp" "$dir"
trap - EXIT
chmod 0755 -- "$dir"
log "built in $(($(date +%s) - start))s"
echo "$bin"
