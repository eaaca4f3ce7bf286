#!/usr/bin/env bash
# hybrid-v1.sh: run a command on a cgroup v1 hybrid host with every
# controller bound to a v1 hierarchy, as systemd lays a hybrid host out
# (systemd.unified_cgroup_hierarchy=0: the v1 controllers under
# /sys/fs/cgroup/<name>, the unified hierarchy at /sys/fs/cgroup/unified
# for process tracking only, with no controller).
#
# Usage: hack/hybrid-v1.sh CMD [ARG...]
#
# Why: crun refuses to create any container on a hybrid host whose unified
# hierarchy holds a controller ("cgroups in hybrid mode not supported, drop
# all controllers from cgroupv2", libcrun/cgroup.c, every crun version).
# A host whose init does not mount every v1 controller (this test VM leaves
# hugetlb on v2) is such a host; runc does not mind. The integration suite
# over crun runs under this script (make integration-engines).
#
# What it does: when /sys/fs/cgroup/unified is a cgroup2 mount whose
# cgroup.controllers is not empty, it mounts each of those controllers as a
# v1 hierarchy at /sys/fs/cgroup/<name>, in a private mount namespace of
# CMD's own (the mount is seen by CMD and its children only), runs CMD,
# then removes the (empty) child cgroups it left in those hierarchies and
# unmounts them, so that the kernel returns the controllers to the unified
# hierarchy. Binding a controller to a v1 hierarchy is visible host-wide
# while CMD runs (/proc/PID/cgroup of every process gains a line for it);
# a controller that the unified hierarchy uses (in its root's
# cgroup.subtree_control) is never moved (an error). Otherwise (cgroup v2
# unified, v1 only, or nothing on the unified side) it just runs CMD.
# The exit code is CMD's; 1 when the controllers cannot be given back
# (a cgroup still holds a process: it names them).
set -euo pipefail

log() { echo "hybrid-v1: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

unified=/sys/fs/cgroup/unified

# hierarchy_of C: the hierarchy ID controller C is bound to (0: unified).
hierarchy_of() { awk -v c="$1" '$1 == c {print $2}' /proc/cgroups; }

# give_back C DIR: C's v1 hierarchy is mounted at DIR; remove its (empty)
# child cgroups, wait until the kernel has freed them (a removed cgroup
# stays counted while it dies, and a hierarchy unmounted before that is
# kept, unmounted, with C bound to it), and unmount it.
give_back() {
	local c=$1 dir=$2 left rc=0
	find "$dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
	left=$(find "$dir" -mindepth 1 -type d)
	if [[ -n $left ]]; then
		log "cgroups left in $c (a process is still in them): $(tr '\n' ' ' <<<"$left")"
		rc=1
	else
		for _ in $(seq 100); do
			[[ $(awk -v c="$c" '$1 == c {print $3}' /proc/cgroups) -gt 1 ]] || break
			sleep 0.1
		done
	fi
	umount "$dir"
	return "$rc"
}

# In the private mount namespace (re-executed by unshare).
case ${1:-} in
--inner)
	shift
	read -r -a ctrls <<<"$SBL_HYBRID_CONTROLLERS"
	for c in "${ctrls[@]}"; do
		mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"
	done
	rc=0
	"$@" || rc=$?
	for c in "${ctrls[@]}"; do
		give_back "$c" "/sys/fs/cgroup/$c" || ((rc != 0)) || rc=1
	done
	exit "$rc"
	;;
--give-back) # C DIR: mount C's hidden hierarchy at DIR and give it back
	mount -t cgroup -o "$2" cgroup "$3"
	give_back "$2" "$3"
	exit
	;;
esac

(($# > 0)) || die "usage: $0 CMD [ARG...]"

if [[ $(stat -f -c %T "$unified" 2>/dev/null) != cgroup2fs || $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
	exec "$@" # not a hybrid host
fi
read -r -a ctrls <"$unified/cgroup.controllers" || true
if ((${#ctrls[@]} == 0)); then
	exec "$@" # systemd's layout already
fi
[[ $EUID -eq 0 ]] || die "needs root to bind ${ctrls[*]} to cgroup v1 hierarchies"
used=$(cat "$unified/cgroup.subtree_control")
[[ -z $used ]] || die "the unified hierarchy uses $used (cgroup.subtree_control): not moving controllers that are in use"

made=()
for c in "${ctrls[@]}"; do
	[[ $c =~ ^[a-z_]+$ && -n $(hierarchy_of "$c") ]] || die "$c (on the unified hierarchy) has no cgroup v1 counterpart"
	if [[ ! -d /sys/fs/cgroup/$c ]]; then
		mkdir "/sys/fs/cgroup/$c"
		made+=("/sys/fs/cgroup/$c")
	fi
done
log "binding ${ctrls[*]} to cgroup v1 (systemd's hybrid layout) while running: $*"

rc=0
SBL_HYBRID_CONTROLLERS="${ctrls[*]}" unshare -m --propagation private -- "$0" --inner "$@" || rc=$?
for d in "${made[@]}"; do
	rmdir -- "$d" || true
done

# A hierarchy is freed once it is unmounted and empty; if a dying cgroup
# kept it, mount it again (privately) and give it back once more.
for c in "${ctrls[@]}"; do
	for try in 1 2 3; do
		for _ in $(seq 20); do
			[[ $(hierarchy_of "$c") != 0 ]] || break
			sleep 0.1
		done
		[[ $(hierarchy_of "$c") != 0 ]] || break
		tmpdir=$(mktemp -d /tmp/sbl-hybrid-v1.XXXXXX)
		unshare -m --propagation private -- "$0" --give-back "$c" "$tmpdir" || true
		rmdir -- "$tmpdir"
	done
	if [[ $(hierarchy_of "$c") != 0 ]]; then
		log "error: $c did not return to the unified hierarchy ($(grep -E "^$c\s" /proc/cgroups)): a cgroup with a process in it keeps its v1 hierarchy alive; remove that process, then run: $0 true"
		rc=1
	fi
done
exit "$rc"
