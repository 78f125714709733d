# shellcheck shell=bash
# Shared by the kprobe guest tests: start kprobe in the background and wait
# until its instance is tracing.
. /snoopvm/lib.sh
KPROBE=$SNOOP_BIN/kprobe
# KGETPPID: getppid's body, which the hist tests probe: __do_sys_getppid on
# x86_64 (its __x64_sys_ wrapper is not traceable), __arm64_sys_getppid on
# arm64 (whose SYSCALL_DEFINE0 has no __do_sys_ body).
KGETPPID=__do_sys_getppid
[[ $(uname -m) != aarch64 ]] || KGETPPID=__arm64_sys_getppid

# kp_armed PID: its instance has finished its set-up (lib.sh's snoop_armed).
kp_armed() {
	local d
	d=$(snoop_instance_of "$1")
	[[ -n $d ]] && snoop_armed "$d"
}

# kp_start OUT ARGS...: kprobe ARGS >OUT 2>OUT.err in the background.
kp_start() {
	local out=$1 i
	shift
	start_bg "$KPROBE" "$@" >"$out" 2>"$out.err"
	for ((i = 0; i < 300; i++)); do
		if kp_armed "$BG_PID"; then
			return 0
		fi
		if ! kill -0 "$BG_PID" 2>/dev/null; then
			cat "$out.err" >&2
			fail "kprobe $* exited before tracing"
		fi
		sleep 0.1
	done
	cat "$out.err" >&2
	fail "kprobe $* did not start tracing within 30 s"
}

# kp_stop OUT: SIGINT, exit status 0, show stderr on failure.
kp_stop() {
	sleep 0.3 # let the reader catch up with the last events
	stop_bg -a
	if [[ $BG_STATUS != 0 ]]; then
		cat "$1.err" >&2
		fail "kprobe exited with $BG_STATUS"
	fi
}

# expect_refusal WHAT REGEX ARGS...: kprobe ARGS exits 64 with a message
# matching REGEX and leaves tracefs as snapshot_tracefs found it.
expect_refusal() { # WHAT REGEX ARGS...
	local what=$1 re=$2 rc=0
	shift 2
	"$KPROBE" "$@" >bad.out 2>bad.err || rc=$?
	cat bad.err
	[[ $rc == 64 ]] || fail "$what: exit $rc, expected 64"
	grep -Eq -- "$re" bad.err || fail "$what: message does not match /$re/"
	assert_tracefs_unchanged
}
