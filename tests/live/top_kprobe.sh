#!/usr/bin/env bash
# kprobe --top on a tracepoint (t:, which this kernel has): hits per value of
# a field with --by FIELD and per task with --by pid, as text when stdout is
# a file; the curses table in tmux shows the same rows and q exits 0;
# tracefs is left as it was.
. "$(dirname "$0")/lib.sh"
KPROBE=$SNOOP_BIN/kprobe
[ -x "$KPROBE" ] || skip "no kprobe binary in $SNOOP_BIN"
[ -d "$TRACEFS/events/sched/sched_process_exec" ] || skip "no sched:sched_process_exec tracepoint"

snapshot_tracefs "$WORK/before"
cp /bin/true "$WORK/kpt_a"
ESCNAME=$'kpt_\e[1mb'
cp /bin/true "$WORK/$ESCNAME"
PROBE='t:sched:sched_process_exec'
FILTER="filename ~ \"$WORK/kpt_*\""
# The last table of a text-mode output (printed at the end).
last_table() { awk '/^ +COUNT / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$1"; }

start_tool field "$KPROBE" --top -i 0.5 --by filename "$PROBE" "$FILTER"
"$WORK/kpt_a"; "$WORK/kpt_a"; "$WORK/$ESCNAME"
sleep 1.2
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS (--by filename): $(cat "$WORK/field.err")"
n=$(grep -cE '^ +COUNT +PROCS +PROBE +filename$' "$WORK/field.out" || true)
[ "$n" -ge 2 ] || { cat "$WORK/field.out" >&2; fail "expected a table every 0.5 s, got $n"; }
t=$(last_table "$WORK/field.out")
grep -qE "^ +2 +2 sched_process_exec +$WORK/kpt_a\$" <<<"$t" || { echo "$t" >&2; fail "no row: kpt_a 2 hits, 2 processes"; }
grep -qF "sched_process_exec       $WORK/kpt_\\x1b[1mb" <<<"$t" || { echo "$t" >&2; fail "no escaped row"; }

start_tool pid "$KPROBE" --top -i 0.5 --by pid "$PROBE" "$FILTER"
"$WORK/kpt_a" & p=$!; wait $p
sleep 1
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS (--by pid)"
t=$(last_table "$WORK/pid.out")
grep -qE "^ +1 +$p kpt_a +sched_process_exec\$" <<<"$t" || { echo "$t" >&2; fail "no row for PID $p"; }

# --by FIELD that the probe lacks: a usage error before anything runs.
rc=0
"$KPROBE" --top --by nosuch "$PROBE" >/dev/null 2>"$WORK/nosuch.err" || rc=$?
[ "$rc" = 64 ] || fail "--by nosuch: exit status $rc, expected 64"
grep -q 'has no field nosuch' "$WORK/nosuch.err" || fail "no message for --by nosuch: $(cat "$WORK/nosuch.err")"

# The curses table.
if command -v tmux >/dev/null; then
	SOCK=snooptest-kp-$$
	tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
	trap 'tm kill-server 2>/dev/null || true; cleanup_live' EXIT
	RC=$WORK/rc
	tm new-session -d -s top -x 150 -y 20 bash -c '"$0" "${@:2}"; echo $? > "$1"; sleep 60' \
		"$KPROBE" "$RC" --top -i 0.5 --by filename "$PROBE" "$FILTER"
	shell=$(tm display-message -p -t top '#{pane_pid}')
	BG_PIDS+=("$shell")
	tool=
	for i in $(seq 1 50); do
		tool=$(pgrep -P "$shell" -x kprobe || true)
		[ -n "$tool" ] && break
		sleep 0.1
	done
	[ -n "$tool" ] || fail "kprobe did not start in tmux"
	wait_armed "$tool"
	"$WORK/kpt_a"; "$WORK/kpt_a"; "$WORK/kpt_a"
	ok=
	for i in $(seq 1 50); do
		tm capture-pane -p -t top | grep -qE "^ +3 +3 sched_process_exec +$WORK/kpt_a\$" && { ok=1; break; }
		sleep 0.2
	done
	[ -n "$ok" ] || { tm capture-pane -p -t top >&2; fail "the screen never showed kpt_a with 3 hits"; }
	tm send-keys -t top q
	for i in $(seq 1 50); do [ -s "$RC" ] && break; sleep 0.2; done
	[ "$(cat "$RC" 2>/dev/null)" = 0 ] || fail "exit status '$(cat "$RC" 2>/dev/null)' after q"
	assert_no_leftovers_of "$tool"
	tm kill-server
else
	note "tmux not installed: curses part skipped"
fi

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
