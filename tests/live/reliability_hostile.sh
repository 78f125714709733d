#!/usr/bin/env bash
# Issue 9, hostile input on this machine's kernel:
#  1. probe definitions, filters and option values that are hostile
#     (newlines, ';', '-:' removals, non-ASCII, escapes, 1 MiB strings,
#     numbers at and beyond their limits, unknown functions/tracepoints):
#     a short error (one line, or kprobe's 3: message, definition, caret, nothing raw), non-zero exit, and
#     nothing written to tracefs (full snapshot). NUL cannot be in an argv
#     (C strings): the fuzz targets feed it to the parsers.
#  2. numeric and length options at their exact limits accepted, one past
#     refused (every tool: the shared options, and each tool's own);
#  3. exec'd argv with every byte value, ANSI/OSC escapes and invalid UTF-8:
#     execsnoop's text output has nothing raw; its JSON is valid and gives the
#     bytes back by the surrogateescape rule (README "Output and escaping").
. "$(dirname "$0")/reliability_lib.bash"
ESC=$SNOOP_SRC/tests/vm/reliability/escape.py

rel_before
big=$(head -c 1048576 /dev/zero | tr '\0' a)
nl=$'\n'
esc=$'\e]0;pwned\a\e[31m'

# refuse TOOL ARGS...: must fail with a short, escaped error, touching nothing.
refuse() {
	local st=0
	REL_INPUTS=$((REL_INPUTS + 1))
	timeout 20 "$SNOOP_BIN/$@" </dev/null >"$WORK/r.out" 2>"$WORK/r.err" || st=$?
	local shown
	shown=$(printf '%q ' "$@" | cut -c1-120)
	[ "$st" != 0 ] || fail "accepted: $shown"
	[ "$st" != 124 ] || fail "hung: $shown"
	[ "$st" -lt 128 ] || fail "crashed (status $st): $shown"
	[ "$(wc -l <"$WORK/r.err")" -le 3 ] || { head -c 2000 "$WORK/r.err" >&2; fail "more than 3 lines of error: $shown"; }
	[ -s "$WORK/r.err" ] || fail "no error message: $shown"
	[ "$(wc -c <"$WORK/r.err")" -le 4096 ] || fail "an error of $(wc -c <"$WORK/r.err") bytes: $shown"
	python3 "$ESC" text "$WORK/r.err" >/dev/null || fail "raw bytes in the error of: $shown"
	# cheap per-input check; the full snapshot follows each group
	[ -z "$(ls "$TRACEFS/instances" | grep "^snoop_" | while read -r n; do
		grep -qx "${n##*_}" "$REL_PIDFILE" && ! kill -0 "${n##*_}" 2>/dev/null && echo "$n"; done)" ] ||
		fail "an instance was left by: $shown"
}

if have_tool kprobe; then
	for def in "p:do_sys_open${nl}-:foreign/x" "t:sched:sched_switch${nl}p:x do_sys_open" \
		"p:x do_sys_open; -:snoop_1/exec" "-:snoop_1/exec" "-:foreign/fopen" "-:*" \
		"p:../../x do_sys_open" "t:../../../etc:passwd" "t:sched/../../x" "p:évent do_sys_open" \
		"t:sched:sched_switch${esc}" "p:$big" "t:sched:$big" "t:$big:x" "p:x $big" \
		"t:nosuchsys:nosuchev" "t:sched:no_such_event" "p:no_such_function_xyz" "r:no_such_function_xyz" \
		"f:no_such_function_xyz" "p:do_sys_open a=+0(%si):nosuchtype" "q:x do_sys_open" "" " " \
		"t:" "t:sched" "t:sched:" "p:" "r99999999999:x do_sys_open" "p:x do_sys_open+99999999999999999999" \
		"t:syscalls:sys_enter_openat if" "t:syscalls:sys_enter_openat if ${nl}" \
		$'t:syscalls:sys_enter_openat\x01' $'t:x\xff\x9b' $'p:do_sys_open a=+0(%si):string \x9b[31m'; do
		refuse kprobe "$def"
		refuse kprobe -e "$def" -e t:syscalls:sys_enter_close
	done
	# (`comm == "a\"` is no such case: the kernel reads no escapes in a
	# filter string, so it is the name a backslash, a valid filter.)
	for flt in "dfd == 1${nl}-:foreign/x" "dfd == 1; echo x > /sys/kernel/tracing/tracing_on" \
		"dfd == 1 ${esc}" "$big" "dfd == $big" "nosuchfield == 1" "dfd ==" "((((((((dfd == 1)" \
		"filename ~ \"$big\"" "dfd == 1 || -:x" "dfd == 1 && é == 2" $'dfd == 1 \xff' "comm == \"a" "comm == 'a" "(dfd == 1" "dfd == 1)" \
		"$(printf '(%.0s' $(seq 1 5000))dfd == 1$(printf ')%.0s' $(seq 1 5000))"; do
		refuse kprobe t:syscalls:sys_enter_openat "$flt"
		refuse kprobe -e "t:syscalls:sys_enter_openat if $flt"
	done
	for v in 0 -1 1000000001 99999999999999999999 1e3 0x10 " 5" "5 " "" abc "${esc}"; do
		refuse kprobe -M "$v" t:syscalls:sys_enter_openat
	done
	# (-i takes seconds with fractions: 1e3 is a valid 1000 s)
	for v in 0 -1 0.01 1e308 nan inf 0x10 1000000001 " 5" "5 " "" abc "${esc}"; do
		refuse kprobe -c -i "$v" t:syscalls:sys_enter_openat
	done
	rel_check "kprobe hostile definitions and filters"
	note "kprobe: $REL_INPUTS refused cleanly"
fi
for tool in execsnoop opensnoop kprobe functrace; do
	have_tool "$tool" || continue
	extra=()
	case $tool in kprobe) extra=(t:syscalls:sys_enter_openat) ;; functrace) extra=(vfs_read) ;; esac
	for v in 0 -1 2147483648 4294967297 99999999999999999999 1e3 0x10 " 5" "" "${esc}" "$big"; do
		refuse "$tool" -p "$v" "${extra[@]}"
		refuse "$tool" -L "$v" "${extra[@]}"
	done
	for v in -1 nan inf -inf 1e308 0x 1s "" "${esc}" "$big"; do
		refuse "$tool" -d "$v" "${extra[@]}"
	done
	for v in 0 3 4194305 99999999999999999999 -4 "" "$big"; do
		refuse "$tool" -b "$v" "${extra[@]}"
	done
	for v in "a${nl}b" "a\"b" "a\\b" "$big" "${esc}"; do
		[ "$tool" = execsnoop ] && [ "$v" = "${esc}" ] && continue # a valid regex there
		[ "$tool" = execsnoop ] && [ "$v" = "a${nl}b" ] && continue
		refuse "$tool" -n "$v" "${extra[@]}"
	done
	case $tool in
	execsnoop) for v in 0 127 -1 "$big"; do refuse execsnoop --max-args "$v"; done
		refuse execsnoop -n '(' ; refuse execsnoop -u no_such_user_xyz ; refuse execsnoop -P -5 ;;
	opensnoop) refuse opensnoop "a${nl}b" ; refuse opensnoop -u no_such_user_xyz ; refuse opensnoop x y ;;
	functrace) for p in no_such_function_xyz "$big" "vfs_read${nl}-:x" "!vfs_read" "*:mod:" "${esc}" \
			"vfs_read:traceoff" "vfs_read:mod:no_such_mod"; do refuse functrace "$p"; done
		refuse functrace --limit 0 vfs_read; refuse functrace --limit 99999999999 vfs_read ;;
	esac
	rel_check "$tool hostile options"
done
note "hostile inputs refused: $REL_INPUTS"

# 2. Numeric (and length) options at their exact limits: accepted, and one
#    past: refused. "Accepted" is seen without running anything: a second,
#    invalid option after it (SENTINEL) must be the one the error names, so
#    the parser went past the value under test. Each tool parses the shared
#    options itself (argp children), so every tool is asked.
limit_ok() { # TOOL OPT VAL [ARGS...]
	local tool=$1 opt=$2 val=$3 st=0 sent=(-d 0) want="invalid duration '0'"
	shift 3
	[ "$opt" = -d ] && { sent=(-b 3); want="invalid buffer size '3'"; }
	REL_INPUTS=$((REL_INPUTS + 1))
	timeout 20 "$SNOOP_BIN/$tool" "$opt" "$val" "${sent[@]}" "$@" </dev/null >/dev/null 2>"$WORK/l.err" || st=$?
	[ "$st" = 64 ] && grep -qF -- "$want" "$WORK/l.err" ||
		fail "$tool $opt $(printf %q "$val" | cut -c1-40) (its limit) was not accepted: exit $st: $(head -n 1 "$WORK/l.err")"
}
limit_bad() { # TOOL OPT VAL REGEX [ARGS...]: refused, naming the option
	local tool=$1 opt=$2 val=$3 re=$4 st=0
	shift 4
	REL_INPUTS=$((REL_INPUTS + 1))
	timeout 20 "$SNOOP_BIN/$tool" "$opt" "$val" "$@" </dev/null >/dev/null 2>"$WORK/l.err" || st=$?
	[ "$st" = 64 ] && [ "$(wc -l <"$WORK/l.err")" -le 3 ] && grep -qE -- "$re" "$WORK/l.err" ||
		fail "$tool $opt $(printf %q "$val" | cut -c1-40) (one past its limit): exit $st: $(head -n 3 "$WORK/l.err")"
}
n15=aaaaaaaaaaaaaaa
for tool in execsnoop opensnoop kprobe functrace; do
	have_tool "$tool" || continue
	extra=()
	case $tool in kprobe) extra=(t:syscalls:sys_enter_openat) ;; functrace) extra=(vfs_read) ;; esac
	for o in -p -L; do
		limit_ok "$tool" "$o" 1 "${extra[@]}"
		limit_bad "$tool" "$o" 0 "invalid (PID|TID) '0'" "${extra[@]}"
		# INT_MAX parses, and is then refused as no such process/thread
		limit_bad "$tool" "$o" 2147483647 "no such (process|thread): 2147483647" "${extra[@]}"
		limit_bad "$tool" "$o" 2147483648 "invalid (PID|TID) '2147483648'" "${extra[@]}"
	done
	limit_ok "$tool" -n "$n15" "${extra[@]}"
	limit_bad "$tool" -n "${n15}a" "invalid name" "${extra[@]}"
	limit_ok "$tool" -d 0.000001 "${extra[@]}"
	limit_bad "$tool" -d 0 "invalid duration '0'" "${extra[@]}"
	limit_ok "$tool" -d 604800 "${extra[@]}"
	limit_bad "$tool" -d 604800.001 "invalid duration '604800.001'" "${extra[@]}"
	limit_ok "$tool" -b 4 "${extra[@]}"
	limit_bad "$tool" -b 3 "invalid buffer size '3'" "${extra[@]}"
	limit_ok "$tool" -b 4194304 "${extra[@]}"
	limit_bad "$tool" -b 4194305 "invalid buffer size '4194305'" "${extra[@]}"
	limit_ok "$tool" -i 0.1 "${extra[@]}"
	limit_bad "$tool" -i 0.09 "invalid interval '0.09'" "${extra[@]}"
	limit_ok "$tool" -i 604800 "${extra[@]}"
	limit_bad "$tool" -i 604800.001 "invalid interval '604800.001'" "${extra[@]}"
	limit_ok "$tool" --top-max 1 "${extra[@]}"
	limit_bad "$tool" --top-max 0 "invalid --top-max '0'" "${extra[@]}"
	limit_ok "$tool" --top-max 10000000 "${extra[@]}"
	limit_bad "$tool" --top-max 10000001 "invalid --top-max '10000001'" "${extra[@]}"
	case $tool in
	execsnoop)
		limit_ok execsnoop --max-args 1; limit_bad execsnoop --max-args 0 "invalid --max-args '0'"
		limit_ok execsnoop --max-args 126; limit_bad execsnoop --max-args 127 "invalid --max-args '127'"
		limit_ok execsnoop -P 1; limit_bad execsnoop -P 0 "invalid PPID '0'"
		limit_ok execsnoop -P 2147483647; limit_bad execsnoop -P 2147483648 "invalid PPID '2147483648'"
		limit_ok execsnoop -u 0; limit_ok execsnoop -u 4294967294
		limit_bad execsnoop -u 4294967295 "unknown user '4294967295'" ;;
	opensnoop)
		limit_ok opensnoop -u 0; limit_ok opensnoop -u 4294967294
		limit_bad opensnoop -u 4294967295 "unknown user '4294967295'"
		# PATTERN: shorter than PATH_MAX (4096). Accepted: the parser
		# reaches a second PATTERN, which it refuses.
		p4095=/$(head -c 4094 /dev/zero | tr '\0' p)
		REL_INPUTS=$((REL_INPUTS + 2))
		st=0; "$SNOOP_BIN/opensnoop" "$p4095" y >/dev/null 2>"$WORK/l.err" || st=$?
		[ "$st" = 64 ] && grep -q "unexpected argument 'y'" "$WORK/l.err" || fail "opensnoop: a 4095-byte PATTERN was refused: $(cat "$WORK/l.err")"
		st=0; "$SNOOP_BIN/opensnoop" "${p4095}p" >/dev/null 2>"$WORK/l.err" || st=$?
		[ "$st" = 64 ] && grep -q "longer than a path" "$WORK/l.err" || fail "opensnoop: a 4096-byte PATTERN: exit $st: $(cat "$WORK/l.err")" ;;
	kprobe)
		limit_ok kprobe -M 1 t:x; limit_bad kprobe -M 0 "invalid -M '0'" t:x
		limit_ok kprobe -M 1000000000 t:x; limit_bad kprobe -M 1000000001 "invalid -M '1000000001'" t:x
		# 64 probes at most
		e64=(); for i in $(seq 1 64); do e64+=(-e t:syscalls:sys_enter_openat); done
		limit_ok kprobe -d 0.1 "${e64[@]}"
		limit_bad kprobe -e t:x "at most 64 probes" "${e64[@]}" ;;
	functrace)
		limit_ok functrace --limit 1 vfs_read; limit_bad functrace --limit 0 "invalid --limit" vfs_read
		limit_ok functrace --limit 10000000 vfs_read; limit_bad functrace --limit 10000001 "invalid --limit" vfs_read
		# a PATTERN of 255 bytes is taken (then checked against the
		# kernel's list: not a usage error), 256 are not
		REL_INPUTS=$((REL_INPUTS + 2))
		st=0; "$SNOOP_BIN/functrace" "$(head -c 255 /dev/zero | tr '\0' f)" >/dev/null 2>"$WORK/l.err" || st=$?
		grep -q "longer than" "$WORK/l.err" && fail "functrace: a 255-byte pattern was refused: $(cat "$WORK/l.err")"
		st=0; "$SNOOP_BIN/functrace" "$(head -c 256 /dev/zero | tr '\0' f)" >/dev/null 2>"$WORK/l.err" || st=$?
		[ "$st" = 64 ] && grep -q "longer than 255" "$WORK/l.err" || fail "functrace: a 256-byte pattern: exit $st: $(cat "$WORK/l.err")" ;;
	esac
	rel_check "$tool options at their limits"
done
note "limits: $REL_INPUTS inputs so far"

# The limits in real runs, where this kernel can run them: the smallest
# buffer, the longest -n, the most arguments, -M 1 ending the trace.
run_ok() { # LABEL CMD...
	local st=0
	REL_INPUTS=$((REL_INPUTS + 1))
	timeout 30 "$@" >"$WORK/run.out" 2>"$WORK/run.err" || st=$?
	[ "$st" = 0 ] || fail "$1 at its limit: exit $st: $(cat "$WORK/run.err")"
}
# Events for the runs below until they are all done (killed after them):
# under ASan the first ones take longer than a few seconds, and kprobe -M 1
# then waited for an openat that nothing made.
( for _ in $(seq 1 1200); do poke; sleep 0.05; done ) &
pk=$!
if have_tool execsnoop; then
	run_ok "$SNOOP_BIN/execsnoop" --max-args 126 -b 4 -n "$n15" -d 0.3
	run_ok "$SNOOP_BIN/execsnoop" -d 0.000001
fi
have_tool opensnoop && run_ok "$SNOOP_BIN/opensnoop" -b 4 -n "$n15" --top -i 604800 --top-max 10000000 -d 0.3
if have_tool kprobe; then
	run_ok "$SNOOP_BIN/kprobe" -M 1 t:syscalls:sys_enter_openat
	[ "$(grep -c . "$WORK/run.out")" -ge 1 ] || fail "kprobe -M 1 printed nothing"
	e64=(); for e in $(ls "$TRACEFS/events/syscalls" | grep '^sys_enter_' | head -n 64); do e64+=(-e "t:syscalls:$e"); done
	[ "${#e64[@]}" = 128 ] && run_ok "$SNOOP_BIN/kprobe" -d 0.3 -M 1000000000 "${e64[@]}"
fi
kill "$pk" 2>/dev/null || true; wait "$pk" 2>/dev/null || true
rel_check "real runs at the limits"
note "limits and real runs at them: $REL_INPUTS inputs so far"

# 3. Hostile argv through execsnoop (the tracepoint path reads it from /proc
#    while the process lives: the exec'd sh sleeps a little).
if have_tool execsnoop; then
	mapfile -t HEX < <(python3 "$ESC" args)
	run_hostile_execs() {
		python3 - "${HEX[@]}" <<'PY'
import subprocess, sys
args = [bytes.fromhex(h) for h in sys.argv[1:]]
for a in args:
    subprocess.run([b"/bin/sh", b"-c", b"sleep 0.2", b"reliability-argv", a])
PY
	}
	for mode in text json; do
		flag=(); [ "$mode" = json ] && flag=(-j)
		start_tool "argv-$mode" "$SNOOP_BIN/execsnoop" "${flag[@]}" -n '^sh$'
		run_hostile_execs
		sleep 0.5
		stop_tool "$BG_PID" INT
		[ "$BG_STATUS" = 0 ] || fail "execsnoop $mode: exit $BG_STATUS"
		python3 "$ESC" text "$WORK/argv-$mode.out" || fail "execsnoop $mode output has raw bytes"
		REL_INPUTS=$((REL_INPUTS + ${#HEX[@]}))
	done
	python3 "$ESC" json "$WORK/argv-json.out" argv "${HEX[@]}" || fail "execsnoop -j does not round-trip argv"
	rel_check "execsnoop with hostile argv"
fi
note "hostile inputs tried: $REL_INPUTS"
