#!/usr/bin/env bash
# busybox-rootfs.sh: build a minimal busybox root filesystem for tests.
#
# Usage: hack/busybox-rootfs.sh OUTDIR_OR_TAR
#
# OUTDIR_OR_TAR ending in ".tar" gets a tar archive (numeric owners, root
# files owned by 0:0); anything else is a directory that must be absent or
# empty. Contents: a COPY of the static busybox binary (/bin/busybox from
# busybox-static, or $BUSYBOX) at /bin/busybox, every applet from
# `busybox --list-full` as a HARD LINK to it (never an absolute symlink, so a
# chmod/chown/write inside a container can never reach the host's busybox),
# the directories bin sbin usr/bin usr/sbin usr/local/bin etc proc sys dev tmp
# (1777) root (0700) var run mnt home/tester, /etc/passwd and /etc/group with
# root and `tester` (uid/gid 1000, home owned by 1000:1000 when run as root).
set -euo pipefail

BUSYBOX=${BUSYBOX:-/bin/busybox}

die() {
	echo "busybox-rootfs: error: $*" >&2
	exit 1
}

[[ $# -eq 1 && -n $1 ]] || {
	echo "usage: $0 OUTDIR_OR_TAR" >&2
	exit 2
}
out=$1

[[ -x $BUSYBOX ]] || die "$BUSYBOX not found (install busybox-static: hack/install-deps.sh)"
# A dynamically linked busybox would not run in the image: refuse it.
if LC_ALL=C ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked; install busybox-static"
fi

# populate ROOT: fill an empty directory.
populate() {
	local root=$1 applet
	mkdir -p -- "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,proc,sys,dev,tmp,root,var/tmp,run,mnt,home/tester}
	chmod 0755 -- "$root" "$root"/{bin,sbin,usr,usr/bin,usr/sbin,usr/local,usr/local/bin,etc,proc,sys,dev,var,run,mnt,home,home/tester}
	chmod 1777 -- "$root/tmp" "$root/var/tmp"
	chmod 0700 -- "$root/root"

	# a copy, not a link: the image must not share an inode with the host
	cp -- "$BUSYBOX" "$root/bin/busybox"
	chmod 0755 -- "$root/bin/busybox"
	while IFS= read -r applet; do
		# skip the binary itself and top-level oddities such as "linuxrc"
		[[ $applet == */* && $applet != bin/busybox ]] || continue
		[[ -e $root/$applet ]] && continue
		mkdir -p -- "$root/$(dirname -- "$applet")"
		ln -- "$root/bin/busybox" "$root/$applet"
	done < <("$BUSYBOX" --list-full)
	[[ -e $root/bin/sh ]] || ln -- "$root/bin/busybox" "$root/bin/sh"

	cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$root/etc/group" <<'EOF'
root:x:0:
tester:x:1000:
nogroup:x:65534:
EOF
	chmod 0644 -- "$root/etc/passwd" "$root/etc/group"
	if [[ $EUID -eq 0 ]]; then
		chown -R 0:0 -- "$root"
		chown 1000:1000 -- "$root/home/tester"
	else
		echo "busybox-rootfs: not root: files keep the caller's owner; a tar is written with owner 0:0 throughout" >&2
	fi
}

case $out in
*.tar)
	outdir=$(dirname -- "$out")
	[[ -d $outdir ]] || die "directory $outdir does not exist"
	work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-rootfs.XXXXXX")
	trap 'rm -rf -- "$work"' EXIT
	populate "$work/rootfs"
	owner=()
	[[ $EUID -eq 0 ]] || owner=(--owner=0 --group=0)
	tmp=$(mktemp "$outdir/.busybox-rootfs.XXXXXX")
	tar --numeric-owner "${owner[@]}" --sort=name -C "$work/rootfs" -cf "$tmp" .
	chmod 0644 -- "$tmp"
	mv -f -- "$tmp" "$out"
	;;
*)
	if [[ -e $out ]]; then
		[[ -d $out ]] || die "$out exists and is not a directory"
		[[ -z $(ls -A -- "$out") ]] || die "$out is not empty"
	fi
	populate "$out"
	;;
esac
echo "busybox-rootfs: wrote $out" >&2
