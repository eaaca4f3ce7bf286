# hack/lib/daemons.sh: shell functions shared by the scripts that start and
# stop private daemons (private-daemon.sh, cri-containerd.sh). Sourced, not
# run. The caller defines log() and STOP_TIMEOUT (seconds).

# pid_alive PIDFILE [COMM...]: prints the PID when the file names a live
# (not zombie) process whose command name is one of COMM (guards against PID
# reuse; no COMM means any).
pid_alive() {
	local file=$1 pid stat c comm
	shift
	[[ -s $file ]] || return 1
	pid=$(tr -dc '0-9' <"$file")
	[[ -n $pid ]] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	# state is the first field after the parenthesised command name
	[[ ${stat##*) } != Z* ]] || return 1
	if (($# > 0)); then
		c=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
		for comm in "$@"; do
			[[ $c == "$comm" ]] && break
		done
		[[ $c == "$comm" ]] || return 1
	fi
	echo "$pid"
}

# stop_pid PID: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
	local pid=$1 what=$2 i
	[[ -d /proc/$pid ]] || return 0
	log "stopping $what (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		[[ -d /proc/$pid ]] || return 0
		# a zombie child of ours counts as gone
		[[ $(cat "/proc/$pid/stat" 2>/dev/null) == *") Z"* ]] && return 0
		sleep 0.1
	done
	log "$what (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[[ -d /proc/$pid ]] || return 0
		sleep 0.1
	done
}

# mounts_under DIR: mount points at or below DIR, deepest first.
mounts_under() {
	local dir=$1
	# field 5 of mountinfo is the mount point with \040-style octal escapes
	awk '{print $5}' /proc/self/mountinfo |
		while IFS= read -r mp; do
			mp=$(printf '%b' "$mp")
			if [[ $mp == "$dir" || $mp == "$dir"/* ]]; then
				printf '%s\t%s\n' "$(tr -dc / <<<"$mp" | wc -c)" "$mp"
			fi
		done | sort -t $'\t' -k1,1nr -k2,2r | cut -f2- | uniq
}

# shims_of SOCKET: PIDs of live processes whose argv holds "-address SOCKET"
# (an exact match on two consecutive arguments, not on a process name).
shims_of() {
	local sock=$1 p arg prev
	for p in /proc/[0-9]*; do
		prev=
		while IFS= read -r -d '' arg; do
			if [[ $prev == -address && $arg == "$sock" ]]; then
				[[ $(cat "$p/stat" 2>/dev/null) == *") Z"* ]] || echo "${p#/proc/}"
				break
			fi
			prev=$arg
		done 2>/dev/null <"$p/cmdline" || true
	done
}
