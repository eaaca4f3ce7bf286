#!/usr/bin/env bash
# runc.sh: build a pinned runc (1.2+; Debian 12 ships 1.1.5) from the Go
# module proxy into a cache directory outside the clone, and print the
# binary's path.
#
# Usage: hack/runc.sh            build if missing, print the binary's path
#        hack/runc.sh --print    print the path only (no build; exit 1 when
#                                it is not built)
#
# The integration suite runs over it as sysbox-lite's engine with
# SBL_ENGINE=$(hack/runc.sh) (make integration-engines). The build is keyed
# by the runc version, the build tags and the Go version, so a second run is
# a no-op that prints the same path. Concurrent runs serialise on a lock
# file; a build lands in the cache atomically (rename of a finished
# directory), so a half-built cache entry is never seen.
#
# Needs go, the module proxy, gcc and libseccomp-dev (the seccomp build tag
# links libseccomp, as Debian's runc does). github.com/opencontainers/runc
# is a plain module (no replace directives), so `go install pkg@version`
# builds it with its own go.mod. Build tags: seccomp urfave_cli_no_docs, as
# runc's Makefile, without libpathrs (runc 1.5's default, a Rust library
# that Debian 12 does not package; without it runc uses its Go
# pathrs-lite, the same code path its own static release binaries had
# before 1.5). The version is runc's embedded VERSION file; the commit
# field is the tag.
#
# Environment: RUNC_VERSION (default v1.5.3), SBL_CACHE (default
# /var/cache/sysbox-lite-test), GO (default: go on PATH, else
# /usr/local/go/bin/go).
set -euo pipefail

version=${RUNC_VERSION:-v1.5.3}
cache=${SBL_CACHE:-/var/cache/sysbox-lite-test}
tags="seccomp urfave_cli_no_docs"
module=github.com/opencontainers/runc

log() { echo "runc: $*" >&2; }
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
[[ $version =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || die "RUNC_VERSION $version is not a v1.x.y release"
((BASH_REMATCH[1] >= 2)) || die "RUNC_VERSION $version: Debian's runc is 1.1; build 1.2 or newer"

gobin=${GO:-$(command -v go || true)}
if [[ -z $gobin && -x /usr/local/go/bin/go ]]; then
	gobin=/usr/local/go/bin/go
fi
[[ -n $gobin ]] || die "go is not installed (expected in PATH or /usr/local/go/bin)"

# The key: what decides the binary's content.
goversion=$("$gobin" env GOVERSION)
key=$(printf '%s\n' "$module@$version" "tags=$tags" "$goversion" "$(uname -m)" | sha256sum | cut -c1-12)
dir=$cache/runc-$version-$key
bin=$dir/bin/runc

if [[ -x $bin ]]; then
	echo "$bin"
	exit 0
fi
((print_only == 0)) || exit 1

pkg-config --exists libseccomp 2>/dev/null || die "libseccomp-dev is not installed (hack/install-deps.sh)"
mkdir -p -- "$cache"
exec 9>"$cache/.runc.lock"
flock 9
if [[ -x $bin ]]; then # another run built it while we waited
	echo "$bin"
	exit 0
fi

tmp=$(mktemp -d "$cache/.runc-$version.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
start=$(date +%s)
log "building runc $version (tags $tags) with $goversion into $dir (once; cached afterwards)"
# GOFLAGS is reset: -mod=mod (the Makefile's) is refused with pkg@version.
GOFLAGS=-buildvcs=false GOBIN=$tmp/bin CGO_ENABLED=1 "$gobin" install -trimpath -buildmode=pie \
	-tags "$tags" -ldflags "-X main.gitCommit=$version" "$module@$version"
[[ -x $tmp/bin/runc ]] || die "go install did not produce runc"
"$tmp/bin/runc" --version >&2
"$tmp/bin/runc" --version | grep -q "^runc version ${version#v}$" ||
	die "the built runc does not say version ${version#v}"
rm -rf -- "$dir"
mv -- "$tmp" "$dir"
trap - EXIT
chmod 0755 -- "$dir"
log "built in $(($(date +%s) - start))s"
echo "$bin"
