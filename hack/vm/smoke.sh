#!/usr/bin/env bash
# smoke.sh: the short check of a guest (run inside it by guest-run.sh),
# against the guest's own dockerd (the distribution's systemd unit, systemd
# cgroup driver) with sysbox-lite registered by sysbox-lite-install.
#
# Usage: smoke.sh IMAGE RESULTS_FILE
#
# One line per check in RESULTS_FILE: "PASS name: detail" or
# "FAIL name: what was expected, what came (output)". Exit status: the
# number of failures (0 = all passed).
set -uo pipefail

image=$1
out=$2
fails=0
: >"$out"

# run NAME OPTS... -- CMD: docker run with the options every container of the
# test bed gets (privileged, sysbox-lite, no network); prints combined output
drun() {
	docker run --rm --privileged --runtime=sysbox-lite --network none "$@" 2>&1
}

pass() {
	echo "PASS $1: $2" | tee -a "$out"
}
fail() {
	echo "FAIL $1: $2" | tee -a "$out"
	fails=$((fails + 1))
}
# oneline TEXT: TEXT on one line (results are one line per check)
oneline() { tr '\n' '|' <<<"$1" | sed 's/|$//'; }

# 1. the user namespace: root inside maps to an unprivileged host range
o=$(drun "$image" cat /proc/self/uid_map)
if [[ $o =~ ^[[:space:]]*0[[:space:]]+([0-9]+)[[:space:]]+65536[[:space:]]*$ ]] && ((BASH_REMATCH[1] >= 65536)); then
	pass uid_map "$(oneline "$o" | tr -s ' ')"
else
	fail uid_map "want '0 <host range start> 65536', got: $(oneline "$o")"
fi

# 2. /proc/meminfo follows -m (cgroup v2 memory.max)
o=$(drun -m 256m "$image" sh -c 'head -1 /proc/meminfo; free | sed -n 2p')
if grep -Eq '^MemTotal:[[:space:]]+262144 kB' <<<"$o"; then
	pass meminfo_256m "$(oneline "$o" | tr -s ' ')"
else
	fail meminfo_256m "want MemTotal: 262144 kB, got: $(oneline "$o")"
fi

# 3. delegation: the container's root makes a sub-cgroup and enters it
# (cgroup v2: /sys/fs/cgroup is the container's own cgroup namespace root)
o=$(drun "$image" sh -c 'set -e; mkdir /sys/fs/cgroup/sbl-sub; echo $$ >/sys/fs/cgroup/sbl-sub/cgroup.procs; cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.subtree_control' )
if grep -Eq '^0::/sbl-sub$' <<<"$o"; then
	pass cgroup_delegation "$(oneline "$o")"
else
	fail cgroup_delegation "want 0::/sbl-sub in /proc/self/cgroup after entering it, got: $(oneline "$o")"
fi

# 4. the container cannot raise its own limit (memory.max stays host root's)
o=$(drun -m 256m "$image" sh -c 'echo max >/sys/fs/cgroup/memory.max && echo WROTE; cat /sys/fs/cgroup/memory.max')
if ! grep -q WROTE <<<"$o" && grep -q '^268435456$' <<<"$o"; then
	pass cgroup_limit_refused "$(oneline "$o")"
else
	fail cgroup_limit_refused "want the write refused and memory.max 268435456, got: $(oneline "$o")"
fi

# 5. a trapped mount refused: /etc/hostname is an initial (locked) mount
o=$(drun "$image" sh -c 'umount /etc/hostname && echo UMOUNTED; true')
if ! grep -q UMOUNTED <<<"$o" && grep -qi 'not permitted\|denied\|invalid' <<<"$o"; then
	pass umount_refused "$(oneline "$o")"
else
	fail umount_refused "want umount /etc/hostname refused, got: $(oneline "$o")"
fi

# 6. a new mount performed
o=$(drun "$image" sh -c 'mount -t tmpfs tmpfs /mnt && echo hi >/mnt/f && cat /mnt/f && grep " /mnt " /proc/self/mounts')
if grep -q '^hi$' <<<"$o" && grep -q 'tmpfs /mnt tmpfs' <<<"$o"; then
	pass mount_tmpfs "$(oneline "$o")"
else
	fail mount_tmpfs "want a tmpfs on /mnt, got: $(oneline "$o")"
fi

# 7. a new procfs (what an inner runc does for every container)
o=$(drun "$image" sh -c 'mount -t proc proc /mnt && echo MOUNTED && ls /mnt/self/ns >/dev/null && head -1 /mnt/meminfo')
if grep -q '^MOUNTED$' <<<"$o"; then
	pass mount_proc "$(oneline "$o")"
else
	fail mount_proc "want mount -t proc proc /mnt to work, got: $(oneline "$o")"
fi

echo "smoke: $fails failure(s)" | tee -a "$out"
exit "$fails"
