#!/usr/bin/env bash
# opensnoop --top on this machine's kernel (tracepoints, paths from --libc):
# paths by count with failures, last errno and processes, as text when
# stdout is a file and as the curses table in tmux (q exits 0); a path with
# a terminal escape shows escaped; tracefs is left as it was.
. "$(dirname "$0")/lib.sh"
OS=$SNOOP_BIN/opensnoop
[ -x "$OS" ] || skip "no $OS (build first)"
[ -e "$TRACEFS/events/syscalls/sys_exit_openat" ] || skip "no syscall tracepoints"
[ -e "$TRACEFS/uprobe_events" ] || skip "no uprobe events"
# With kprobes the paths come without --libc; this test is for the fallback.
[ ! -e "$TRACEFS/kprobe_events" ] || skip "kprobes exist here: the VM tests cover that path"

snapshot_tracefs "$WORK/before"
D=$WORK/d
mkdir "$D"
echo hi >"$D/exists"
ESC=$'esc\e[1mname'
echo hi >"$D/$ESC"
# Dynamically linked opens through the C library (what --libc sees).
workload() {
	cat "$D/exists" "$D/exists" "$D/exists" >/dev/null
	cat "$D/missing" 2>/dev/null || true
	cat "$D/missing" 2>/dev/null || true
	cat "$D/$ESC" >/dev/null
}
last_table() { awk '/^ +OPENS / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$1"; }

"$OS" --top --libc -i 0.5 "$D/*" >"$WORK/text.out" 2>"$WORK/text.err" &
tool=$!
BG_PIDS+=("$tool")
wait_armed "$tool"
workload
sleep 1.2
stop_tool "$tool" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS: $(cat "$WORK/text.err")"
t=$(last_table "$WORK/text.out")
grep -qE '^ +OPENS +FAILS +LAST ERR +PROCS +PATH$' <<<"$t" || { cat "$WORK/text.out" >&2; fail "no header"; }
# cat opens each of its arguments: one process, three opens of exists.
grep -qE "^ +3 +0 +- +1 $D/exists\$" <<<"$t" || { echo "$t" >&2; fail "no row: exists opened 3 times by 1 process"; }
grep -qE "^ +2 +2 +ENOENT +2 $D/missing\$" <<<"$t" || { echo "$t" >&2; fail "no row: missing failed twice (ENOENT)"; }
grep -qF "$D/esc\\x1b[1mname" <<<"$t" || { echo "$t" >&2; fail "no escaped row"; }
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/text.out"; then
	fail "a control byte in the text table"
fi

if command -v tmux >/dev/null; then
	SOCK=snooptest-os-$$
	tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
	trap 'tm kill-server 2>/dev/null || true; cleanup_live' EXIT
	RC=$WORK/rc
	tm new-session -d -s top -x 150 -y 20 bash -c '"$0" "${@:2}"; echo $? > "$1"; sleep 60' \
		"$OS" "$RC" --top --libc -i 0.5 "$D/*"
	shell=$(tm display-message -p -t top '#{pane_pid}')
	BG_PIDS+=("$shell")
	tool=
	for i in $(seq 1 50); do
		tool=$(pgrep -P "$shell" -x opensnoop || true)
		[ -n "$tool" ] && break
		sleep 0.1
	done
	[ -n "$tool" ] || fail "opensnoop did not start in tmux"
	wait_armed "$tool"
	workload
	ok=
	for i in $(seq 1 50); do
		tm capture-pane -p -t top | grep -qE "^ +2 +2 +ENOENT +2 $D/missing\$" && { ok=1; break; }
		sleep 0.2
	done
	[ -n "$ok" ] || { tm capture-pane -p -t top >&2; fail "the screen never showed the missing row"; }
	tm capture-pane -p -t top | grep -qF "$D/esc\\x1b[1mname" || { tm capture-pane -p -t top >&2; fail "no escaped row on the screen"; }
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
