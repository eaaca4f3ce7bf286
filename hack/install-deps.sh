#!/usr/bin/env bash
# install-deps.sh: install what sysbox-lite's build, tests and hack/ scripts
# need on Debian 12 (docker.io, containerd, runc, crun (the second engine the
# integration suite runs over), busybox-static,
# containernetworking-plugins (the CNI loopback plugin of the CRI tests),
# libseccomp-dev, fuse3, jq, iproute2, util-linux, procps, debootstrap) and
# download the Go modules. Idempotent: a fast no-op when everything is present.
#
# Usage: hack/install-deps.sh
#
# Never starts or enables a daemon: while apt runs, a policy-rc.d that denies
# every service action is put in place (unless one already exists), and any
# dockerd/containerd that appears during the install is reported (left alone).
# Needs root only when something must be installed. FORCE_INSTALL=1 runs the
# apt-get steps even when nothing is missing.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$here/.." && pwd -P)

packages=(docker.io containerd runc crun busybox-static containernetworking-plugins libseccomp-dev gcc libc6-dev pkg-config fuse3 jq iproute2 util-linux procps debootstrap)
commands=(dockerd containerd containerd-shim-runc-v2 ctr runc crun docker tini jq mkfs ip nsenter unshare pgrep fusermount3 gcc pkg-config debootstrap)

log() { echo "install-deps: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# missing_reasons: one line per missing command or package; empty when done.
missing_reasons() {
	local c p status
	for c in "${commands[@]}"; do
		command -v "$c" >/dev/null 2>&1 || echo "command $c"
	done
	for p in "${packages[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || echo "package $p"
	done
	# busybox-static: a dynamic busybox (package busybox) cannot run in images
	if ! [[ -x /bin/busybox ]] || LC_ALL=C ldd /bin/busybox >/dev/null 2>&1; then
		echo "static /bin/busybox"
	fi
}

# daemon_pids: PIDs of running (non-zombie) dockerd/containerd processes.
daemon_pids() {
	local name pid
	command -v pgrep >/dev/null 2>&1 || return 0
	for name in dockerd containerd; do
		for pid in $(pgrep -x "$name" || true); do
			[[ $(cat "/proc/$pid/stat" 2>/dev/null) == *") Z"* ]] || echo "$pid"
		done
	done | sort -n
}

install_packages() {
	if [[ $EUID -ne 0 ]]; then
		# a root shell of a fresh Debian has no sudo; another user may
		command -v sudo >/dev/null 2>&1 || die "missing dependencies and not root: run as root"
		exec sudo "$0" "$@"
	fi
	local before after pid created_policy=0
	before=$(daemon_pids)

	# Forbid service starts during the install (Debian's policy-rc.d
	# protocol; exit code 101 = action forbidden).
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\n# temporary, from sysbox-lite hack/install-deps.sh\nexit 101\n' \
			>/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		created_policy=1
		# shellcheck disable=SC2064 # expand now: remove exactly what was made
		trap "rm -f /usr/sbin/policy-rc.d" EXIT
	fi

	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"

	if ((created_policy)); then
		rm -f /usr/sbin/policy-rc.d
		trap - EXIT
	fi

	after=$(daemon_pids)
	for pid in $after; do
		if ! grep -qx "$pid" <<<"$before"; then
			log "WARNING: a daemon appeared during the install and is left running:" \
				"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || echo "pid $pid")"
		fi
	done
}

mapfile -t missing < <(missing_reasons)
if [[ ${FORCE_INSTALL:-0} == 1 ]]; then
	missing+=("(FORCE_INSTALL=1)")
fi
if ((${#missing[@]} > 0)); then
	log "missing: ${missing[*]}"
	install_packages
	mapfile -t missing < <(missing_reasons)
	((${#missing[@]} == 0)) || die "still missing after apt-get install: ${missing[*]}"
fi

# Go modules (go itself is not a Debian package here: /usr/local/go).
gobin=$(command -v go || true)
if [[ -z $gobin && -x /usr/local/go/bin/go ]]; then
	gobin=/usr/local/go/bin/go
fi
[[ -n $gobin ]] || die "go is not installed (expected in PATH or /usr/local/go/bin)"
(cd -- "$repo" && GOFLAGS=-mod=mod "$gobin" mod download)
# the containerd shim is a nested module (shim/go.mod)
(cd -- "$repo/shim" && GOFLAGS=-mod=mod "$gobin" mod download)
log "all dependencies present"
