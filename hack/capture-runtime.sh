#!/usr/bin/env bash
# capture-runtime.sh: an OCI "runtime" for capturing the config.json that an
# engine (dockerd, containerd/ctr) generates. On `create` or `run` it copies
# <bundle>/config.json to $CAPTURE_DIR/<name>.json and fails on purpose
# (exit 1, with an error in runc's --log file so the engine shows it); every
# other subcommand (delete, kill, state, ...) is handed to runc unchanged.
#
# Usage: [CAPTURE_DIR=DIR] [CAPTURE_NAME=NAME | CAPTURE_NAME_FILE=FILE] \
#          hack/capture-runtime.sh [--capture-dir=DIR] [--capture-name-file=FILE] \
#          RUNC-GLOBAL-OPTIONS SUBCOMMAND [ARGS...]
#
# The bundle comes from --bundle/-b, else the current directory (runc's
# default). The name is $CAPTURE_NAME, else the first line of
# $CAPTURE_NAME_FILE, else the container ID. Engines give a runtime no
# environment of their own: register a small wrapper that sets the variables
# (as hack/capture-specs.sh does), or pass the --capture-* options first
# (e.g. through dockerd's "runtimeArgs"). RUNC selects the engine (default runc).
set -euo pipefail

RUNC=${RUNC:-runc}

# Our own options come first and are never passed on.
while (($# > 0)); do
	case $1 in
	--capture-dir=*) CAPTURE_DIR=${1#*=} ;;
	--capture-name-file=*) CAPTURE_NAME_FILE=${1#*=} ;;
	*) break ;;
	esac
	shift
done

args=("$@")
log_file='' log_format=text

# Skip runc's global options to find the subcommand.
i=0
while ((i < ${#args[@]})); do
	a=${args[i]}
	case $a in
	--log) log_file=${args[i + 1]:-}; i=$((i + 2)) ;;
	--log=*) log_file=${a#*=}; i=$((i + 1)) ;;
	--log-format) log_format=${args[i + 1]:-}; i=$((i + 2)) ;;
	--log-format=*) log_format=${a#*=}; i=$((i + 1)) ;;
	--root | --criu | --rootless) i=$((i + 2)) ;;
	-*) i=$((i + 1)) ;; # --debug, --systemd-cgroup, --opt=value, ...
	*) break ;;
	esac
done
sub=${args[i]:-}

if [[ $sub != create && $sub != run ]]; then
	exec "$RUNC" "$@"
fi

# Parse the subcommand's options: bundle and container ID.
bundle='' id=''
for ((j = i + 1; j < ${#args[@]}; j++)); do
	a=${args[j]}
	case $a in
	--bundle | -b) bundle=${args[j + 1]:-}; j=$((j + 1)) ;;
	--bundle=* | -b=*) bundle=${a#*=} ;;
	--console-socket | --pid-file | --preserve-fds) j=$((j + 1)) ;;
	-*) ;; # --detach, --no-pivot, --no-new-keyring, --opt=value
	*) [[ -n $id ]] || id=$a ;;
	esac
done
bundle=${bundle:-$PWD}

fail() {
	local msg="capture-runtime: $*"
	echo "$msg" >&2
	if [[ -n $log_file ]]; then
		if [[ $log_format == json ]]; then
			msg=${msg//\\/\\\\}
			msg=${msg//\"/\\\"}
			printf '{"level":"error","msg":"%s","time":"%s"}\n' \
				"$msg" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$log_file"
		else
			printf 'time="%s" level=error msg="%s"\n' \
				"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$msg" >>"$log_file"
		fi
	fi
	exit 1
}

[[ -n ${CAPTURE_DIR:-} ]] || fail "CAPTURE_DIR is not set; nothing captured"
[[ -d $CAPTURE_DIR ]] || fail "CAPTURE_DIR $CAPTURE_DIR is not a directory"
[[ -r $bundle/config.json ]] || fail "no config.json in bundle $bundle"

name=${CAPTURE_NAME:-}
if [[ -z $name && -n ${CAPTURE_NAME_FILE:-} && -s $CAPTURE_NAME_FILE ]]; then
	name=$(head -n 1 -- "$CAPTURE_NAME_FILE")
fi
name=${name:-${id:-config}}
[[ $name != */* && $name != .* ]] || fail "bad capture name $name"

tmp=$(mktemp "$CAPTURE_DIR/.$name.XXXXXX")
cp -- "$bundle/config.json" "$tmp"
chmod 0644 -- "$tmp"
mv -f -- "$tmp" "$CAPTURE_DIR/$name.json"
fail "captured $bundle/config.json as $CAPTURE_DIR/$name.json; refusing to create container ${id:-?} on purpose"
