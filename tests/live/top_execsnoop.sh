#!/usr/bin/env bash
# execsnoop --top in a real terminal (tmux): the rows of a known workload
# appear with their counts, s/S change the sort column, p stops counting,
# r empties the table, / filters, a resize is redrawn, q exits 0; a terminal
# escape in a filename shows escaped; tracefs is left as it was. Then the
# same with stdout to a file: the table as text every interval and at the end.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || skip "tmux is not installed (scripts/test installs it)"

SOCK=snooptest-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup_top() {
	tm kill-server 2>/dev/null || true
	SOCK=$SOCK-2 tm kill-server 2>/dev/null || true
	cleanup_live
}
trap cleanup_top EXIT

# Workload programs with names nothing else on the machine execs. They
# sleep so that the fallback path (arguments from /proc) finds them alive.
cp /bin/sleep "$WORK/snooptop_a"
cp /bin/sleep "$WORK/snooptop_b"
ESCNAME=$'snooptop_\e[31mred'
cp /bin/sleep "$WORK/$ESCNAME"
BIDINAME=$'snooptop_\xe2\x80\xaeevil' # U+202E RIGHT-TO-LEFT OVERRIDE ("Trojan Source")
cp /bin/sleep "$WORK/$BIDINAME"
run() { # PROG TIMES: TIMES runs of PROG 0.3, in parallel
	local i pids=()
	for i in $(seq 1 "$2"); do "$WORK/$1" 0.3 & pids+=($!); done
	wait "${pids[@]}"
}

screen() { tm capture-pane -p -t top; }
# Wait until the screen matches an extended regex (grep -E), or fail.
wait_screen() {
	local re=$1 what=$2 i
	for i in $(seq 1 50); do
		screen | grep -qE -- "$re" && return 0
		sleep 0.2
	done
	screen >&2
	fail "screen never showed $what (/$re/)"
}
# Wait until the screen no longer matches, or fail.
wait_gone() {
	local re=$1 what=$2 i
	for i in $(seq 1 50); do
		screen | grep -qE -- "$re" || return 0
		sleep 0.2
	done
	screen >&2
	fail "screen still shows $what (/$re/)"
}
# Two refreshes (-i 0.5), for what must stay the same.
settle() { sleep 1.2; }
# The status line (second line). Patterns are anchored to it or to a row:
# the test's own grep commands are execs too and show up in the table.
ST='^(rows [0-9]+-[0-9]+ of [0-9]+|no rows)  sort '
# A row: COUNT, LAST PID, LAST PPID, then the command.
row() { echo "^ +$1 +[0-9]+ +[0-9]+ .*/$2 0\.3\$"; }

snapshot_tracefs "$WORK/before"

# A shell around the tool writes its exit status (tmux 3.3's
# pane_dead_status is not reliable) and keeps the pane for a last look.
RC=$WORK/rc
tm new-session -d -s top -x 160 -y 40 bash -c '"$0" "${@:2}"; echo $? > "$1"; sleep 60' \
	"$SNOOP_BIN/execsnoop" "$RC" --top -i 0.5 -n '^snooptop_'
shell=$(tm display-message -p -t top '#{pane_pid}')
BG_PIDS+=("$shell")
tool=
for i in $(seq 1 50); do
	tool=$(pgrep -P "$shell" -x execsnoop || true)
	[ -n "$tool" ] && break
	sleep 0.1
done
[ -n "$tool" ] || fail "execsnoop did not start in tmux"
BG_PIDS+=("$tool")
wait_armed "$tool"
# -n keeps the table to the workload: the machine may exec a lot meanwhile.
wait_screen '^execsnoop --top -i 0\.5 -n \^snooptop_ .*elapsed' "the header line with the options"
wait_screen '^ +COUNT +LAST PID +LAST PPID +COMMAND' "the column names"
wait_screen '^q quit' "the keys line"

run snooptop_a 2
run snooptop_b 4
run "$ESCNAME" 1
run "$BIDINAME" 1
wait_screen "$(row 4 snooptop_b)" "snooptop_b counted 4 times"
wait_screen "$(row 2 snooptop_a)" "snooptop_a counted 2 times"
# The escape is on the screen as text; a raw one would have been eaten by
# the terminal (and turned the rest of the screen red).
wait_screen '/snooptop_\\x1b\[31mred 0\.3$' "the escaped filename"
wait_screen '/snooptop_\\u\{202e\}evil 0\.3$' "the escaped bidi control"
# Sorted by COUNT: b (4) above a (2).
screen | grep -E 'snooptop_[ab] 0\.3$' | head -n 1 | grep -q snooptop_b ||
	{ screen >&2; fail "COUNT order: snooptop_b should be above snooptop_a"; }
screen | grep -qE "${ST}COUNT" || fail "status line does not say 'sort COUNT'"

# s: next column (LAST PID); S twice: back to COUNT, then to the last, COMMAND.
tm send-keys -t top s
wait_screen "${ST}LAST PID" "sort LAST PID after s"
tm send-keys -t top S S
wait_screen "${ST}COMMAND" "sort COMMAND after s S S"
screen | grep -E 'snooptop_[ab] 0\.3$' | head -n 1 | grep -q snooptop_a ||
	{ screen >&2; fail "COMMAND order: snooptop_a should be above snooptop_b"; }
tm send-keys -t top s
wait_screen "${ST}COUNT" "sort COUNT after s from the last column"

# p: counting stops (the events are shown as not counted), p again resumes.
tm send-keys -t top p
wait_screen "${ST}.*  PAUSED" "PAUSED after p"
run snooptop_a 3
settle
screen | grep -qE "$(row 2 snooptop_a)" || { screen >&2; fail "counted while paused"; }
wait_screen "${ST}.*  PAUSED \\([1-9][0-9]* events not counted\\)" "the events not counted"
tm send-keys -t top p
wait_gone "${ST}.*  PAUSED" "PAUSED after the second p"
screen | grep -qE "$(row 2 snooptop_a)" || { screen >&2; fail "paused events were counted after resuming"; }
run snooptop_a 1
wait_screen "$(row 3 snooptop_a)" "snooptop_a counting again after p"

# r: the table starts again from nothing.
tm send-keys -t top r
wait_gone '/snooptop_[ab] 0\.3$' "rows after r"
run snooptop_b 1
wait_screen "$(row 1 snooptop_b)" "snooptop_b counted 1 after r"

# /: only the rows containing the text; Esc clears it.
run snooptop_a 1
wait_screen "$(row 1 snooptop_a)" "snooptop_a after r"
tm send-keys -t top /
tm send-keys -t top -l snooptop_b
tm send-keys -t top Enter
wait_screen "${ST}.*  filter \"snooptop_b\"" "the filter in the status line"
wait_gone '/snooptop_a 0\.3$' "the filtered-out row"
screen | grep -qE "$(row 1 snooptop_b)" || { screen >&2; fail "filtered row not shown"; }
tm send-keys -t top / Escape
wait_gone "${ST}.*  filter \"" "the filter after / Esc"
wait_screen "$(row 1 snooptop_a)" "all rows back after / Esc"

# A resize is redrawn at the new size: the keys line on the new last line.
tm resize-window -t top -x 100 -y 20
for i in $(seq 1 50); do
	screen | sed -n 20p | grep -q '^q quit' && break
	sleep 0.2
done
screen | sed -n 20p | grep -q '^q quit' ||
	{ screen >&2; fail "keys line not on the last line after a resize to 20 lines"; }

# q: exit 0, terminal given back, tracefs as it was.
tm send-keys -t top q
for i in $(seq 1 50); do
	[ -s "$RC" ] && break
	sleep 0.2
done
[ -s "$RC" ] || fail "still running 10 s after q"
status=$(cat "$RC")
[ "$status" = 0 ] || { screen >&2; fail "exit status $status after q"; }
# What was said on stderr while the screen was up comes out after it.
if [ ! -e "$TRACEFS/kprobe_events" ]; then
	screen | grep -q 'kprobe events are not available' ||
		{ screen >&2; fail "the fallback notice was not shown after the screen closed"; }
fi
assert_no_leftovers_of "$tool"
tm kill-server

# Ctrl-C ends it the same way: exit 0, the screen given back. (A server
# of its own: the first one may still be going away.)
SOCK=$SOCK-2
rm -f "$RC"
tm new-session -d -s top -x 100 -y 20 bash -c '"$0" "${@:2}"; echo $? > "$1"; sleep 60' \
	"$SNOOP_BIN/execsnoop" "$RC" --top
shell=$(tm display-message -p -t top '#{pane_pid}')
BG_PIDS+=("$shell")
wait_screen '^q quit' "the keys line (second run)"
tm send-keys -t top C-c
for i in $(seq 1 50); do
	[ -s "$RC" ] && break
	sleep 0.2
done
[ "$(cat "$RC" 2>/dev/null)" = 0 ] || { screen >&2; fail "exit status '$(cat "$RC" 2>/dev/null)' after Ctrl-C"; }
screen | grep -q '^q quit' && { screen >&2; fail "the table is still on the screen after Ctrl-C"; }
tm kill-server

# Not a terminal: the table as text every interval, and at the end.
start_tool text "$SNOOP_BIN/execsnoop" --top -i 0.5
tool=$BG_PID
run snooptop_a 2
run snooptop_b 1
sleep 1.2
stop_tool "$tool" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS after SIGINT (text mode)"
out=$WORK/text.out
n=$(grep -cE '^ +COUNT +LAST PID +LAST PPID +COMMAND$' "$out" || true)
[ "$n" -ge 3 ] || { cat "$out" >&2; fail "expected a table every 0.5 s, got $n"; }
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2} execsnoop --top -i 0\.5: elapsed .* events/s, lost [0-9]+, keys [0-9]+/10000' "$out" ||
	{ cat "$out" >&2; fail "no header line in text mode"; }
# The last table (printed at the end) has both rows.
last=$(awk '/^ +COUNT +LAST PID/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$out")
grep -qE "$(row 2 snooptop_a)" <<<"$last" || { cat "$out" >&2; fail "last table lacks snooptop_a x2"; }
grep -qE "$(row 1 snooptop_b)" <<<"$last" || { cat "$out" >&2; fail "last table lacks snooptop_b x1"; }
# No byte of control reached the file either (tabs and escapes escaped).
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$out"; then
	fail "a control byte in the text table"
fi
assert_no_leftovers_of "$tool"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
