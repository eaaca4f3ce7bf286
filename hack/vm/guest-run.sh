#!/usr/bin/env bash
# guest-run.sh: what a VM test bed guest does once booted (started by
# sbl-vmtest-boot from the payload disk; hack/vm/payload.sh puts it there).
#
# Usage: guest-run.sh RESULTS_DIR
#
# 1. records the guest (kernel, cgroup file system, docker's cgroup driver
#    and version, runc, containerd) in env.txt;
# 2. installs sysbox-lite as a user would (binaries to /usr/local/bin,
#    `sysbox-lite-install install`, which registers it with docker), and
#    restarts docker;
# 3. the smoke (smoke.sh) against the system dockerd: smoke.txt;
# 4. full mode: the compiled integration suite with the selection in
#    run/selection (its own private dockerd/containerd, as on the host):
#    go-test.txt (go test -v output) and tests.txt (one PASS/FAIL/SKIP line
#    per test and subtest).
# Logs of the guest's dockerd and the kernel go to docker.journal and dmesg.
set -uo pipefail

R=$1
P=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
mode=$(cat "$P/run/mode")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
step() { echo "== $(date +%T) $*" | tee -a "$R/steps.txt"; }

step "guest-run ($mode), payload $P, commit $(cat "$P/run/commit")"

# docker.service is ordered before us, but may still be starting (or have
# failed: then say so and go on; every check will show it)
wait_docker() {
	local i
	for ((i = 0; i < 300; i++)); do
		docker version >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "docker did not answer within 300 s" >&2
	systemctl status docker --no-pager >&2
	return 1
}
wait_docker

{
	echo "kernel: $(uname -r)"
	echo "cgroup fs: $(stat -fc %T /sys/fs/cgroup) (cgroup2fs = v2 unified)"
	echo "cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)"
	echo "init: $(ps -o comm= -p 1) $(systemctl --version | head -1)"
	echo "docker: $(docker version --format '{{.Server.Version}}' 2>&1)"
	echo "docker cgroup driver/version: $(docker info --format '{{.CgroupDriver}} v{{.CgroupVersion}}' 2>&1)"
	echo "docker security options: $(docker info --format '{{.SecurityOptions}}' 2>&1)"
	echo "containerd: $(containerd --version 2>&1)"
	echo "runc: $(runc --version 2>&1 | head -1)"
	echo "apparmor: $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)"
	echo "memory: $(free -m | sed -n 2p)"
	echo "cpus: $(nproc)"
} >"$R/env.txt" 2>&1
cat "$R/env.txt"

step "install sysbox-lite"
install -m 0755 "$P/repo/bin/sysbox-lite" "$P/repo/bin/containerd-shim-sysbox-lite-v2" /usr/local/bin/
if ! "$P/repo/bin/sysbox-lite-install" install --bin-dir /usr/local/bin >"$R/install.txt" 2>&1; then
	echo "FAIL install: $(tr '\n' '|' <"$R/install.txt")" | tee "$R/smoke.txt"
fi
cat "$R/install.txt"
cp /etc/docker/daemon.json "$R/daemon.json" 2>/dev/null
# sysbox-lite processes that are not containers' (a leftover in
# docker.service's cgroup makes systemd complain at every restart)
sbl_procs() {
	local pid
	for pid in $(pgrep -x sysbox-lite); do
		echo "$1: pid $pid ppid $(ps -o ppid= -p "$pid") cgroup $(cat "/proc/$pid/cgroup" 2>/dev/null | tr '\n' ' ') args: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
}
sbl_procs "after install" | tee "$R/sysbox-lite-procs.txt"
systemctl restart docker
wait_docker
docker info --format 'runtimes: {{range $k, $v := .Runtimes}}{{$k}} {{end}}' | tee -a "$R/env.txt"
sbl_procs "after docker restart" | tee -a "$R/sysbox-lite-procs.txt"

# the busybox image: a rootfs tarball made on the host (hack/busybox-rootfs.sh
# takes ~2 min under TCG), imported as hack/load-image.sh would
step "import the busybox image"
docker import --change 'CMD ["/bin/sh"]' "$P/run/busybox.tar" sbl-busybox:vm
step "smoke"
smoke_rc=0
"$P/run/smoke.sh" sbl-busybox:vm "$R/smoke.txt.new" || smoke_rc=$?
cat "$R/smoke.txt.new" >>"$R/smoke.txt"
rm -f "$R/smoke.txt.new"

if [[ $mode == full ]]; then
	step "integration suite: $(cat "$P/run/selection")"
	# Go works offline from the payload's toolchain, modules and warmed cache;
	# debian-image.sh finds its tarball in $P/cache under the host's key
	# (same script, same mirror name).
	export PATH="$P/go/bin:$PATH" GOROOT="$P/go" GOMODCACHE="$P/gomod" GOCACHE="$P/gocache" GOPATH="$P/gopath"
	export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off SBL_CACHE_DIR="$P/cache"
	DEBIAN_MIRROR=$(cat "$P/run/mirror")
	export DEBIAN_MIRROR
	(
		cd "$P/repo/integration" &&
			"$P/integration.test" -test.v -test.count=1 -test.timeout "$(cat "$P/run/timeout")" \
				-test.run "$(cat "$P/run/selection")"
	) >"$R/go-test.txt" 2>&1
	gotest_rc=$?
	echo "$gotest_rc" >"$R/go-test.rc"
	grep -E '^[[:space:]]*--- (PASS|FAIL|SKIP)' "$R/go-test.txt" | sed -E 's/^[[:space:]]*--- //' >"$R/tests.txt"
	step "integration suite exited $(cat "$R/go-test.rc"): $(cut -d: -f1 "$R/tests.txt" | sort | uniq -c | tr '\n' ' ')"
	tail -n 5 "$R/go-test.txt"
fi

journalctl -b -u docker -u containerd --no-pager >"$R/docker.journal" 2>&1
dmesg >"$R/dmesg" 2>&1
grep -i 'apparmor="DENIED"\|audit' "$R/dmesg" | tail -n 50 >"$R/denials.txt"
sbl_procs "at the end" | tee -a "$R/sysbox-lite-procs.txt"
step "done"
# non-zero when anything failed (the summary on the host decides anyway)
((smoke_rc == 0 && ${gotest_rc:-0} == 0))
