#!/bin/bash
# --cgroup and -C on a kprobe (p:do_sys_openat2 with the path): two cgroup
# v2 groups A and B; a shell placed in A before the start, one moved into A
# by this script after it, one in B, each running a short-lived cat of its
# own marker file (a child forked inside). Unfiltered with -C every open
# lands in its shell's cgroup; --cgroup A keeps A's opens and nothing from
# any other cgroup.
# vm-timeout: 60
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
require_file "$TRACEFS/events/cgroup/cgroup_attach_task" "no cgroup tracepoints"
CG=/sys/fs/cgroup
grep -q "^cgroup2 $CG " /proc/mounts || mount -t cgroup2 cgroup2 "$CG" || skip "cannot mount cgroup v2"
mkdir -p "$CG/A" "$CG/B"
snapshot_tracefs

# Each shell waits on its FIFO (no polling: one vCPU under TCG), then runs
# cat on its marker file ("; true": bash -c would exec its last command
# in place, and cat would be no child).
for t in a1 a2 b1; do
	echo "$t" >"/tmp/cgm_$t"
	mkfifo "go_$t"
done
bash -c 'read -r _ <go_a1; cat /tmp/cgm_a1 >/dev/null; true' & a1=$!
bash -c 'read -r _ <go_a2; cat /tmp/cgm_a2 >/dev/null; true' & a2=$!
bash -c 'read -r _ <go_b1; cat /tmp/cgm_b1 >/dev/null; true' & b1=$!
echo "$a1" >"$CG/A/cgroup.procs"
echo "$b1" >"$CG/B/cgroup.procs"

probe="p:do_sys_openat2 path=+0($(kreg 2)):ustring"
# Both start side by side: set-up under TCG is most of this test's time.
start_bg "$KPROBE" -j -C -e "$probe" >all.json 2>all.err
all=$BG_PID
start_bg "$KPROBE" -j -C --cgroup A -e "$probe" >a.json 2>a.err
fa=$BG_PID
for ((i = 0; i < 300; i++)); do
	kp_armed "$all" && kp_armed "$fa" && break
	# (one kill -0 per PID: bash's kill succeeds if any signal went)
	kill -0 "$all" && kill -0 "$fa" || { cat all.err a.err >&2; fail "kprobe exited before tracing"; }
	sleep 0.1
done
echo "$a2" >"$CG/A/cgroup.procs"
for t in a1 a2 b1; do echo >"go_$t"; done
wait "$a1" "$a2" "$b1"
sleep 0.3
stop_bg -p "$all"
stop_bg -p "$fa"

json_check all.json - <<'PY'
want = {"/tmp/cgm_a1": "/A", "/tmp/cgm_a2": "/A", "/tmp/cgm_b1": "/B"}
for path, cg in want.items():
    got = [r["cgroup"] for r in rows if r["fields"].get("path") == path]
    assert got and all(c == cg for c in got), (path, got)
    src = [r["cgroup_source"] for r in rows if r["fields"].get("path") == path]
    assert all(s == "event" for s in src), (path, src)
PY
# --cgroup A: A's two opens, not B's, and every line from /A (grep: one
# python3 start less under TCG).
grep -q '"path":"/tmp/cgm_a1"' a.json && grep -q '"path":"/tmp/cgm_a2"' a.json ||
	fail "--cgroup A lost an open of A: $(cat a.json)"
! grep -q cgm_b1 a.json || fail "--cgroup A kept an open of B"
[[ $(grep -vc '"cgroup":"/A",' a.json) == 0 ]] || fail "--cgroup A kept lines of other cgroups: $(grep -v '"cgroup":"/A",' a.json | head -3)"
rmdir "$CG/A" "$CG/B"
assert_tracefs_unchanged
