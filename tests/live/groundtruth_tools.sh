#!/bin/bash
# Ground truth: execsnoop -j and opensnoop -j against strace on real
# programs (gcc compiling and linking, python3 importing through a shell
# shim, git log and git grep in a repository made here, a shell pipeline).
# Every exec and open strace saw is in the tools' output with the same
# thread, file name, argv, flags and result, or carries the documented mark;
# then the same workloads without strace (which slows the races away), where
# every unmarked value must be one the strace run saw. Per-workload tallies
# are printed (groundtruth.py says what each one counts).
. "$(dirname "$0")/lib.sh"

ES=$SNOOP_BIN/execsnoop
OS=$SNOOP_BIN/opensnoop
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$ES" ] && [ -x "$OS" ] || skip "no $ES or $OS (build first)"
for c in strace gcc git python3; do
	command -v "$c" >/dev/null || skip "needs $c (scripts/deps.sh SNOOP_TEST_PKGS)"
done
[ -e "$TRACEFS/events/syscalls/sys_exit_openat" ] || skip "no syscall tracepoints"

# Where kprobes exist the tools take the kernel's values; here (no kprobes)
# opensnoop's paths come from uprobes on the C library (--libc).
# -T: wall-clock times, the only ones the checker can compare between the
# two tools (each one's "time" counts from its own start).
OS_ARGS=(-j -T)
[ -e "$TRACEFS/kprobe_events" ] || OS_ARGS+=(--libc)

snapshot_tracefs "$WORK/before"
cd "$WORK"
# GT_KEEP=DIR: leave the runs' files there, to look into a failure.
[ -z "${GT_KEEP:-}" ] || trap 'cleanup_live_keep' EXIT
cleanup_live_keep() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$GT_KEEP" && mv "$WORK" "$GT_KEEP"
}
# A PATH with misses first: execvp tries each entry in one buffer.
export PATH=/nonexistent-gt/a:/nonexistent-gt/b:/nonexistent-gt/c:/usr/local/bin:/usr/bin:/bin
export GIT_PAGER=cat PAGER=cat LC_ALL=C

mkdir repo
(
	cd repo
	git init -q .
	git config user.email gt@example.invalid
	git config user.name gt
	for i in 1 2 3; do
		printf 'int f%d(void) { return %d; } /* needle */\n' "$i" "$i" >"f$i.c"
		git add "f$i.c"
		git commit -qm "f$i"
	done
)

setup_run() { # DIR: the workloads' files, the same names in every run
	mkdir -p "$1"
	cp -r repo "$1/"
	printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >"$1/hello.c"
	printf '#!/bin/sh\nexec python3 -c "import json, email.parser, http.client; print(1)"\n' >"$1/pyshim"
	chmod +x "$1/pyshim"
}

WORKLOADS=(gcc python git pipeline shims)
workload() { # NAME, in the run directory
	case $1 in
	gcc) gcc -O0 -o hello hello.c && ./hello >/dev/null ;;
	python) ./pyshim >/dev/null ;;
	git) cd repo && git log --oneline >/dev/null && git grep -n needle >/dev/null && git status --short >/dev/null ;;
	pipeline) sh -c 'cat /etc/passwd | grep -c root | sed s/1/one/ >out.txt; ls -la /etc | sort | head -n 3 >/dev/null; env true' ;;
	# One PID exec'ing again at once (env, a shim): /proc/PID/cmdline
	# read late holds the next command's argv.
	shims) for i in 1 2 3 4 5 6 7 8; do env env sh -c "exec env cat /dev/null" "a$i"; done ;;
	esac
}

start_tools() { # TAG
	start_tool "es_$1" "$ES" -j -T -x --max-args 126 "${ES_EXTRA[@]}"
	ES_PID=$BG_PID
	start_tool "os_$1" "$OS" "${OS_ARGS[@]}"
	OS_PID=$BG_PID
}
stop_tools() { # TAG
	sleep 0.5
	stop_tool "$ES_PID"
	[ "$BG_STATUS" = 0 ] || fail "execsnoop exited $BG_STATUS: $(cat "$WORK/es_$1.err")"
	stop_tool "$OS_PID"
	[ "$BG_STATUS" = 0 ] || fail "opensnoop exited $BG_STATUS: $(cat "$WORK/os_$1.err")"
	# Lost events would excuse a missing one: there must be none here.
	! grep -q '"type":"lost"' "$WORK/es_$1.out" "$WORK/os_$1.out" || fail "events lost in run $1"
}

rc=0
ES_EXTRA=()
export -f workload
# 1. Under strace.
setup_run "$WORK/run_st"
mkdir st
start_tools st
for w in "${WORKLOADS[@]}"; do
	(cd "$WORK/run_st" && strace -f -qq -X raw -xx -s 65535 -e trace=execve,execveat,open,openat,openat2 \
		-ff -o "$WORK/st/$w" bash -c "workload $w") || fail "workload $w failed under strace"
done
stop_tools st
for w in "${WORKLOADS[@]}"; do
	python3 "$HERE/groundtruth.py" strace "$w" "$WORK/st" "$WORK/es_st.out" "$WORK/os_st.out" || rc=1
done

# 2. Without strace, twice (the races are timing); the second time without
# the C library's uprobes, where execsnoop reads every argument late and
# must mark it.
for n in 1 2; do
	setup_run "$WORK/run_b$n"
	[ "$n" = 1 ] || ES_EXTRA=(--no-libc)
	start_tools "b$n"
	for w in "${WORKLOADS[@]}"; do
		# The pid of the bash that runs it, as in the strace run.
		(cd "$WORK/run_b$n" && exec bash -c "workload $w") &
		echo $! >"$WORK/root_$w.$n"
		wait $! || fail "workload $w failed"
	done
	stop_tools "b$n"
	for w in "${WORKLOADS[@]}"; do
		python3 "$HERE/groundtruth.py" bare "$w" "$(cat "$WORK/root_$w.$n")" "$WORK/st" \
			"$WORK/es_b$n.out" "$WORK/os_b$n.out" "$WORK/run_b$n" "$WORK/run_st" || rc=1
	done
done

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
[ "$rc" = 0 ] || fail "unmarked mismatches, missing or invented events (above)"
note "ok"
