#!/usr/bin/env bash
# run.sh: the VM test bed (docs/vmtest.md): boot guests with qemu, run the
# smoke (and in full mode the integration selection) inside, collect the
# results and print a summary.
#
# Usage: hack/vm/run.sh smoke|full [GUEST...]   (default guests: debian13 debian12)
#
# Per guest: the cached image (hack/vm/build-image.sh; built when missing)
# booted read-only under a throwaway qcow2 overlay, the payload disk
# (hack/vm/payload.sh, shared by the guests of one run, each behind its own
# overlay) and an empty results disk (ext4, label sbl-results) that is read
# back with debugfs (no mount). qemu: no network device at all, serial
# console to a log file, killed by a timeout when the guest hangs. Nothing
# is left running or mounted: qemu is the only process started, and it is
# killed on any exit of this script.
#
# Results: $VM_CACHE/results/<time>/<guest>/ (serial.log, env.txt,
# smoke.txt, tests.txt, go-test.txt, ...), summarized by hack/vm/summary.sh.
# Exit status: 0 when every check and test passed, 1 otherwise (a guest
# that gave no results is a failure).
#
# Environment:
#   VM_ACCEL     auto (default: KVM when a probe boot works, else TCG), kvm, tcg
#   VM_MEM, VM_SMP   guest memory (MiB, default 4096) and CPUs (default 2)
#   VM_TIMEOUT   seconds before qemu is killed (default: smoke 1800, full 14400)
#   VM_RUN       the go test -run selection of full mode (default: hack/vm/selection)
#   VM_KEEP=1    keep the per-run disks (overlays, payload, results image)
set -euo pipefail

# shellcheck source=hack/vm/lib.sh
. "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

usage() {
	echo "usage: $0 smoke|full [${GUESTS[*]}]" >&2
	exit 2
}
[[ $# -ge 1 ]] || usage
mode=$1
shift
[[ $mode == smoke || $mode == full ]] || usage
guests=("$@")
((${#guests[@]})) || guests=("${GUESTS[@]}")
for g in "${guests[@]}"; do guest_suite "$g" >/dev/null; done

need_root
ensure_host_deps
VM_MEM=${VM_MEM:-4096}
VM_SMP=${VM_SMP:-2}
if [[ $mode == smoke ]]; then
	VM_TIMEOUT=${VM_TIMEOUT:-1800}
else
	VM_TIMEOUT=${VM_TIMEOUT:-14400}
fi

t0=$(date +%s)
# the PID too: runs from two checkouts may start in the same second
stamp=$(date +%Y%m%d-%H%M%S)-$$
results=$VM_CACHE/results/$stamp
work=$VM_CACHE/work/$stamp
mkdir -p -- "$results" "$work"
qpid=
cleanup() {
	# qemu (through its timeout wrapper) is the one process we start
	if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null; then
		vm_log "stopping qemu (timeout wrapper pid $qpid)"
		# timeout(1) passes TERM on to qemu; its child by parent PID if not
		pkill -KILL -P "$qpid" 2>/dev/null || true
		kill -TERM -- "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	if [[ ${VM_KEEP:-0} != 1 ]]; then
		rm -rf -- "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- images first (a cold build is minutes per guest)
declare -A imgdir
for g in "${guests[@]}"; do
	s=$(date +%s)
	imgdir[$g]=$("$VM_HERE/build-image.sh" "$g")
	vm_log "$g: image ${imgdir[$g]} ($(($(date +%s) - s)) s)"
done

# --- the payload, once for all guests of this run
s=$(date +%s)
selection=${VM_RUN:-$(grep -v '^[[:space:]]*#' "$VM_HERE/selection" | grep -v '^[[:space:]]*$' | paste -sd'|')}
# guest-run.sh reads these from the payload's run/
VM_SELECTION=$selection VM_GOTEST_TIMEOUT="$((VM_TIMEOUT - 600))s" \
	"$VM_HERE/payload.sh" "$mode" "$work/payload.img"
payload_secs=$(($(date +%s) - s))
vm_log "payload ready in $payload_secs s"

# --- KVM or TCG. /dev/kvm may open and still not run a guest (on this
# Firecracker host: "KVM internal error. Suberror: 1" with the default CPU,
# an abort on MSR 0x10a with -cpu host/max): a probe boot of the guest's
# kernel without a root must reach its panic within 20 s (a KVM guest does
# in ~2 s). The verdict is cached per host kernel and qemu version.
accel=${VM_ACCEL:-auto}
if [[ $accel == auto ]]; then
	probe_key=$(printf '%s %s' "$(uname -r)" "$(qemu-system-x86_64 --version | head -1)" | sha256sum | cut -c1-16)
	probe_cache=$VM_CACHE/kvm-probe-$probe_key
	if [[ -s $probe_cache ]]; then
		accel=$(cat "$probe_cache")
	else
		accel=tcg
		if [[ -r /dev/kvm && -w /dev/kvm ]]; then
			probe=$work/kvm-probe.log
			# (a subshell: the shell's "Killed" notice of the timeout stays out of the output)
			(timeout -s KILL 20 qemu-system-x86_64 -accel kvm -m 256 -smp 1 -nic none -vga none \
				-nographic -monitor none -serial "file:$probe" -no-reboot \
				-kernel "${imgdir[${guests[0]}]}/vmlinuz" -append "console=ttyS0 panic=-1 root=/dev/nonexistent" \
				>"$work/kvm-probe.qemu.log" 2>&1) 2>/dev/null || true
			if grep -q 'Kernel panic' "$probe" 2>/dev/null; then
				accel=kvm
			fi
		fi
		echo "$accel" >"$probe_cache"
	fi
	vm_log "accelerator: $accel (auto: KVM only where a probe boot reaches the kernel; cached in $probe_cache)"
fi
if [[ $accel == kvm ]]; then
	cpu=(-accel kvm)
else
	# TCG: every vCPU a host thread; "max" gives the guest the CPU features
	# TCG emulates (the default qemu64 lacks some that distros use)
	cpu=(-accel tcg,thread=multi -cpu max)
fi

# --- boot each guest
for g in "${guests[@]}"; do
	d=${imgdir[$g]}
	gw=$work/$g
	out=$results/$g
	mkdir -p -- "$gw" "$out"
	cp -- "$d/versions.txt" "$out/image-versions.txt"
	# the image stays untouched: every run writes to throwaway overlays
	qemu-img create -q -f qcow2 -F raw -b "$d/root.img" "$gw/root.qcow2"
	qemu-img create -q -f qcow2 -F raw -b "$work/payload.img" "$gw/payload.qcow2"
	mkfs.ext4 -q -F -L sbl-results "$gw/results.img" 1024M >&2
	printf '%s\n' "$selection" >"$out/selection"

	vm_log "$g: booting ($accel, ${VM_MEM} MiB, $VM_SMP CPUs, timeout $VM_TIMEOUT s); serial console: $out/serial.log"
	s=$(date +%s)
	timeout -s KILL "$VM_TIMEOUT" qemu-system-x86_64 "${cpu[@]}" -m "$VM_MEM" -smp "$VM_SMP" \
		-nic none -vga none -nographic -monitor none -serial "file:$out/serial.log" -no-reboot \
		-kernel "$d/vmlinuz" -initrd "$d/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 systemd.firstboot=off panic=-1" \
		-drive "file=$gw/root.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		-drive "file=$gw/payload.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		-drive "file=$gw/results.img,if=virtio,format=raw,cache=unsafe" \
		>"$out/qemu.log" 2>&1 &
	qpid=$!
	qrc=0
	wait "$qpid" || qrc=$?
	qpid=
	secs=$(($(date +%s) - s))
	if ((qrc == 137)); then
		vm_log "$g: TIMEOUT after $secs s: qemu killed (the guest hung or ran too long); see $out/serial.log"
		echo "timeout after $secs s" >"$out/qemu-timeout"
	else
		vm_log "$g: qemu exited $qrc after $secs s"
	fi
	echo "$secs" >"$out/boot-seconds"
	# results off the disk without mounting it
	debugfs -R "rdump /r $out" "$gw/results.img" >/dev/null 2>"$out/debugfs.log" || true
	if [[ -d $out/r ]]; then
		cp -a -- "$out/r/." "$out/" && rm -rf -- "$out/r"
	fi
	rm -f -- "$gw/root.qcow2" "$gw/payload.qcow2"
done

rc=0
"$VM_HERE/summary.sh" "$results" "${guests[@]}" || rc=$?
vm_log "total $(($(date +%s) - t0)) s; results in $results"
exit "$rc"
