# hack/vm/lib.sh: shared by the hack/vm/ scripts (sourced, not run).
#
# The nested-VM test bed (docs/vmtest.md): guest images built with
# debootstrap and cached under $VM_CACHE, booted with qemu, no network
# device. Everything here runs as root on a Debian 12 host.

VM_HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$VM_HERE/../.." && pwd -P)
# SBL_CACHE_DIR is the tests' cache root (hack/debian-image.sh uses it too)
SBL_CACHE_DIR=${SBL_CACHE_DIR:-/var/cache/sysbox-lite-test}
VM_CACHE=${VM_CACHE:-$SBL_CACHE_DIR/vm}
GO=${GO:-/usr/local/go/bin/go}

# The guests. Both are booted as users run them: systemd as PID 1, cgroup v2
# unified (the default of both), dockerd as a systemd service with its
# default (systemd) cgroup driver.
GUESTS=(debian13 debian12)

vm_log() { echo "vm: $*" >&2; }
vm_die() {
	echo "vm: error: $*" >&2
	exit 1
}

# guest_suite GUEST: the Debian suite of a guest.
guest_suite() {
	case $1 in
	debian13) echo trixie ;;
	debian12) echo bookworm ;;
	*) vm_die "unknown guest $1 (known: ${GUESTS[*]})" ;;
	esac
}

# guest_packages GUEST: what debootstrap --include gets (comma separated).
# Common to both: kernel + initramfs-tools (Debian's initrd finds root on
# virtio), systemd as init, the engine, what the smoke and the integration
# suite call (busybox-static, fuse3, iproute2, procps, util-linux, e2fsprogs,
# jq, tini), apparmor (docker 20.10 with AppArmor enabled in the kernel and
# no apparmor_parser fails every run; real hosts have it), and what `go
# build` of sysbox-lite needs in the guest (gcc, libc6-dev, pkg-config,
# libseccomp-dev: libseccomp-golang is cgo). trixie's docker.io no longer
# ships the client: docker-cli.
guest_packages() {
	local common=linux-image-amd64,initramfs-tools,udev,systemd,systemd-sysv,dbus,kmod
	common+=,containerd,runc,busybox-static,fuse3,apparmor,libseccomp2,iproute2,procps,util-linux,e2fsprogs
	common+=,jq,tini,gcc,libc6-dev,pkg-config,libseccomp-dev,tar,bsdutils
	case $1 in
	debian13) echo "$common,docker.io,docker-cli" ;;
	debian12) echo "$common,docker.io" ;;
	*) vm_die "unknown guest $1" ;;
	esac
}

# host_mirror: the first Debian (not -security) URI of the host's apt
# sources (the same logic as hack/debian-image.sh). trixie comes from the
# same mirror; it is never added to the host's apt configuration.
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

vm_mirror() {
	local m=${DEBIAN_MIRROR:-$(host_mirror || true)}
	echo "${m:-http://deb.debian.org/debian}"
}

# need_root: everything here (debootstrap, qemu with the image files in a
# root-owned cache) runs as root.
need_root() {
	[[ $EUID -eq 0 ]] || vm_die "$(basename -- "$0") needs root"
}

# ensure_host_deps: install what the test bed needs on the host, only when
# something is missing (like hack/install-deps.sh; never starts a service:
# a policy-rc.d that denies every action is in place during the install).
# Under CI=true a package that cannot be installed is a failure like
# everywhere else (there is no skip path at all).
ensure_host_deps() {
	local -a cmds=(qemu-system-x86_64 qemu-img debootstrap mkfs.ext4 debugfs chroot flock timeout wget)
	local -a pkgs=(qemu-system-x86 qemu-utils debootstrap e2fsprogs coreutils util-linux wget)
	local c missing=()
	for c in "${cmds[@]}"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	# qemu's BIOS (a dependency of qemu-system-x86, checked because
	# --no-install-recommends setups have been seen without it)
	[[ -e /usr/share/seabios/bios-256k.bin ]] || missing+=(seabios)
	((${#missing[@]} == 0)) && return 0
	vm_log "missing on the host: ${missing[*]}; installing ${pkgs[*]} seabios"
	need_root
	local created_policy=0
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\n# temporary, from sysbox-lite hack/vm/lib.sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	local rc=0
	{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" seabios; } >&2 || rc=$?
	((created_policy)) && rm -f /usr/sbin/policy-rc.d
	((rc == 0)) || vm_die "apt-get install of ${pkgs[*]} failed (rc $rc)"
	for c in "${cmds[@]}"; do
		command -v "$c" >/dev/null 2>&1 || vm_die "$c still missing after apt-get install"
	done
}

# unmount_under DIR: unmount whatever is mounted at or below DIR, deepest
# first (debootstrap mounts proc/sys/... in its target and may leave them
# when it fails). Returns non-zero when something is still mounted.
unmount_under() {
	local dir=${1%/} m
	while read -r m; do
		umount -- "$m" 2>/dev/null || umount -l -- "$m" || true
	done < <(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	! awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo
}
