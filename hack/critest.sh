#!/usr/bin/env bash
# critest.sh: run cri-tools' critest (the CRI validation suite) against a
# private containerd with CRI, once with runtime handler sysbox-lite and
# once with plain runc, in the same run and on the same daemon, and print
# pass/fail/skip counts side by side with every spec whose outcome differs.
# Root only. `make critest` runs it.
#
# Usage: hack/critest.sh [containerd-1.6|containerd-2.x ...]
#        (default: both; containerd-2.x is hack/containerd2.sh's build with
#        containerd-shim-sysbox-lite-v2)
#
# Everything is private: a work directory /tmp/sbl-critest.XXXXXX (sysbox-lite
# state, ID pool, daemons, reports), a registry on 127.0.0.1 serving the
# images critest pulls (hack/cri-registry), pods on an isolated CNI network
# (hack/cni/sbl-isolated). Nothing leaves the machine. The work directory
# is removed at the end unless KEEP=1; the summary is printed and written
# to $OUT (default: bin/critest-summary.txt).
#
# critest's HostIpc specs create a 1 MiB System V shared memory segment on
# the host with ipcmk and never remove it: segments of that size created
# during the run are removed at the end.
#
# Environment: GINKGO_FOCUS / GINKGO_SKIP (regexps passed to critest),
# KEEP=1, OUT.
set -euo pipefail
export LC_ALL=C # sort and join agree on the order

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$here/.." && pwd -P)
OUT=${OUT:-$repo/bin/critest-summary.txt}

log() { echo "critest: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

[[ $EUID -eq 0 ]] || die "must run as root (private containerd, real runc)"
command -v jq >/dev/null || die "jq not found (run hack/install-deps.sh)"
command -v ipcrm >/dev/null || die "ipcrm not found (util-linux)"
variants=("$@")
((${#variants[@]} > 0)) || variants=(containerd-1.6 containerd-2.x)

start_time=$(date +%s)
work=$(mktemp -d /tmp/sbl-critest.XXXXXX)
chmod 0711 "$work"
reg_pid=
daemons=()

cleanup() {
	local d
	for d in "${daemons[@]}"; do
		CRICTL=$tools/crictl "$here/cri-containerd.sh" stop "$d" >/dev/null 2>&1 || log "stopping $d failed"
	done
	if [[ -n $reg_pid ]] && kill -0 "$reg_pid" 2>/dev/null; then
		kill "$reg_pid" 2>/dev/null || true
		wait "$reg_pid" 2>/dev/null || true
	fi
	# critest's ipcmk segments (HostIpc specs): 1 MiB, created since we started
	# read the whole table first: removing entries while reading the seq
	# file would skip some
	local key shmid perms size cpid lpid nattch rest n=0 segs
	segs=$(cat /proc/sysvipc/shm)
	while read -r key shmid perms size cpid lpid nattch rest; do
		[[ $key == key ]] && continue
		# rest: uid gid cuid cgid atime dtime ctime ...
		read -r _ _ _ _ _ _ ctime _ <<<"$rest"
		if [[ $size == 1048576 && $nattch == 0 && $ctime -ge $start_time ]] && ipcrm -m "$shmid" 2>/dev/null; then
			n=$((n + 1))
		fi
	done <<<"$segs"
	((n == 0)) || log "removed $n shared memory segment(s) that critest's HostIpc specs made on the host"
	if [[ ${KEEP:-0} == 1 ]]; then
		log "kept $work"
		return
	fi
	# sysbox-lite binds its state directory onto itself: unmount what is
	# left under the work directory (deepest first), then remove it
	local mp
	awk -v t="$work" '$5 == t || index($5, t "/") == 1 {print length($5) "\t" $5}' /proc/self/mountinfo |
		sort -rn | cut -f2- | while IFS= read -r mp; do
		umount -- "$mp" 2>/dev/null || umount -l -- "$mp" || true
	done
	rm -rf --one-file-system -- "$work"
}
trap cleanup EXIT

log "building sysbox-lite, crictl/critest, the test registry"
(cd "$repo" && make -s build >/dev/null)
tools=$("$here/cri-tools.sh")
mkdir -p "$work/bin"
(cd "$repo" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$work/bin/testbin" ./internal/testregistry/testbin)
(cd "$repo" && GOFLAGS=-mod=mod go build -o "$work/bin/cri-registry" ./hack/cri-registry)
cp "$repo/bin/sysbox-lite" "$work/bin/sysbox-lite"

# sysbox-lite: own state, pool and audit log
echo "sysbox-lite:1048576:268435456" >"$work/subuid"
cp "$work/subuid" "$work/subgid"
cat >"$work/config.toml" <<EOF
state_dir = "$work/state"

[idpool]
file = "$work/idranges.json"
subuid_file = "$work/subuid"
subgid_file = "$work/subgid"

[policy]
audit_log = "$work/audit.log"
EOF
printf '#!/bin/sh\nexec %q --sysbox-config %q "$@"\n' "$work/bin/sysbox-lite" "$work/config.toml" >"$work/bin/sysbox-lite-cri"
chmod 0755 "$work/bin/sysbox-lite-cri"

"$work/bin/cri-registry" -testbin "$work/bin/testbin" -addr-file "$work/registry.addr" >/dev/null 2>"$work/registry.log" &
reg_pid=$!
for ((i = 0; i < 100; i++)); do
	[[ -s $work/registry.addr ]] && break
	kill -0 "$reg_pid" 2>/dev/null || die "the test registry exited: $(cat "$work/registry.log")"
	sleep 0.1
done
registry=$(tr -d '\n' <"$work/registry.addr")
[[ -n $registry ]] || die "the test registry did not start"
log "test registry on $registry"

# run_critest DAEMON_DIR HANDLER REPORT: critest's exit code is ignored
# (failures are counted from the report).
run_critest() {
	local dir=$1 handler=$2 report=$3 args=()
	[[ -n ${GINKGO_FOCUS:-} ]] && args+=("--ginkgo.focus=$GINKGO_FOCUS")
	[[ -n ${GINKGO_SKIP:-} ]] && args+=("--ginkgo.skip=$GINKGO_SKIP")
	local t0=$SECONDS
	"$tools/critest" --runtime-endpoint "unix://$dir/containerd.sock" --image-endpoint "unix://$dir/containerd.sock" \
		--runtime-handler "$handler" --ginkgo.no-color --ginkgo.timeout=40m --ginkgo.json-report="$report" \
		"${args[@]}" >"${report%.json}.log" 2>&1 || true
	[[ -s $report ]] || die "critest wrote no report for $handler (see ${report%.json}.log)"
	echo $((SECONDS - t0))
}

# specs REPORT: "state<TAB>spec name" for every It spec, sorted by name.
specs() {
	jq -r '.[0].SpecReports[] | select(.LeafNodeType == "It") |
		[.State, ((.ContainerHierarchyTexts + [.LeafNodeText]) | join(" "))] | @tsv' "$1" | sort -t $'\t' -k2
}

count() { # REPORT STATE
	specs "$1" | awk -F'\t' -v s="$2" '$1 == s' | wc -l
}

summary=$work/summary.txt
{
	echo "critest (cri-tools $(basename "$tools" | cut -d- -f3)) on $(uname -r), runc $(runc --version | awk 'NR==1{print $3}'), $(date -u +%Y-%m-%d)"
} >"$summary"

for variant in "${variants[@]}"; do
	env=(SBL_RUNTIME="$work/bin/sysbox-lite-cri" REGISTRY="$registry" CRICTL="$tools/crictl")
	case $variant in
	containerd-1.6) ;;
	containerd-2.x)
		c2=$("$here/containerd2.sh")
		(cd "$repo" && make -s build >/dev/null)
		[[ -x $repo/bin/containerd-shim-sysbox-lite-v2 ]] || die "bin/containerd-shim-sysbox-lite-v2 was not built"
		mkdir -p "$work/shim"
		cp "$repo/bin/containerd-shim-sysbox-lite-v2" "$work/shim/"
		env+=(CONTAINERD="$c2/containerd" SBL_SHIM="$work/shim/containerd-shim-sysbox-lite-v2")
		;;
	*) die "unknown variant $variant (containerd-1.6, containerd-2.x)" ;;
	esac
	dir=$work/$variant
	daemons+=("$dir")
	env "${env[@]}" "$here/cri-containerd.sh" start "$dir" >/dev/null 2>"$work/$variant-start.log" ||
		die "start $variant: $(cat "$work/$variant-start.log")"
	version=$("$tools/crictl" --runtime-endpoint "unix://$dir/containerd.sock" version 2>/dev/null | awk '/RuntimeVersion/{print $2}')
	log "$variant ($version): critest with handler sysbox-lite"
	t_sbl=$(run_critest "$dir" sysbox-lite "$work/$variant-sysbox-lite.json")
	log "$variant ($version): critest with handler runc"
	t_runc=$(run_critest "$dir" runc "$work/$variant-runc.json")
	CRICTL=$tools/crictl "$here/cri-containerd.sh" stop "$dir" >/dev/null 2>&1 || log "stop $variant failed"

	s=$work/$variant-sysbox-lite.json r=$work/$variant-runc.json
	{
		echo
		echo "== $variant (containerd $version)"
		printf '%-10s %12s %12s\n' "" sysbox-lite runc
		for st in passed failed skipped; do
			printf '%-10s %12d %12d\n' "$st" "$(count "$s" "$st")" "$(count "$r" "$st")"
		done
		printf '%-10s %11ss %11ss\n' "time" "$t_sbl" "$t_runc"
		echo "-- specs whose outcome differs (sysbox-lite / runc):"
		join -t $'\t' -1 2 -2 2 -o 0,1.1,2.1 <(specs "$s") <(specs "$r") |
			awk -F'\t' '$2 != $3 {printf "  %-8s / %-8s %s\n", $2, $3, $1}'
		echo "-- failed under both:"
		join -t $'\t' -1 2 -2 2 -o 0,1.1,2.1 <(specs "$s") <(specs "$r") |
			awk -F'\t' '$2 == "failed" && $3 == "failed" {printf "  %s\n", $1}'
	} >>"$summary"
	cp "$s" "$r" "${s%.json}.log" "${r%.json}.log" "$(dirname "$OUT")/" 2>/dev/null || true
done

# nothing of sysbox-lite may be left
left=$(jq -r '.entries | length' "$work/idranges.json" 2>/dev/null || echo 0)
[[ $left == 0 ]] || log "WARNING: $left ID ranges still allocated after the run"
if [[ -d $work/state ]] && [[ -n $(find "$work/state" -mindepth 1 -maxdepth 1 -type d ! -name sock 2>/dev/null) ]]; then
	log "WARNING: container state left in $work/state: $(ls "$work/state")"
fi

mkdir -p "$(dirname "$OUT")"
cp "$summary" "$OUT"
cat "$summary"
log "summary written to $OUT ($((SECONDS))s)"
