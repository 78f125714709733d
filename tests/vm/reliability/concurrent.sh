#!/bin/bash
# vm-timeout: 180
# Issue 9, concurrency: all four tools, two of each, at once under a mixed
# workload. Each pair is told apart by a filter on a marker only its half of
# the workload has: each sees its own events, none sees the other's, and all
# clean up.
set -euo pipefail
. "$(dirname "$0")/common.bash"
require_file "$TRACEFS/kprobe_events" "needs kprobe events"
trap r_counts EXIT
r_before
rm -rf /tmp/relA /tmp/relB
mkdir -p /tmp/relA /tmp/relB
echo a >/tmp/relA/fileA; echo b >/tmp/relB/fileB
has_ft=0
[[ $(cat "$TRACEFS/available_tracers") == *function* ]] && has_ft=1

# Workers: each opens its own files and execs with its own marker, forever,
# and writes the PIDs of its process tree (itself and every child) to
# /tmp/relX/pids: functrace -p follows the children a process forks, so its
# records are told apart by PID.
worker() { # X
	trap 'exit 0' TERM
	local f=/tmp/rel$1/pids
	echo "$BASHPID" >>"$f"
	while :; do
		cat "/tmp/rel$1/file$1" >/dev/null & echo $! >>"$f"; builtin wait $!
		/bin/echo "marker$1" >/dev/null & echo $! >>"$f"; builtin wait $!
		sleep 0.05 & echo $! >>"$f"; builtin wait $!
	done
}
worker A & wA=$!
worker B & wB=$!

pids=()
st() { # NAME CMD...
	local n=$1; shift
	r_start "$n" "$@"
	pids+=("$BG_PID")
}
started=()
for X in A B; do
	if r_have execsnoop; then st "exec$X" "$SNOOP_BIN/execsnoop" -l "marker$X"; started+=("exec$X"); fi
	if r_have opensnoop; then st "open$X" "$SNOOP_BIN/opensnoop" "/tmp/rel$X/*"; started+=("open$X"); fi
	if r_have kprobe; then
		st "kp$X" "$SNOOP_BIN/kprobe" "p:do_sys_openat2 path=+0($(kreg 2)):ustring" "path ~ \"/tmp/rel$X/*\""
		started+=("kp$X")
	fi
done
w=$wA
for X in A B; do
	if r_have functrace && ((has_ft)); then
		st "ft$X" "$SNOOP_BIN/functrace" -j -p "$w" do_sys_openat2; started+=("ft$X")
	fi
	w=$wB
done
((${#started[@]})) || skip "no tool built"
sleep 3
for p in "${pids[@]}"; do stop_bg -p "$p" -t 20; done
kill "$wA" "$wB"; wait "$wA" "$wB" 2>/dev/null || true

for n in "${started[@]}"; do
	X=${n: -1}; Y=A; [[ $X == A ]] && Y=B
	case $n in
	exec*) mine="marker$X"; other="marker$Y" ;;
	open* | kp*) mine="/tmp/rel$X/file$X"; other="/tmp/rel$Y/" ;;
	ft*)
		# Every record's PID is in X's tree, at least one is, none is in
		# Y's tree.
		cp "/tmp/rel$X/pids" mine.pids; cp "/tmp/rel$Y/pids" theirs.pids
		json_check "$n.out" - <<'EOF'
mine = {int(p) for p in open("mine.pids").read().split()}
theirs = {int(p) for p in open("theirs.pids").read().split()}
calls = [r for r in rows if "pid" in r]
assert calls, "no call recorded"
assert any(r["pid"] in mine for r in calls), f"none of its own process tree's calls: {calls[:3]}"
bad = [r for r in calls if r["pid"] in theirs]
assert not bad, f"the other tree's calls: {bad[:3]}"
stray = [r for r in calls if r["pid"] not in mine]
assert not stray, f"calls of processes outside its tree: {stray[:3]}"
EOF
		continue ;;
	esac
	grep -q -- "$mine" "$n.out" || { cat "$n.err" >&2; head -n 20 "$n.out" >&2; fail "$n did not see its events ($mine)"; }
	if grep -q -- "$other" "$n.out"; then
		grep -- "$other" "$n.out" | head -n 5 >&2
		fail "$n saw the other's events ($other)"
	fi
done
r_check "after ${#started[@]} concurrent sessions"
note "${#started[@]} concurrent sessions: each saw its own events only, all clean"
