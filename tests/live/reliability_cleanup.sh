#!/usr/bin/env bash
# Issue 9, cleanup matrix on this machine's kernel (tracepoint paths): for
# every tool x {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, -d, -M,
# a signal during set-up, an error at every step of the set-up (fd limits,
# see rel_fd_sweep; kprobe's bad filter; -b refused where memory is short),
# SIGKILL of the tool alone (its reaper, within 1 s), SIGKILL of tool and
# reaper then the next start}, the full tracefs state
# (tests/vm/reliability/snapshot.bash) after the run equals the state before. The kprobe/function-tracer paths get the
# same matrix in the guest kernels (tests/vm/reliability/cleanup.sh).
. "$(dirname "$0")/reliability_lib.bash"

rel_before

# Per tool: the command line that traces something on this kernel.
declare -A CMD=(
	[execsnoop]="execsnoop"
	[opensnoop]="opensnoop"
	[kprobe]="kprobe t:syscalls:sys_enter_openat"
)
# A set-up that fails half-way on its own input: kprobe checks each filter
# after the instance exists and the earlier events are declared. (Every
# tool also gets the fd-limit sweep below, which fails it at every step up
# to the reader's per-CPU files, after its events are enabled.)
declare -A HALFWAY=(
	[kprobe]="kprobe -e t:syscalls:sys_enter_openat -e t:syscalls:sys_enter_close -e t:syscalls:sys_enter_read%if%no_such_field==1"
)
# -b at its limit (4 GiB per CPU), which libsnoop writes at the session's
# start, after the events exist: the kernel refuses it with ENOMEM only
# when the memory is not there. Where it is, the kernel would allocate
# it: the case then runs in the guest kernels only (1 GiB).
avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
big_b=0
[ "${avail_kb:-0}" -lt 4194304 ] && big_b=1

for tool in execsnoop opensnoop kprobe; do
	have_tool "$tool" || { note "$tool not built: skipped"; continue; }
	read -r -a cmd <<<"${CMD[$tool]}"
	cmd[0]=$SNOOP_BIN/${cmd[0]}

	for sig in INT TERM HUP QUIT; do
		start_tool "$tool-$sig" "${cmd[@]}"
		pid=$BG_PID
		poke
		stop_tool "$pid" "$sig"
		[ "$BG_STATUS" = 0 ] || fail "$tool SIG$sig: exit status $BG_STATUS: $(cat "$WORK/$tool-$sig.err")"
		assert_no_leftovers_of "$pid"
		rel_check "$tool SIG$sig"
	done
	note "$tool: SIGINT SIGTERM SIGHUP SIGQUIT clean"

	# SIGPIPE: the reader goes after one line (the header or an event).
	rm -f "$WORK/pipe.status"
	( "${cmd[@]}" 2>"$WORK/pipe.err"; echo $? >"$WORK/pipe.status" ) | head -n 1 >"$WORK/pipe.out" &
	hpid=$!
	for _ in $(seq 1 200); do
		poke; sleep 0.05
		[ -s "$WORK/pipe.status" ] && break
	done
	wait $hpid || true
	[ -s "$WORK/pipe.status" ] || fail "$tool did not end after its reader went away"
	[ "$(cat "$WORK/pipe.status")" = 0 ] || fail "$tool SIGPIPE: exit status $(cat "$WORK/pipe.status")"
	rel_check "$tool SIGPIPE"

	# -d
	"${cmd[@]}" -d 0.3 >/dev/null 2>"$WORK/d.err" || fail "$tool -d: exit $?: $(cat "$WORK/d.err")"
	rel_check "$tool -d"

	# -M: every tool stops by itself after 3 events
	( for _ in $(seq 1 100); do poke; sleep 0.02; done ) &
	ppid=$!
	timeout 20 "${cmd[@]}" -M 3 >"$WORK/M.out" 2>"$WORK/M.err" || fail "$tool -M 3: exit $?: $(cat "$WORK/M.err")"
	kill "$ppid" 2>/dev/null || true; wait "$ppid" 2>/dev/null || true
	rel_check "$tool -M"

	# A signal at a random moment of the set-up (0-60 ms after the exec):
	# whatever the tool had created by then is removed.
	for i in $(seq 1 4); do
		sig=TERM; [ $((i % 2)) = 0 ] && sig=HUP
		"${cmd[@]}" >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$((RANDOM % 6))$((RANDOM % 10))"
		kill -s "$sig" "$pid" 2>/dev/null || true
		st=0; wait "$pid" || st=$?
		# 0: the handler ran; 1: a set-up step saw the signal and gave
		# up (no message); 128+n: the signal came before the tool
		# touched tracefs (handlers are installed before anything else).
		case $st in 0 | 1 | 129 | 143) ;; *) fail "$tool: SIG$sig during set-up: exit $st" ;; esac
		assert_no_leftovers_of "$pid"
		rel_check "$tool SIG$sig during set-up ($i)"
	done
	note "$tool: SIGPIPE, -d, signals during set-up clean"

	# An error half-way through the set-up: the tool's own check.
	if [ -n "${HALFWAY[$tool]:-}" ]; then
		read -r -a hw <<<"${HALFWAY[$tool]}"
		hw=("${hw[@]//%/ }")
		hw[0]=$SNOOP_BIN/${hw[0]}
		st=0; "${hw[@]}" >/dev/null 2>"$WORK/hw.err" || st=$?
		[ "$st" != 0 ] || fail "$tool: the half-way failure did not fail"
		[ "$(wc -l <"$WORK/hw.err")" -le 3 ] || { cat "$WORK/hw.err" >&2; fail "$tool: more than a short error"; }
		rel_check "$tool error half-way"
		note "$tool: error half-way ($(head -n 1 "$WORK/hw.err")): clean"
	fi
	# Errors at every set-up step, up to the reader's per-CPU files.
	rel_fd_sweep rel_check "$tool" "${cmd[@]}" -d 0.2 || fail "$tool: fd-limit sweep (above)"
	note "$tool: fd limits 3..$((REL_FD_OK - 1)) failed the set-up $REL_FD_FAILS times ($REL_FD_LATE after the events were enabled), each clean"
	[ "$tool" = kprobe ] && KP_FD_OK=$REL_FD_OK
	if [ "$big_b" = 1 ]; then
		st=0; "${cmd[@]}" -b 4194304 -d 0.2 >/dev/null 2>"$WORK/b.err" || st=$?
		[ "$st" != 0 ] || fail "$tool -b 4194304 ran with ${avail_kb} KiB available"
		grep -q 'buffer_size_kb.*Cannot allocate memory' "$WORK/b.err" || fail "$tool -b 4194304: $(cat "$WORK/b.err")"
		rel_check "$tool -b refused by the kernel"
	fi
	# An instance of the old grammar (snoop_<tool>_<pid>, an older
	# snoopkit's) of a live process: not ours, left alone, no clash.
	st=0
	bash -c 'mkdir "$1/instances/snoop_$2_$$" && exec "${@:3}"' _ "$TRACEFS" "$tool" "${cmd[@]}" -d 0.2 \
		>/dev/null 2>"$WORK/taken.err" || st=$?
	taken=$(ls "$TRACEFS/instances" | grep -E "^snoop_${tool}_[0-9]+$" | while read -r n; do
		p=${n##*_}; kill -0 "$p" 2>/dev/null || echo "$n"; done | head -n 1)
	[ "$st" = 0 ] || fail "$tool beside a foreign snoop_${tool}_PID: exit $st: $(cat "$WORK/taken.err")"
	[ -n "$taken" ] || fail "$tool removed an instance it did not create"
	rmdir "$TRACEFS/instances/$taken"
	rel_check "$tool beside an old-grammar instance"

	# SIGKILL of the tool alone: its reaper removes everything within 1 s.
	start_tool "$tool-k9r" "${cmd[@]}"
	pid=$BG_PID
	reaper_of "$pid" >/dev/null || fail "$tool $pid has no snoop-reaper"
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true
	ms=$(wait_session_gone "$pid" 1000)
	rel_check "$tool SIGKILL, reaper"
	# SIGKILL of the tool and its reaper: leftovers, removed by the next start.
	start_tool "$tool-k9" "${cmd[@]}"
	pid=$BG_PID
	reaper=$(reaper_of "$pid") || fail "$tool $pid has no snoop-reaper"
	kill -9 "$reaper"; kill -9 "$pid"; wait "$pid" 2>/dev/null || true
	[ -n "$(session_left "$pid")" ] || fail "$tool: kill -9 left nothing: the sweep is not tested"
	"${cmd[@]}" -d 0.2 >/dev/null 2>"$WORK/k9.err" || fail "$tool: next start failed: $(cat "$WORK/k9.err")"
	assert_no_leftovers_of "$pid"
	rel_check "$tool SIGKILL of tool and reaper + next start"
	note "$tool: old-grammar instance untouched; SIGKILL: reaper clean in $ms ms; SIGKILL of both + next start clean"
done

# functrace: refused on this (locked down) kernel; the refusal is clean.
if have_tool functrace; then
	st=0; "$SNOOP_BIN/functrace" -d 0.2 vfs_read >/dev/null 2>"$WORK/ft.err" || st=$?
	rel_check "functrace (refused or run)"
	note "functrace: exit $st, clean: $(head -n 1 "$WORK/ft.err")"
fi

# Nothing lost silently at a tight fd limit either: at the lowest limit
# kprobe runs with, it reads every online CPU's buffer (a CPU whose
# trace_pipe_raw it could not open would drop every event recorded there
# without a word). Workload: getppid() pinned to each CPU in turn.
if [ -n "${KP_FD_OK:-}" ] && [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
	REL_NOFILE=$KP_FD_OK start_tool cpus "$SNOOP_BIN/kprobe" -j t:syscalls:sys_enter_getppid
	pid=$BG_PID
	cpus=$(seq -s ' ' 0 $(($(nproc) - 1)))
	for c in $cpus; do
		taskset -c "$c" python3 -c 'import os
for _ in range(50): os.getppid()'
	done
	stop_tool "$pid" INT
	rel_check "kprobe at fd limit $KP_FD_OK"
	python3 - "$WORK/cpus.out" $cpus <<'PY' || fail "kprobe at fd limit $KP_FD_OK (exit $BG_STATUS, stderr: $(cat "$WORK/cpus.err")): events of some CPUs silently missing"
import json, sys
seen = {json.loads(l).get("cpu") for l in open(sys.argv[1]) if l.strip()}
want = {int(c) for c in sys.argv[2:]}
missing = sorted(want - seen)
print(f"CPUs with getppid events: {sorted(c for c in seen if c is not None)}, missing: {missing}", file=sys.stderr)
sys.exit(1 if missing else 0)
PY
	note "kprobe at fd limit $KP_FD_OK: every CPU read"
fi
note "states compared: $REL_STATES"
