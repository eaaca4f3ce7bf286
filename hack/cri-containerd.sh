#!/usr/bin/env bash
# cri-containerd.sh: start/stop a private containerd with its CRI plugin
# enabled (Kubernetes' container runtime interface), whose whole state lives
# under one directory, with two runtime handlers: "runc" (plain runc) and
# "sysbox-lite". Used by the CRI integration tests and `make critest`.
#
# Usage: hack/cri-containerd.sh start|stop|config DIR
#
#   start DIR   write DIR/containerd.toml (`version = 2` with
#               io.containerd.grpc.v1.cri for containerd 1.x, `version = 3`
#               with io.containerd.cri.v1.* for 2.x), a loopback-only CNI
#               config and registry mirrors, start containerd (CRI socket
#               DIR/containerd.sock) and wait until it answers.
#   stop DIR    remove every pod left (crictl rmp -fa, when CRICTL is set),
#               SIGTERM leftover shims and containerd by the PIDs recorded
#               under DIR (SIGKILL after 20 s; container inits get SIGKILL
#               through their init.pid), then unmount what is left under DIR.
#               Never matches process names.
#   config DIR  only write the configuration files (print the config path).
#
# Environment:
#   CONTAINERD   containerd binary (default: containerd on PATH); its major
#                version picks the config format; its directory goes first
#                in containerd's PATH (a 2.x build's containerd-shim-runc-v2)
#   SBL_RUNTIME  the runtime binary of handler sysbox-lite, used as the runc
#                shim's BinaryName: sysbox-lite itself, or a wrapper that
#                adds --sysbox-config (required for start/config)
#   SBL_SHIM     when set to a containerd-shim-sysbox-lite-v2 binary, handler
#                sysbox-lite uses runtime_type io.containerd.sysbox-lite.v2
#                (the shim is found through PATH: its directory is
#                prepended to containerd's PATH); SBL_RUNTIME is then still
#                passed as BinaryName
#   REGISTRY     host:port of a loopback registry (127.0.0.1:PORT): the
#                registries that test images name (registry.k8s.io,
#                gcr.io, k8s.gcr.io, docker.io) are mirrored to it over
#                plain http; nothing else is reachable
#   SANDBOX_IMAGE  pause image (default registry.k8s.io/pause:3.9)
#   CRICTL       crictl binary (for `stop`: remove the pods first)
#
# Networking: no pod can reach anything. Every pod gets a network namespace
# of its own with lo (the `loopback` plugin of containernetworking-plugins,
# /usr/lib/cni) and an eth0 from hack/cni/sbl-isolated: one end of a veth
# pair whose other end stays in the same namespace, addressed in
# 127.0.0.0/8 (containerd's CRI insists on an IP on eth0). Streaming
# (exec/attach/port-forward) listens on 127.0.0.1 only.
#
# restrict_oom_score_adj: the sandbox asks for oom_score_adj -998, which
# needs CAP_SYS_RESOURCE; where containerd lacks it (a container or a
# sandboxed VM) runc would fail with "can't get final child's PID from pipe".
set -euo pipefail

CONTAINERD=${CONTAINERD:-containerd}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
START_TIMEOUT=${START_TIMEOUT:-60}
SANDBOX_IMAGE=${SANDBOX_IMAGE:-registry.k8s.io/pause:3.9}
CNI_BIN_DIR=${CNI_BIN_DIR:-/usr/lib/cni}

# pid_alive, stop_pid, mounts_under, shims_of
# shellcheck source=hack/lib/daemons.sh
. "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib/daemons.sh"

log() { echo "cri-containerd: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
usage() {
	echo "usage: $0 start|stop|config DIR" >&2
	exit 2
}

# major_version: the major version of $CONTAINERD ("1" or "2").
major_version() {
	local v
	v=$("$CONTAINERD" --version 2>/dev/null | awk '{print $3}')
	v=${v#v}
	[[ $v =~ ^[0-9]+ ]] || die "cannot tell the version of $CONTAINERD from '$("$CONTAINERD" --version 2>&1 | head -1)'"
	echo "${BASH_REMATCH[0]}"
}

# toml_str S: S as a TOML basic string.
toml_str() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

write_cni() {
	local here
	here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
	rm -rf -- "$DIR/cni" "$DIR/cni-bin"
	mkdir -p -- "$DIR/cni" "$DIR/cni-bin"
	# containerd sets up lo with `loopback` itself; eth0 comes from
	# sbl-isolated (a veth pair inside the pod's namespace, 127.77.x.y)
	cp -f -- "$CNI_BIN_DIR/loopback" "$here/cni/sbl-isolated" "$DIR/cni-bin/"
	cat >"$DIR/cni/10-sbl-isolated.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "sbl-isolated",
  "plugins": [ { "type": "sbl-isolated" } ]
}
EOF
}

write_hosts() {
	local reg
	rm -rf -- "$DIR/certs.d"
	[[ -n ${REGISTRY:-} ]] || return 0
	[[ $REGISTRY == 127.0.0.1:* ]] || die "REGISTRY must be a loopback address (127.0.0.1:PORT), not $REGISTRY"
	for reg in registry.k8s.io gcr.io k8s.gcr.io docker.io; do
		mkdir -p -- "$DIR/certs.d/$reg"
		# server = the mirror too: nothing ever goes to the real registry
		cat >"$DIR/certs.d/$reg/hosts.toml" <<EOF
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
EOF
	done
}

runtime_options() { # NAME BINARY ROOT
	printf '          BinaryName = %s\n          Root = %s\n' "$(toml_str "$2")" "$(toml_str "$3")"
}

write_config_v2() {
	local sbl_type=io.containerd.runc.v2
	[[ -n ${SBL_SHIM:-} ]] && sbl_type=io.containerd.sysbox-lite.v2
	local p='plugins."io.containerd.grpc.v1.cri"'
	cat >"$DIR/containerd.toml" <<EOF
# generated by hack/cri-containerd.sh: a private containerd 1.x with CRI, all state in $DIR
version = 2
root = $(toml_str "$DIR/root")
state = $(toml_str "$DIR/state")

[grpc]
  address = $(toml_str "$DIR/containerd.sock")
[ttrpc]
  address = $(toml_str "$DIR/containerd.sock.ttrpc")
[debug]
  address = $(toml_str "$DIR/containerd-debug.sock")
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = $(toml_str "$DIR/opt")

[$p]
  sandbox_image = $(toml_str "$SANDBOX_IMAGE")
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  [$p.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [$p.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [$p.containerd.runtimes.runc.options]
$(runtime_options runc runc "$DIR/runc")
    [$p.containerd.runtimes.sysbox-lite]
      runtime_type = "$sbl_type"
      [$p.containerd.runtimes.sysbox-lite.options]
$(runtime_options sysbox-lite "$SBL_RUNTIME" "$DIR/sbl-runc")
  [$p.cni]
    bin_dir = $(toml_str "$DIR/cni-bin")
    conf_dir = $(toml_str "$DIR/cni")
  [$p.registry]
    config_path = $(toml_str "$DIR/certs.d")
EOF
}

write_config_v3() {
	local sbl_type=io.containerd.runc.v2
	[[ -n ${SBL_SHIM:-} ]] && sbl_type=io.containerd.sysbox-lite.v2
	local rt="plugins.'io.containerd.cri.v1.runtime'" im="plugins.'io.containerd.cri.v1.images'"
	cat >"$DIR/containerd.toml" <<EOF
# generated by hack/cri-containerd.sh: a private containerd 2.x with CRI, all state in $DIR
version = 3
root = $(toml_str "$DIR/root")
state = $(toml_str "$DIR/state")

[grpc]
  address = $(toml_str "$DIR/containerd.sock")
[ttrpc]
  address = $(toml_str "$DIR/containerd.sock.ttrpc")
[debug]
  address = $(toml_str "$DIR/containerd-debug.sock")
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = $(toml_str "$DIR/opt")

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[$im]
  snapshotter = "overlayfs"
  [$im.pinned_images]
    sandbox = $(toml_str "$SANDBOX_IMAGE")
  [$im.registry]
    config_path = $(toml_str "$DIR/certs.d")

[$rt]
  enable_selinux = false
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  [$rt.containerd]
    default_runtime_name = "runc"
    [$rt.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [$rt.containerd.runtimes.runc.options]
$(runtime_options runc runc "$DIR/runc")
    [$rt.containerd.runtimes.sysbox-lite]
      runtime_type = "$sbl_type"
      [$rt.containerd.runtimes.sysbox-lite.options]
$(runtime_options sysbox-lite "$SBL_RUNTIME" "$DIR/sbl-runc")
  [$rt.cni]
    bin_dirs = [$(toml_str "$DIR/cni-bin")]
    conf_dir = $(toml_str "$DIR/cni")
EOF
}

write_config() {
	[[ -n ${SBL_RUNTIME:-} ]] || die "SBL_RUNTIME (the sysbox-lite runtime binary or wrapper) is not set"
	[[ -x $CNI_BIN_DIR/loopback ]] || die "$CNI_BIN_DIR/loopback not found (run hack/install-deps.sh: containernetworking-plugins)"
	mkdir -p -- "$DIR/root" "$DIR/state" "$DIR/opt"
	chmod 0711 -- "$DIR" "$DIR/state"
	write_cni
	write_hosts
	case $(major_version) in
	1) write_config_v2 ;;
	2) write_config_v3 ;;
	*) die "unsupported containerd version: $("$CONTAINERD" --version)" ;;
	esac
}


cri_ok() {
	if [[ -n ${CRICTL:-} ]]; then
		"$CRICTL" --runtime-endpoint "unix://$DIR/containerd.sock" --timeout 2s info >/dev/null 2>&1
	else
		[[ -S $DIR/containerd.sock ]] && ctr -a "$DIR/containerd.sock" version >/dev/null 2>&1
	fi
}

cmd_start() {
	command -v "$CONTAINERD" >/dev/null || die "$CONTAINERD not found"
	if pid_alive "$DIR/containerd.pid" >/dev/null; then
		die "a containerd is already running in $DIR: run '$0 stop $DIR' first"
	fi
	write_config
	[[ -f $DIR/containerd.log ]] && mv -f -- "$DIR/containerd.log" "$DIR/containerd.log.old"
	# containerd finds its shims through PATH: its own directory first (a
	# 2.x build brings containerd-shim-runc-v2), then SBL_SHIM's
	local path=$PATH
	[[ $CONTAINERD == */* ]] && path=$(dirname -- "$CONTAINERD"):$path
	[[ -n ${SBL_SHIM:-} ]] && path=$(dirname -- "$SBL_SHIM"):$path
	rm -f -- "$DIR/containerd.pid"
	local reaper=()
	command -v tini >/dev/null 2>&1 && reaper=(tini -s --)
	# shellcheck disable=SC2016 # $$ and "$@" expand in the inner shell
	PATH=$path setsid sh -c 'echo $$ >"$0"; exec "$@"' "$DIR/containerd.pid" \
		"${reaper[@]}" "$CONTAINERD" --config "$DIR/containerd.toml" \
		</dev/null >>"$DIR/containerd.log" 2>&1 &
	local i
	for ((i = 0; i < START_TIMEOUT * 5; i++)); do
		if cri_ok; then
			log "running: unix://$DIR/containerd.sock ($("$CONTAINERD" --version | awk '{print $3}'))"
			return 0
		fi
		if ((i > 10)) && ! pid_alive "$DIR/containerd.pid" >/dev/null; then
			log "containerd exited during startup"
			tail -n 30 -- "$DIR/containerd.log" >&2
			return 1
		fi
		sleep 0.2
	done
	log "containerd did not answer within ${START_TIMEOUT}s"
	tail -n 30 -- "$DIR/containerd.log" >&2
	cmd_stop || true
	return 1
}




cmd_stop() {
	local pid f pass mp left=0
	if [[ -n ${CRICTL:-} ]] && pid_alive "$DIR/containerd.pid" >/dev/null; then
		# pods first: containerd then removes their network namespaces
		# (under /var/run/netns) and the runtimes delete their containers
		"$CRICTL" --runtime-endpoint "unix://$DIR/containerd.sock" --timeout 60s rmp -fa >&2 || true
	fi
	if [[ -d $DIR/state ]]; then
		while IFS= read -r -d '' f; do
			if pid=$(pid_alive "$f"); then
				log "killing leftover container init (pid $pid, $f)"
				kill -KILL "$pid" 2>/dev/null || true
			fi
		done < <(find "$DIR/state" -name init.pid -print0 2>/dev/null)
	fi
	for pid in $(shims_of "$DIR/containerd.sock"); do
		stop_pid "$pid" "containerd shim"
	done
	if pid=$(pid_alive "$DIR/containerd.pid"); then
		stop_pid "$pid" containerd
	fi
	for pass in 1 2 3; do
		[[ -n $(mounts_under "$DIR") ]] || break
		while IFS= read -r mp; do
			[[ -n $mp ]] || continue
			umount -- "$mp" 2>/dev/null || umount -l -- "$mp" || true
		done < <(mounts_under "$DIR")
	done
	if [[ -n $(mounts_under "$DIR") ]]; then
		log "still mounted under $DIR:"
		mounts_under "$DIR" >&2
		left=1
	fi
	rm -f -- "$DIR/containerd.pid"
	return "$left"
}

[[ $# -eq 2 ]] || usage
action=$1
case $action in start | stop | config) ;; *) usage ;; esac
[[ $EUID -eq 0 || $action == config ]] || die "must run as root"
[[ -n $2 ]] || usage
if [[ $action == stop ]]; then
	[[ -d $2 ]] || exit 0
	DIR=$(cd -- "$2" && pwd -P)
else
	mkdir -p -- "$2"
	DIR=$(cd -- "$2" && pwd -P)
fi
[[ $DIR != / ]] || die "refusing to use / as DIR"

case $action in
start) cmd_start ;;
stop) cmd_stop ;;
config)
	write_config
	echo "$DIR/containerd.toml"
	;;
esac
