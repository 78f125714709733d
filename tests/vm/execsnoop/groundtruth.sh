#!/bin/bash
# Ground truth in the guest kernels, where execsnoop and opensnoop take
# their kprobe paths: the workloads of gt_work.c (execvp along a PATH with
# missing entries, shims that exec at once, #! scripts, opens relative to
# cwd and to a dirfd, open/creat/openat/openat2, children that open and
# exit at once) and the guest's sh and python3 run under strace -f while
# both tools record, then again without strace (which slows the races
# away). The checker is tests/live/groundtruth.py, the host test's (linked
# here): every exec and open strace saw is in the tools' output with the
# same thread, file name, argv, flags and result (and opensnoop -F's
# full_path, where it comes from the kernel, is the file strace -y names),
# or carries the documented mark; nothing missing, nothing invented.
# Per-workload tallies are printed.
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/common.bash"
command -v strace >/dev/null ||
	skip "no strace in this guest (the initramfs takes the host's on amd64 only: scripts/deps.sh installs it)"
snapshot_tracefs

GT=$SNOOP_TEST_DIR/groundtruth.py
W=$PWD
# A PATH with misses first: execvp (and busybox sh) try each entry.
export PATH=/nonexistent-gt/a:/nonexistent-gt/b:/nonexistent-gt/c:$PATH

setup_run() { # DIR: the workloads' files, the same names in every run
	mkdir -p "$1"
	printf '#!/usr/local/bin/gt_work interp\n' >"$1/gt_script"
	printf '#!/bin/sh\nexec gt_work nop script "$@"\n' >"$1/gt_sh_script"
	printf '#!/bin/sh\nexec python3 -S -I -c "import json; open(\\"gt_py\\", \\"w\\").close()"\n' >"$1/pyshim"
	chmod +x "$1/gt_script" "$1/gt_sh_script" "$1/pyshim"
}

WORKLOADS=(execvp shims script opens child sh python)
workload() { # NAME, in the run directory
	case $1 in
	execvp) gt_work execvp 4 ;;
	# One PID exec'ing again at once: gt_work's own shim, busybox env.
	shims) for i in 1 2 3; do gt_work exec gt_work exec gt_work nop "s$i"; env env sh -c "exec env cat /dev/null" "a$i"; done ;;
	script) ./gt_script a b && ./gt_sh_script c && sh ./gt_sh_script d ;;
	opens) gt_work opens ;;
	# (their PIDs: in the bare run no exec ties them to the root)
	child) gt_work child 4 >children ;;
	sh) sh -c 'cat /etc/passwd | grep -c root | sed s/1/one/ >out.txt; ls -la /etc | sort | head -n 3 >/dev/null; env true' ;;
	python) ./pyshim ;;
	esac
}
export -f workload

# One after the other: a start's sweep can take a session that is being
# set up at that very moment for dead and remove its instance (seen on 6.1:
# "cannot open .../tracing_on: No such device"; lib/session.c retries on
# ENOENT only). That is not what this test is about.
start_tool() { # NAME ARGS...: NAME.out, NAME.err; BG_PID once armed
	local name=$1 i d
	shift
	start_bg "$@" >"$name.out" 2>"$name.err"
	# (builtins only while waiting: see es_start)
	for ((i = 0; i < 300; i++)); do
		d=$(snoop_instance_of "$BG_PID")
		[[ -n $d ]] && snoop_armed "$d" && return 0
		[[ -d /proc/$BG_PID ]] || { cat "$name.err" >&2; fail "$1 died before arming"; }
		nap 0.1
	done
	fail "$1 did not arm in 30 s"
}
start_tools() {
	start_tool es "$SNOOP_BIN/execsnoop" -j -T -x --max-args 126
	ES_PID=$BG_PID
	start_tool os "$SNOOP_BIN/opensnoop" -j -T -F
	OS_PID=$BG_PID
}
stop_tools() {
	sleep 0.5
	# Both drain at once.
	kill -INT "$ES_PID" "$OS_PID"
	stop_bg -p "$ES_PID"
	stop_bg -p "$OS_PID"
	! grep -q 'kprobe events are not available' es.err os.err ||
		fail "a tool fell back to its tracepoint path on a kprobe kernel"
	# Lost events would excuse a missing one: there must be none here.
	! grep -q '"type":"lost"' es.out os.out || fail "events lost"
}

# Both runs in one recording session of each tool (a start and a stop cost
# seconds under TCG): the strace run's threads and the bare run's processes
# are told apart by the checker (strace's TIDs; the bare roots' trees).
rc=0
t0=$SECONDS
setup_run "$W/run_st"
setup_run "$W/run_b"
mkdir st
start_tools
ta=$SECONDS
note "tools armed: $((ta - t0)) s"
# 1. Under strace (-X raw -xx: the checker parses numbers and hex strings;
# -y: the file each returned fd names, the truth for opensnoop -F's
# full_path from the kernel).
for w in "${WORKLOADS[@]}"; do
	(cd "$W/run_st" && strace -f -qq --seccomp-bpf -y -X raw -xx -s 65535 \
		-e trace=execve,execveat,open,creat,openat,openat2 \
		-ff -o "$W/st/$w" bash -c "workload $w") || fail "workload $w failed under strace"
done
t1=$SECONDS
note "strace run: $((t1 - ta)) s"
# 2. Without strace: every unmarked value must be one the strace run saw.
ROOTS=()
for w in "${WORKLOADS[@]}"; do
	# The pid of the bash that runs it, as in the strace run.
	# (<&0: no /dev/null opened for the job's stdin before its exec)
	(cd "$W/run_b" && exec bash -c "workload $w") <&0 &
	ROOTS+=($!)
	wait $! || fail "workload $w failed"
	if [[ -s $W/run_b/children ]]; then
		mapfile -t kids <"$W/run_b/children"
		ROOTS[-1]+=$(printf '+%s' "${kids[@]}")
	fi
	rm -f "$W/run_b/children"
done
t2=$SECONDS
stop_tools
note "bare run: $((t2 - t1)) s, tools stopped: $((SECONDS - t2)) s"
ALL=$(IFS=,; echo "${WORKLOADS[*]}")
python3 -S -I "$GT" strace "$ALL" "$W/st" es.out os.out || rc=1
ROOT_LIST=$(IFS=,; echo "${ROOTS[*]}")
python3 -S -I "$GT" bare "$ALL" "$ROOT_LIST" "$W/st" es.out os.out "$W/run_b" "$W/run_st" || rc=1
note "all $((SECONDS - t0)) s"

assert_tracefs_unchanged
[[ $rc == 0 ]] || fail "unmarked mismatches, missing or invented events (above)"
