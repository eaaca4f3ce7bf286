#!/usr/bin/env bash
# demo.sh: show sysbox-lite at work, for a newcomer, on a private dockerd.
#
# Usage: sudo hack/demo.sh        (normally through `sudo make demo`)
#
# Builds nothing itself (make demo builds bin/sysbox-lite first). Starts a
# private containerd+dockerd pair in a temporary directory with sysbox-lite
# registered (its ID pool and state also live there: /etc is not touched),
# imports a busybox image built locally, runs `docker run --privileged
# --runtime=sysbox-lite --network none` and prints evidence, then removes
# everything it created.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$here/.." && pwd -P)
bin="$repo/bin/sysbox-lite"
[[ $(id -u) == 0 ]] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }
[[ -x $bin ]] || { echo "demo: $bin missing: run make build" >&2; exit 1; }

dir=$(mktemp -d /tmp/sysbox-lite-demo.XXXXXX)
chmod 0711 "$dir"
cleanup() {
	set +e
	docker rm -f demo-a demo-b demo-c >/dev/null 2>&1
	"$here/private-daemon.sh" stop "$dir" >/dev/null 2>&1
	umount "$dir/state" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

echo "sysbox-lite:1048576:268435456" >"$dir/subuid"
cp "$dir/subuid" "$dir/subgid"
cat >"$dir/config.toml" <<TOML
state_dir = "$dir/state"
[idpool]
file = "$dir/idranges.json"
subuid_file = "$dir/subuid"
subgid_file = "$dir/subgid"
[policy]
audit_log = "$dir/audit.log"
TOML
cat >"$dir/daemon.json" <<JSON
{"runtimes": {"sysbox-lite": {"path": "$bin", "runtimeArgs": ["--sysbox-config", "$dir/config.toml"]}}}
JSON

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# inside NAME CMD: show and run a shell command inside a running container.
inside() {
	printf "$ docker exec %s sh -c '%s'\n" "$1" "$2"
	if out=$(docker exec "$1" sh -c "$2" 2>&1); then echo "  ok: ${out:-(no output)}"; else echo "  refused: $out"; fi
}

step "Starting a private dockerd (network off) with sysbox-lite registered"
"$here/private-daemon.sh" start "$dir" "$dir/daemon.json" >/dev/null
eval "$("$here/private-daemon.sh" env "$dir")"
"$here/load-image.sh" demo-busybox >/dev/null
echo "dockerd $(docker version -f '{{.Server.Version}}'), image demo-busybox built from the host's busybox-static"
D=(--runtime=sysbox-lite --network none)

step "1. Inside, a --privileged container is root; its user namespace maps root to an unprivileged host range"
echo '$ docker run --rm --privileged --runtime=sysbox-lite --network none demo-busybox sh -c "id; cat /proc/self/uid_map"'
docker run --rm --privileged "${D[@]}" demo-busybox sh -c 'id; echo "uid_map (inside, host, count):"; cat /proc/self/uid_map'

step "2. Two containers get disjoint, exclusive ranges (read on the host from /proc/PID/uid_map)"
docker run -d --name demo-a --privileged "${D[@]}" demo-busybox sleep 600 >/dev/null
docker run -d --name demo-b --privileged "${D[@]}" demo-busybox sleep 600 >/dev/null
for c in demo-a demo-b; do
	pid=$(docker inspect -f '{{.State.Pid}}' "$c")
	printf '%s: host pid %s, uid_map:%s, host uid of its processes: %s\n' "$c" "$pid" \
		"$(tr -s ' ' </proc/"$pid"/uid_map)" "$(stat -c %u /proc/"$pid")"
done

step "3. Who owns a file: root inside, uid 0 in docker's layer on the host (so commit/cp work), but the process is unprivileged"
docker exec demo-a sh -c 'echo hello >/made-inside; ls -ln /made-inside'
upper=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' demo-a)
echo "on the host: $(ls -ln "$upper/made-inside")"
echo "host /etc/shadow is readable by host root; the container's root is uid $(stat -c %u /proc/"$(docker inspect -f '{{.State.Pid}}' demo-a)") there and gets:"
runuser_out=$(setpriv --reuid "$(stat -c %u /proc/"$(docker inspect -f '{{.State.Pid}}' demo-a)")" --regid "$(stat -c %g /proc/"$(docker inspect -f '{{.State.Pid}}' demo-a)")" --clear-groups cat /etc/shadow 2>&1 | head -1 || true)
echo "  $runuser_out"

step "4. A read-only volume stays read-only, even for --privileged root"
mkdir -p "$dir/vol" && echo "host data" >"$dir/vol/file"
docker run -d --name demo-c --privileged "${D[@]}" -v "$dir/vol:/ro:ro" demo-busybox sleep 600 >/dev/null
for cmd in 'echo x > /ro/file' 'mount -o remount,rw /ro' 'umount /ro' 'umount -l /ro'; do
	inside demo-c "$cmd"
done
echo "host file still says: $(cat "$dir/vol/file")"
echo "(the mount was made on the host before the container's user namespace existed, so the kernel locks it: MNT_LOCKED)"

step "5. Mounts made inside by the engine are guarded by the seccomp supervisor; new mounts work"
inside demo-c 'umount /proc/keys'
inside demo-c 'mount -o remount,rw /proc/bus'
inside demo-c 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && touch /mnt/t/f && ls -ln /mnt/t && umount /mnt/t'
inside demo-c 'mkdir -p /mnt/p && mount -t proc proc /mnt/p && wc -c < /mnt/p/keys'
echo "(a new procfs gets the same masks: /mnt/p/keys reads 0 bytes, like /proc/keys)"
inside demo-c 'umount /mnt/p/keys'
echo "audit log: $(grep -c '"verdict":"denied"' "$dir/audit.log" 2>/dev/null || echo 0) denials recorded, e.g.:"
grep '"verdict":"denied"' "$dir/audit.log" 2>/dev/null | head -1 | sed 's/^/  /'

step "6. The container sees its own resources: /proc and sysinfo(2) are emulated per container"
echo '$ docker run --rm --runtime=sysbox-lite --network none -m 256m --cpuset-cpus 0 demo-busybox sh -c "free; nproc; head -1 /proc/meminfo; cat /proc/uptime"'
docker run --rm "${D[@]}" -m 256m --cpuset-cpus 0 demo-busybox sh -c 'free; nproc; head -1 /proc/meminfo; cat /proc/uptime'
echo "(the host has $(nproc) CPUs, $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB and has been up $(cut -d. -f1 /proc/uptime) s)"

step "7. Cleanup: removing containers releases their ranges"
docker rm -f demo-a demo-b demo-c >/dev/null
echo "allocated ranges left: $(jq '.entries | length' "$dir/idranges.json")"
echo "mounts left under the state directory: $(grep -c " $dir/state/" /proc/self/mountinfo || true)"
