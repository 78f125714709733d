# Helpers for guest tests: `. /snoopvm/lib.sh` at the top of a test.
# shellcheck shell=bash
#
# What a test gets (see README.md for the whole interface):
#   fail MSG / skip MSG / note MSG      end the test red / skipped (77) / log
#   TRACEFS                             the mounted tracefs (/sys/kernel/tracing)
#   tracefs_write FILE TEXT [--append]  write a tracefs file; on failure show
#                                       the kernel's error_log and fail
#   snapshot_tracefs [NAME]             remember instances/ and dynamic_events
#   assert_tracefs_unchanged [NAME]     ...and fail if they differ now, or if
#                                       any snoop_* instance/event is left
#   assert_no_snoop_leftovers
#   snoop_armed DIR                     the session of instance DIR records
#   wait_for_file FILE [-t SECS] [-g REGEX]   wait until FILE exists (and
#                                       holds a line matching REGEX)
#   start_bg CMD ARGS... >OUT           start a tool in the background
#   stop_bg [-e STATUS|-a] [-t SECS]    SIGINT it, wait, check its exit status
#   json_check FILE [PYEXPR|-]          FILE is JSON Lines; PYEXPR (or python
#                                       statements on stdin) must hold
#   require_file PATH WHY               skip unless PATH exists
#
# Loading it turns on `set -E` and an ERR trap that names the failing line,
# so an unexpected non-zero status under `set -e` is never silent.

TRACEFS=${TRACEFS:-/sys/kernel/tracing}
SNOOP_BIN=${SNOOP_BIN:-/snoopvm/bin}
SNOOP_VM_STATE=${SNOOP_VM_STATE:-${TMPDIR:-/tmp}/.snoopvm-state}

set -E
# shellcheck disable=SC2154 # assigned inside the trap string
trap '_snoopvm_rc=$?; echo "FAIL: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` exited $_snoopvm_rc" >&2' ERR

fail() {
	echo "FAIL: $*" >&2
	# Stop background tools so their last output reaches the log file.
	_bg_kill_all
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	_bg_kill_all
	exit 77
}

note() { echo "# $*" >&2; }

# kreg N: the kprobe-event name of the register holding a kernel function's
# Nth integer argument (1-based) on this guest's architecture, for tests
# that fetch arguments by register (kprobe events' fetch syntax is
# per-architecture: %di on x86_64, %x0 on arm64).
kreg() {
	case $(uname -m) in
	x86_64)
		local r=(di si dx cx r8 r9)
		echo "%${r[$1 - 1]}" ;;
	aarch64) echo "%x$(($1 - 1))" ;;
	*) fail "kreg: no register names for $(uname -m)" ;;
	esac
}

# ksys NAME: the kernel's entry function of syscall NAME on this guest's
# architecture (__x64_sys_NAME, __arm64_sys_NAME).
ksys() {
	case $(uname -m) in
	x86_64) echo "__x64_sys_$1" ;;
	aarch64) echo "__arm64_sys_$1" ;;
	*) fail "ksys: no syscall prefix for $(uname -m)" ;;
	esac
}

# KSYSCALL_ENTRY: an extended regex matching the syscall entry code in a
# kernel stack on either architecture (x86_64: do_syscall_64 from
# entry_SYSCALL_64; arm64: invoke_syscall from el0_svc).
KSYSCALL_ENTRY='do_syscall_64|entry_SYSCALL|invoke_syscall|el0_svc'

require_file() { # PATH WHY
	[[ -e $1 ]] || skip "${2:-$1 missing} ($1 does not exist on $(uname -r))"
}

# tracefs_write FILE TEXT [--append]: FILE is relative to $TRACEFS unless
# absolute. The kernel explains rejected probes only in error_log: show it.
tracefs_write() {
	local file=$1 text=$2 mode=${3:-}
	[[ $file == /* ]] || file=$TRACEFS/$file
	local ok=0
	if [[ $mode == --append ]]; then
		printf '%s\n' "$text" >>"$file" 2>/dev/null && ok=1
	else
		printf '%s\n' "$text" >"$file" 2>/dev/null && ok=1
	fi
	if ((!ok)); then
		echo "write of '$text' to $file failed; error_log:" >&2
		tail -n 5 "$TRACEFS/error_log" 2>/dev/null | sed 's/^/  /' >&2
		fail "cannot write '$text' to ${file#"$TRACEFS"/}"
	fi
}

# snoop_instance_of PID: the instance directory of tool PID's session
# (snoop_<tool>_<token>_<pid>: the token is random), or nothing yet.
snoop_instance_of() {
	local d
	for d in "$TRACEFS"/instances/snoop_*_[0-9a-f]*_"$1"; do
		[[ -d $d ]] && { echo "$d"; return 0; }
	done
	return 0
}

# snoop_reapers: the PIDs of running snoop-reaper processes (lib/reaper.c;
# no pgrep here), zombies left out.
snoop_reapers() {
	local c p st name
	# (builtins only: a fork per process costs ms under TCG, and this runs
	# in timing loops)
	for c in /proc/[0-9]*/comm; do
		{ read -r name <"$c"; } 2>/dev/null || continue
		[[ $name == snoop-reaper ]] || continue
		p=${c#/proc/}; p=${p%/comm}
		{ read -r st <"/proc/$p/stat"; } 2>/dev/null || continue
		st=${st##*) }
		[[ ${st%% *} == Z ]] || echo "$p"
	done
	return 0
}

# snoop_reaper_of PID: the snoop-reaper holding a pidfd of tool PID (its
# fdinfo names the PID); fails when there is none.
snoop_reaper_of() {
	local r f
	for r in $(snoop_reapers); do
		for f in /proc/"$r"/fdinfo/*; do
			grep -qx "Pid:[[:space:]]*$1" "$f" 2>/dev/null && { echo "$r"; return 0; }
		done
	done
	return 1
}

# wait_no_leftovers MS: until nothing of snoopkit's is left (a killed
# session's reaper at work); fails after MS milliseconds.
wait_no_leftovers() {
	local i
	for ((i = 0; i < $1 / 20; i++)); do
		[[ -z $(snoop_leftovers) ]] && return 0
		nap 0.02
	done
	fail "leftovers after $1 ms: $(snoop_leftovers)"
}

# snoop_leftovers: one line per snoop_* instance, dynamic or synthetic event
# that exists, and per snoop-reaper still running.
snoop_leftovers() {
	local d p
	for d in "$TRACEFS"/instances/snoop_*; do
		[[ -e $d ]] && echo "instance ${d##*/}"
	done
	# Lines look like "p:GROUP/EVENT target args" (uprobes too).
	if [[ -r $TRACEFS/dynamic_events ]]; then
		{ grep -E '^[a-z]+:snoop_[^/]*/' "$TRACEFS/dynamic_events" || true; } | sed 's/^/dynamic_event /'
	fi
	if [[ -r $TRACEFS/synthetic_events ]]; then
		{ grep -E '^snoop_' "$TRACEFS/synthetic_events" || true; } | sed 's/^/synthetic_event /'
	fi
	for p in $(snoop_reapers); do
		echo "process snoop-reaper $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	return 0
}

# snoop_cleanup: remove snoop_* leftovers (instances first: that disables
# their events, so the events can then be deleted).
snoop_cleanup() {
	local d line ev p
	for p in $(snoop_reapers); do kill -KILL "$p" 2>/dev/null || true; done
	for d in "$TRACEFS"/instances/snoop_*; do
		[[ -e $d ]] || continue
		rmdir "$d" || echo "cannot remove instance ${d##*/}" >&2
	done
	[[ -r $TRACEFS/dynamic_events ]] || return 0
	{ grep -E '^[a-z]+:snoop_[^/]*/' "$TRACEFS/dynamic_events" || true; } | while read -r line _; do
		ev=${line#*:}
		# Enabled in the top instance, an event cannot be deleted.
		echo 0 >"$TRACEFS/events/$ev/enable" 2>/dev/null || true
		echo "-:$ev" >>"$TRACEFS/dynamic_events" || echo "cannot remove dynamic event $ev" >&2
	done
	if [[ -r $TRACEFS/synthetic_events ]]; then
		{ grep -E '^snoop_' "$TRACEFS/synthetic_events" || true; } | while read -r ev _; do
			echo "!$ev" >>"$TRACEFS/synthetic_events" || echo "cannot remove synthetic event $ev" >&2
		done
	fi
	return 0
}

assert_no_snoop_leftovers() {
	local left
	left=$(snoop_leftovers)
	[[ -z $left ]] || fail "snoop_* leftovers in tracefs:"$'\n'"$left"
}

_tracefs_state() {
	echo "## instances"
	ls "$TRACEFS/instances"
	echo "## dynamic_events"
	cat "$TRACEFS/dynamic_events"
}

snapshot_tracefs() { # [NAME]
	mkdir -p "$SNOOP_VM_STATE"
	_tracefs_state >"$SNOOP_VM_STATE/${1:-default}"
}

assert_tracefs_unchanged() { # [NAME]
	local snap=$SNOOP_VM_STATE/${1:-default}
	[[ -e $snap ]] || fail "assert_tracefs_unchanged: no snapshot_tracefs ${1:-} taken"
	if ! _tracefs_state | diff -u "$snap" - >"$SNOOP_VM_STATE/diff"; then
		cat "$SNOOP_VM_STATE/diff" >&2
		fail "tracefs instances/dynamic_events changed (diff above: - before, + after)"
	fi
	assert_no_snoop_leftovers
}

# snoop_armed DIR: the snoopkit session owning instance DIR has finished its
# set-up and records. A new instance has tracing_on 1 from its mkdir; the
# session turns it off, enables its events (and selects its tracer), and
# turns it on last. So read in that order: an enabled event or a tracer
# first, tracing_on after. The other order can read the mkdir's 1, then the
# events of a set-up that has not turned tracing on yet, and a workload
# started then loses its first events. (tracefs files have size 0: read
# them, `-s` says nothing.)
snoop_armed() {
	local d=$1 ev='' tr='' on=''
	# read, not cat: no exec, which execsnoop would see (an exec under way
	# when tracing goes on comes without its entry record). A file that
	# cannot be opened (the instance is going) fails the group, quietly;
	# $(<FILE) would stop a `set -e` script there instead.
	{ read -r ev || :; } 2>/dev/null <"$d/set_event" || return 1
	{ read -r tr || :; } 2>/dev/null <"$d/current_tracer" || tr=nop
	[[ -n $ev || ${tr:-nop} != nop ]] || return 1
	{ read -r on || :; } 2>/dev/null <"$d/tracing_on" || return 1
	[[ $on == 1 ]]
}

# nap SECS: sleep without an exec (see snoop_armed), on a FIFO nobody
# writes to.
nap() {
	if [[ -z ${NAP_FD:-} ]]; then
		local f=/tmp/.nap.$$.$RANDOM
		mkfifo "$f" && exec {NAP_FD}<>"$f" && rm -f "$f"
	fi
	read -r -t "$1" -u "$NAP_FD" _ || :
}

# wait_for_file FILE [-t SECS] [-g EXTENDED_REGEX]
wait_for_file() {
	local file=$1 secs=10 re='' i
	shift
	while (($#)); do
		case $1 in
		-t) secs=$2; shift 2 ;;
		-g) re=$2; shift 2 ;;
		*) fail "wait_for_file: unknown option $1" ;;
		esac
	done
	for ((i = 0; i < secs * 10; i++)); do
		if [[ -e $file ]] && { [[ -z $re ]] || grep -Eq -- "$re" "$file"; }; then
			return 0
		fi
		sleep 0.1
	done
	if [[ -e $file ]]; then
		echo "--- $file (no line matches /$re/ after ${secs}s):" >&2
		tail -n 20 "$file" >&2
		fail "wait_for_file $file: /$re/ not seen in ${secs}s"
	fi
	fail "wait_for_file: $file did not appear in ${secs}s"
}

# start_bg CMD ARGS... >OUT 2>ERR: run CMD in the background; BG_PID is its
# pid. Several may run; stop_bg stops the newest unless given -p PID.
# CMD is a child of the test's shell, so `wait "$BG_PID"` works; a bare
# `wait` would wait for it too and hang until the time limit, which is why
# lib.sh redefines bare `wait` below.
# (A non-interactive shell starts background jobs with SIGINT ignored: undo
# that, or stop_bg's SIGINT would test nothing.)
BG_PIDS=()
start_bg() {
	(
		trap - INT QUIT
		exec "$@"
	) &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# stop_bg [-p PID] [-e STATUS | -a] [-t SECS] [-s SIGNAL]: send SIGINT (or
# SIGNAL), wait up to SECS (10) for the exit, and fail unless the exit status
# is STATUS (0) — -a accepts any. The status is left in BG_STATUS.
stop_bg() {
	local pid=${BG_PID:-} want=0 secs=10 sig=INT i
	while (($#)); do
		case $1 in
		-p) pid=$2; shift 2 ;;
		-e) want=$2; shift 2 ;;
		-a) want=any; shift ;;
		-t) secs=$2; shift 2 ;;
		-s) sig=$2; shift 2 ;;
		*) fail "stop_bg: unknown option $1" ;;
		esac
	done
	[[ -n $pid ]] || fail "stop_bg: nothing was started with start_bg"
	kill -s "$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		[[ -d /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -d /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		fail "pid $pid did not exit within ${secs}s of SIG$sig (killed)"
	fi
	BG_STATUS=0
	wait "$pid" || BG_STATUS=$?
	_bg_forget "$pid"
	if [[ $want != any && $BG_STATUS != "$want" ]]; then
		fail "pid $pid exited with status $BG_STATUS after SIG$sig, expected $want"
	fi
	return 0
}

# wait: with arguments, the builtin. Without, wait for the test's own
# background jobs (workloads) but not for the tools start_bg started, which
# only exit when stopped: a bare `wait` after `load & load &` is natural to
# write and would otherwise hang the test until its time limit.
wait() {
	if (($#)); then
		builtin wait "$@"
		return
	fi
	local p b others=()
	for p in $(jobs -p); do
		for b in "${BG_PIDS[@]}"; do
			[[ $p == "$b" ]] && continue 2
		done
		others+=("$p")
	done
	# Like the builtin's bare form: status 0, whatever the jobs returned.
	((${#others[@]} == 0)) || builtin wait "${others[@]}" || true
	return 0
}

_bg_forget() {
	local p keep=()
	for p in "${BG_PIDS[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	BG_PIDS=("${keep[@]}")
	# (${BG_PIDS[-1]} is an error, not empty, when the array is empty)
	BG_PID=
	((${#BG_PIDS[@]} == 0)) || BG_PID=${BG_PIDS[${#BG_PIDS[@]}-1]}
}

_bg_kill_all() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null || true
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	BG_PIDS=()
}

# json_check FILE [PYEXPR | -]: FILE must be JSON Lines (one object per
# non-empty line). With PYEXPR, a Python expression over `rows` (the list
# of parsed objects) must be true, e.g.
#   json_check out.json 'any(r["comm"] == "ls" for r in rows)'
# With "-", Python statements are read from stdin and must not raise, e.g.
#   json_check out.json - <<'EOF'
#   for r in rows: assert isinstance(r["pid"], int), r
#   EOF
# On failure the rows are shown. Also available: `python3 -S -I` itself.
json_check() {
	local file=$1 code=${2:-True}
	[[ -e $file ]] || fail "json_check: $file does not exist"
	[[ $code == - ]] && code=$(cat)
	python3 -S -I /snoopvm/json_check.py "$file" "$code" ||
		fail "json_check $file failed"
}
