#!/usr/bin/env bash
# Issue 9, coexistence on this machine's kernel: the real trace-cmd's
# instance (events, a filter, a bigger buffer), a foreign uprobe in another
# group enabled in a foreign instance, and an event enabled at the top level
# are set up first. After every run of the tools that work here (normal end,
# and kill -9 then the next start), all of them are unchanged (the full
# snapshot of tests/vm/reliability/snapshot.bash) and still recording: an
# exec of a new marker path reaches the trace-cmd instance and the top
# level, and runs the uprobe. The kprobe/function-tracer counterparts run in
# the guest kernels (tests/vm/reliability/coexist.bash), with trace-cmd
# start and record.
#
# trace-cmd 3.1.6 `start` and `record` crash on this locked-down kernel
# (a NULL dereference after set_ftrace_pid is refused with EPERM), so the
# instance is made with `trace-cmd set`, which configures it the same way
# without a recorder.
. "$(dirname "$0")/reliability_lib.bash"
command -v trace-cmd >/dev/null || skip "trace-cmd not installed"
[ -e "$TRACEFS/uprobe_events" ] || skip "no uprobe events"
have_tool execsnoop || have_tool opensnoop || have_tool kprobe || skip "no tool built"

# Names end in this test's PID: other people's snapshots on this shared
# machine leave out instances of live PIDs that are not theirs.
TCI=tc_live_$$
UPI=rel_up_$$
UPG=relforeign_$$
TOP_EV=$TRACEFS/events/sched/sched_process_exec/enable
top_was=$(cat "$TOP_EV")
coexist_undo() {
	[ "$top_was" = 0 ] && echo 0 >"$TOP_EV" 2>/dev/null
	echo 0 >"$TRACEFS/instances/$UPI/events/enable" 2>/dev/null
	rmdir "$TRACEFS/instances/$UPI" "$TRACEFS/instances/$TCI" 2>/dev/null
	echo "-:$UPG/true_entry" >>"$TRACEFS/uprobe_events" 2>/dev/null
	true
}
REL_ON_EXIT=coexist_undo

# The uprobe: the ELF entry point of /usr/bin/true, as a file offset.
off=$(python3 - /usr/bin/true <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"\x7fELF" and d[4] == 2, "not a 64-bit ELF"
entry, phoff = struct.unpack_from("<QQ", d, 24)
phentsize, phnum = struct.unpack_from("<HH", d, 54)
for i in range(phnum):
    t, _, o, va, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", d, phoff + i * phentsize)
    if t == 1 and va <= entry < va + filesz:
        print(hex(entry - va + o))
        break
PY
)
[ -n "$off" ] || fail "no entry point in /usr/bin/true"
echo "p:$UPG/true_entry /usr/bin/true:$off" >>"$TRACEFS/uprobe_events" || fail "the foreign uprobe was refused"
mkdir "$TRACEFS/instances/$UPI"
echo 1 >"$TRACEFS/instances/$UPI/events/$UPG/true_entry/enable"
# (the openat filter rarely matches: a system-wide openat flood, e.g. our
# own snapshots, would push the markers out of the 1 MiB buffer)
trace-cmd set -d -B "$TCI" -e sched:sched_process_exec -e syscalls:sys_enter_openat -f 'mode == 0123' \
	-b 1024 >"$WORK/tc.log" 2>&1 || fail "trace-cmd set: $(cat "$WORK/tc.log")"
[ "$(cat "$TRACEFS/instances/$TCI/tracing_on")" = 1 ] || fail "trace-cmd left its instance off"
echo 1 >"$TOP_EV"
rel_before

# mark LABEL: an exec of a new path; everything foreign must have seen it.
nmark=0
mark() {
	local m=$WORK/relmark_$((++nmark)) ups
	ln -sf /usr/bin/true "$m"
	ups=$(grep -c 'true_entry:' "$TRACEFS/instances/$UPI/trace" || true)
	"$m"
	grep -qw "relmark_$nmark" "$TRACEFS/instances/$TCI/trace" || { grep -c . "$TRACEFS/instances/$TCI/trace"; grep exec "$TRACEFS/instances/$TCI/trace" | tail -3; cat "$TRACEFS/instances/$TCI/set_event"; fail "$1: the trace-cmd instance no longer records"; }
	grep -qw "relmark_$nmark" "$TRACEFS/trace" || fail "$1: the top-level event no longer records"
	[ "$(grep -c 'true_entry:' "$TRACEFS/instances/$UPI/trace" || true)" -gt "$ups" ] ||
		fail "$1: the foreign uprobe no longer records"
}
mark "before any run"

runs=()
have_tool execsnoop && runs+=("execsnoop" "execsnoop -x -j")
have_tool opensnoop && runs+=("opensnoop" "opensnoop --libc -j")
have_tool kprobe && runs+=("kprobe t:syscalls:sys_enter_openat" "kprobe -c t:sched:sched_process_exec")
for run in "${runs[@]}"; do
	read -r -a cmd <<<"$run"
	cmd[0]=$SNOOP_BIN/${cmd[0]}
	start_tool run "${cmd[@]}"
	pid=$BG_PID
	poke
	stop_tool "$pid" INT
	[ "$BG_STATUS" = 0 ] || fail "$run: exit $BG_STATUS: $(cat "$WORK/run.err")"
	rel_check "$run"
	mark "$run"
	start_tool run "${cmd[@]}"
	pid=$BG_PID
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true
	"${cmd[@]}" -d 0.2 >/dev/null 2>"$WORK/next.err" || fail "$run: next start: $(cat "$WORK/next.err")"
	assert_no_leftovers_of "$pid"
	rel_check "$run, kill -9, next start"
	mark "$run, kill -9, next start"
done
note "${#runs[@]} tool runs (and as many kill -9s) beside trace-cmd's instance, a foreign uprobe and a top-level event: unchanged, $nmark markers seen by all"
