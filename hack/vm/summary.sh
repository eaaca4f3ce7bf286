#!/usr/bin/env bash
# summary.sh: the table of a VM test bed run: area × guest, pass/fail/skip
# counts (smoke checks, and top-level integration tests in full mode), then
# every failure with its message.
#
# Usage: hack/vm/summary.sh RESULTS_DIR GUEST...
#
# Exit status 1 when anything failed, a guest gave no results (it hung, or
# never got to run), or the integration suite did not run at all; under
# CI=true a skipped test is a failure too (a missing prerequisite must not
# pass silently).
set -uo pipefail

[[ $# -ge 2 ]] || {
	echo "usage: $0 RESULTS_DIR GUEST..." >&2
	exit 2
}
R=$1
shift
guests=("$@")
areas=(smoke basics views cgroups mounts refusals systemd dind other)

# area_of TEST: the table row of a top-level test
area_of() {
	case $1 in
	TestRun* | TestParallelRanges | TestHostOwnership | TestLifecycle | TestRestart*) echo basics ;;
	TestSysinfo* | TestFsemu*) echo views ;;
	TestCgroup*) echo cgroups ;;
	TestPrivilegedMounts* | TestControlRuncMounts* | TestTraps*) echo mounts ;;
	TestConfine* | TestHostile* | TestImageEtc* | TestVolumeOver*) echo refusals ;;
	TestSystemd*) echo systemd ;;
	TestDinD*) echo dind ;;
	*) echo other ;;
	esac
}

declare -A cell
rc=0
problems=()
for g in "${guests[@]}"; do
	d=$R/$g
	declare -A p=() f=() s=()
	if [[ -f $d/smoke.txt ]]; then
		p[smoke]=$(grep -c '^PASS ' "$d/smoke.txt")
		f[smoke]=$(grep -c '^FAIL ' "$d/smoke.txt")
	else
		problems+=("$g: no smoke results (guest did not run guest-run.sh; see $d/serial.log)")
	fi
	if [[ ! -f $d/rc ]]; then
		problems+=("$g: the guest gave no exit status$([[ -f $d/qemu-timeout ]] && echo ": qemu killed after $(cat "$d/qemu-timeout")")")
	fi
	if [[ -f $d/go-test.txt ]]; then
		if grep -q 'integration: SKIPPING all tests' "$d/go-test.txt"; then
			problems+=("$g: the integration suite skipped everything: $(grep -m1 'SKIPPING' "$d/go-test.txt")")
		fi
		if grep -q 'integration: setup failed' "$d/go-test.txt"; then
			problems+=("$g: integration setup failed: $(grep -m1 -A3 'setup failed' "$d/go-test.txt" | tr '\n' ' ')")
		fi
		while read -r verdict name _; do
			[[ $name == */* ]] && continue # subtests: listed below when failed
			a=$(area_of "$name")
			case $verdict in
			PASS:) p[$a]=$((${p[$a]:-0} + 1)) ;;
			FAIL:) f[$a]=$((${f[$a]:-0} + 1)) ;;
			SKIP:) s[$a]=$((${s[$a]:-0} + 1)) ;;
			esac
		done <"$d/tests.txt"
		if [[ $(cat "$d/go-test.rc" 2>/dev/null) != 0 && ! -s $d/tests.txt ]]; then
			problems+=("$g: go test exited $(cat "$d/go-test.rc" 2>/dev/null) with no test results: $(tail -n 5 "$d/go-test.txt" | tr '\n' ' ')")
		fi
	fi
	for a in "${areas[@]}"; do
		if [[ -z ${p[$a]:-}${f[$a]:-}${s[$a]:-} ]]; then
			cell[$g,$a]=-
			continue
		fi
		c="${p[$a]:-0} pass"
		((${f[$a]:-0})) && c+=", ${f[$a]} FAIL"
		((${s[$a]:-0})) && c+=", ${s[$a]} skip"
		cell[$g,$a]=$c
		((${f[$a]:-0} == 0)) || rc=1
		if ((${s[$a]:-0})) && [[ ${CI:-} == true ]]; then
			rc=1
			problems+=("$g: ${s[$a]} skipped test(s) in $a (CI=true: a skip is a failure)")
		fi
	done
	unset p f s
done

printf '\n%-10s' area
for g in "${guests[@]}"; do printf ' | %-26s' "$g"; done
printf '\n%-10s' ----------
for g in "${guests[@]}"; do printf ' | %-26s' --------------------------; done
echo
for a in "${areas[@]}"; do
	line=$(printf '%-10s' "$a")
	any=0
	for g in "${guests[@]}"; do
		[[ ${cell[$g,$a]} != - ]] && any=1
		line+=$(printf ' | %-26s' "${cell[$g,$a]}")
	done
	((any)) && echo "$line"
done
echo
for g in "${guests[@]}"; do
	d=$R/$g
	[[ -f $d/env.txt ]] && { echo "$g:"; sed 's/^/  /' "$d/env.txt"; }
	[[ -f $d/boot-seconds ]] && echo "  qemu ran $(cat "$d/boot-seconds") s"
done

for g in "${guests[@]}"; do
	d=$R/$g
	if [[ -f $d/smoke.txt ]] && grep -q '^FAIL ' "$d/smoke.txt"; then
		echo
		echo "$g: smoke failures"
		grep '^FAIL ' "$d/smoke.txt" | sed 's/^/  /'
	fi
	if [[ -f $d/tests.txt ]] && grep -q '^FAIL:' "$d/tests.txt"; then
		echo
		echo "$g: failed tests"
		grep '^FAIL:' "$d/tests.txt" | sed 's/^/  /'
		echo "$g: failure messages (full log: $d/go-test.txt)"
		# testify's "Error:" blocks and t.Fatalf/t.Errorf lines (file:line:)
		grep -E -A6 '^[[:space:]]+Error:|^[[:space:]]+[a-z_]+_test\.go:[0-9]+: ' "$d/go-test.txt" |
			grep -v -E '^[[:space:]]+(Error Trace|Test):' | head -n 200 | sed 's/^/  /'
	fi
done
if ((${#problems[@]})); then
	rc=1
	echo
	printf 'PROBLEM: %s\n' "${problems[@]}"
fi
exit "$rc"
