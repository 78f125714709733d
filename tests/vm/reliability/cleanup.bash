# shellcheck shell=bash
# Issue 9, the cleanup matrix on a kprobe + function-tracer kernel, for one
# tool: {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, -d, -M, an error
# half-way through set-up (bad filter or function after a probe exists; -b
# refused with ENOMEM after the probes exist; an fd limit failing it at
# every step up to the reader, see rel_fd_sweep), SIGKILL of the tool
# alone (its reaper, within 1 s; functrace -s: options/func_stack_trace
# back off), SIGKILL of tool and reaper then the next start}: the full tracefs state (snapshot.bash) afterwards equals the
# state before. One test per tool (cleanup_TOOL.sh), so that each boots in
# a shard of its own size.
#   . "$(dirname "$0")/cleanup.bash"; r_cleanup_matrix TOOL
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

declare -A CMD=(
	[execsnoop]="execsnoop"
	[opensnoop]="opensnoop"
	[kprobe]="kprobe p:do_sys_openat2_SP_path=+0($(kreg 2)):ustring"
	[functrace]="functrace do_sys_openat2"
)
# Fails after the instance and a first probe exist.
declare -A HALFWAY=(
	[kprobe]="kprobe -e p:do_sys_openat2 -e r:do_sys_openat2_SP_ret=retval:s64_SP_if_SP_no_such_field==1"
	[kprobe2]="kprobe -F -e p:do_sys_openat2 -e p:no_such_function_xyz"
)
# Refused before any set-up (functrace checks its patterns against
# available_filter_functions first): its half-way cases are -b and the
# fd-limit sweep below.
declare -A EARLY=(
	[functrace]="functrace do_sys_openat2 no_such_function_xyz"
)

split() { # "a_SP_b c" -> array R (_SP_ is a space inside a word)
	read -r -a R <<<"$1"
	R=("${R[@]//_SP_/ }")
	R[0]=$SNOOP_BIN/${R[0]}
}

r_cleanup_matrix() { # TOOL
	local tool=$1 avail_kb big_b=0 sig i n k st pid wl
	require_file "$TRACEFS/kprobe_events" "the kprobe paths need kprobe events"
	r_have "$tool" || skip "$tool not built"
	if [[ $tool == functrace && $(cat "$TRACEFS/available_tracers") != *function* ]]; then
		skip "no function tracer on $(uname -r)"
	fi
	trap r_counts EXIT
	r_before
	avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
	((avail_kb < 4194304)) && big_b=1
	split "${CMD[$tool]}"
	cmd=("${R[@]}")
	for sig in INT TERM HUP QUIT; do
		r_start "$tool-$sig" "${cmd[@]}"
		poke
		stop_bg -a -s "$sig" -t 20
		[[ $BG_STATUS == 0 ]] || { cat "$tool-$sig.err" >&2; fail "$tool: exit $BG_STATUS after SIG$sig"; }
		r_check "$tool SIG$sig"
	done
	# SIGPIPE
	rm -f pipe.status
	( "${cmd[@]}" 2>pipe.err; echo $? >pipe.status ) | head -n 1 >pipe.out &
	for ((i = 0; i < 300; i++)); do
		poke; sleep 0.1
		[[ -s pipe.status ]] && break
	done
	wait || true
	[[ -s pipe.status ]] || fail "$tool did not end after its reader went away"
	[[ $(cat pipe.status) == 0 ]] || fail "$tool SIGPIPE: exit $(cat pipe.status): $(cat pipe.err)"
	r_check "$tool SIGPIPE"
	# -d
	"${cmd[@]}" -d 0.5 >/dev/null 2>d.err || fail "$tool -d: exit $?: $(cat d.err)"
	r_check "$tool -d"
	# -M: every tool stops by itself after 3 events (-H: no header line)
	( for ((i = 0; i < 200; i++)); do poke; sleep 0.05; done ) &
	wl=$!
	timeout 60 "${cmd[@]}" -M 3 >M.out 2>M.err || fail "$tool -M 3: exit $?: $(cat M.err)"
	kill "$wl" 2>/dev/null || true; wait "$wl" 2>/dev/null || true
	n=$(grep -vEc '^(PCOMM|PID|COMM|TIME) ' M.out || true)
	[[ $n == 3 ]] || fail "$tool -M 3 printed $n lines: $(cat M.out)"
	r_check "$tool -M"
	# Errors half-way through the set-up: the tool's own checks.
	for k in "$tool" "${tool}2"; do
		[[ -n ${HALFWAY[$k]:-} ]] || continue
		split "${HALFWAY[$k]}"
		st=0; "${R[@]}" >/dev/null 2>hw.err || st=$?
		((st != 0)) || fail "$k: the half-way failure did not fail"
		note "$k half-way error (exit $st): $(head -n 1 hw.err)"
		r_check "$k error half-way"
	done
	if [[ -n ${EARLY[$tool]:-} ]]; then
		split "${EARLY[$tool]}"
		st=0; "${R[@]}" >/dev/null 2>hw.err || st=$?
		((st != 0)) || fail "$tool: the early refusal did not fail"
		note "$tool refused before the set-up (exit $st): $(head -n 1 hw.err)"
		r_check "$tool refused early"
	fi
	# -b at its limit (4 GiB per CPU): valid for the option parser, written
	# at the session's start after the probes exist, and refused by a kernel
	# that has not that much memory (ENOMEM).
	if ((big_b)); then
		st=0; "${cmd[@]}" -b 4194304 -d 0.3 >/dev/null 2>b.err || st=$?
		((st != 0)) || fail "$tool -b 4194304 ran with $avail_kb KiB available"
		grep -q 'buffer_size_kb.*Cannot allocate memory' b.err || fail "$tool -b 4194304: $(cat b.err)"
		[[ $(grep -c . b.err) -le 3 ]] || fail "$tool -b 4194304: more than a short error: $(cat b.err)"
		r_check "$tool -b refused by the kernel"
		note "$tool -b 4194304: $(grep buffer_size_kb b.err | head -n 1)"
	fi
	# Errors at every set-up step, up to the reader's per-CPU files.
	rel_fd_sweep r_check "$tool" "${cmd[@]}" -d 0.3 || fail "$tool: fd-limit sweep (above)"
	note "$tool: fd limits below $REL_FD_OK failed the set-up $REL_FD_FAILS times ($REL_FD_LATE after the events were enabled), each clean"
	# SIGKILL of the tool alone (functrace with -s: its global option too):
	# its reaper restores everything within 1 s, with no other start.
	local kcmd=("${cmd[@]}") ms
	[[ $tool == functrace ]] && kcmd=("${cmd[0]}" -s "${cmd[@]:1}")
	r_start "$tool-k9r" "${kcmd[@]}"
	pid=$BG_PID
	[[ $tool != functrace ]] || [[ $(cat "$TRACEFS/options/func_stack_trace") == 1 ]] ||
		fail "functrace -s: func_stack_trace not on while it runs"
	r_reaper_of "$pid" >/dev/null || fail "$tool $pid has no snoop-reaper"
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true; _bg_forget "$pid"
	ms=$(r_wait_clean 1000)
	r_check "$tool SIGKILL alone: the reaper"
	note "$tool: kill -9 of the tool alone (${kcmd[*]##*/}): its reaper left tracefs as before in $ms ms"
	# SIGKILL of the tool and its reaper: the next start removes the
	# leftovers (and turns func_stack_trace off again).
	r_start "$tool-k9" "${kcmd[@]}"
	pid=$BG_PID
	k=$(r_reaper_of "$pid") || fail "$tool $pid has no snoop-reaper"
	kill -9 "$k"; kill -9 "$pid"; wait "$pid" 2>/dev/null || true; _bg_forget "$pid"
	[[ -n $(snoop_leftovers) ]] || fail "$tool: kill -9 left nothing: the sweep is not tested"
	"${cmd[@]}" -d 0.3 >/dev/null 2>k9.err || fail "$tool next start: $(cat k9.err)"
	r_check "$tool SIGKILL of tool and reaper + next start"
	note "$tool: signals, SIGPIPE, -d, half-way errors, fd limits, SIGKILL: clean"
}
