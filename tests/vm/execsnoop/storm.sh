#!/bin/bash
# An exec storm of 1,000 short-lived processes from one shell: every one
# reported, once, with the PID the shell started it as and the right PPID,
# its file name and arguments from the kernel, no entry record missing.
# -v's counts (fault recovery, missing entries) are printed as notes.
# (storm_parallel.sh: four shells at once.)
# vm-timeout: 120
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

# Each shell runs /bin/true as a background job so that $! is its PID, and
# waits for it before the next: one exec at a time per shell, as in a plain
# loop.
es_start storm.out -j -v
t0=$(date +%s)
bash -c 'echo $$ >shell.pid; exec 3>storm.pids
	for i in $(seq 1 1000); do /bin/true storm $i & echo "$i $!" >&3; wait $!; done'
note "1000 execs took $(( $(date +%s) - t0 )) s in this guest"
es_stop storm.out
counts storm.out.err storm
# Every exit found its entry: the entry kprobe and the exit tracepoint are
# often on two CPUs (exec migrates), and the reader's watermark keeps them
# in order across its reads of the CPUs. (An exec already under way when
# tracing went on would have no entry record: es_start polls for the arming
# with builtins only, so there is none.)
grep -q '^execsnoop: entry record missing: 0 ' storm.out.err || {
	cat storm.out.err >&2
	# (such an exec has no UID from the kernel either: show those)
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("uid") is None: print("  no kernel UID:", l.strip(), file=sys.stderr)' storm.out
	fail "exits without their entry record in a lossless storm"; }
json_check storm.out - <<PY
ppid = int(open("shell.pid").read())
pids = {int(i): int(p) for i, p in (l.split() for l in open("storm.pids"))}
assert len(pids) == 1000, len(pids)
hits = [r for r in rows if r.get("filename") == "/bin/true" and r["argv"][:2] == ["/bin/true", "storm"]]
lost = sum(r.get("lost") or 0 for r in rows if r.get("type") == "lost")
seen = sorted(int(r["argv"][2]) for r in hits)
assert lost == 0, f"{lost} events lost"
assert seen == list(range(1, 1001)), f"{len(seen)} execs seen, {len(set(seen))} distinct"
bad = [r for r in hits if r["pid"] != pids[int(r["argv"][2])]]
assert not bad, f"{len(bad)} with a PID the shell did not start them as, e.g. {bad[:2]}"
bad = [r for r in hits if r["ppid"] != ppid]
assert not bad, f"{len(bad)} with a wrong ppid, e.g. {bad[:2]} (want {ppid})"
bad = [r for r in hits if r["comm"] != "true" or r["uid"] != 0 or r["args_unreadable"]]
assert not bad, f"{len(bad)} with a wrong comm/uid or unreadable arguments, e.g. {bad[:2]}"
PY

assert_tracefs_unchanged
