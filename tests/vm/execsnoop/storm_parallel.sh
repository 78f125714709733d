#!/bin/bash
# An exec storm of 2,000 short-lived processes from 4 parallel shells: every
# one reported exactly once with the PID the shell started it as and the
# right PPID, or the loss reported. -v's counts (fault recovery, missing
# entries) are printed as notes. (storm.sh: one shell.)
# vm-timeout: 120
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

# Each shell runs /bin/true as a background job so that $! is its PID, and
# waits for it before the next: one exec at a time per shell.
es_start par.out -j -v
t0=$(date +%s)
shells=()
for s in 1 2 3 4; do
	bash -c 'echo $$ >par'$s'.pid; exec 3>par'$s'.pids
		for i in $(seq 1 500); do /bin/true par '$s' $i & echo "$i $!" >&3; wait $!; done' &
	shells+=($!)
done
# (a bare `wait` would also wait for execsnoop, a background job too)
wait "${shells[@]}"
note "2000 execs from 4 shells took $(( $(date +%s) - t0 )) s"
es_stop par.out
counts par.out.err par
json_check par.out - <<'PY'
ppids = {int(open(f"par{s}.pid").read()): s for s in (1, 2, 3, 4)}
pids = {}
for s in (1, 2, 3, 4):
    for l in open(f"par{s}.pids"):
        i, p = l.split()
        pids[(str(s), i)] = int(p)
assert len(pids) == 2000, len(pids)
hits = [r for r in rows if r.get("filename") == "/bin/true" and r["argv"][1:2] == ["par"]]
lost = sum(r.get("lost") or 0 for r in rows if r.get("type") == "lost")
keys = [(r["argv"][2], r["argv"][3]) for r in hits]
assert len(keys) == len(set(keys)), "an exec was reported twice"
assert len(keys) + lost >= 2000, f"{len(keys)} reported + {lost} lost < 2000"
for r in hits:
    k = (r["argv"][2], r["argv"][3])
    assert k in pids, f"an exec no shell started: {r}"
    assert r["pid"] == pids[k], f"PID {r['pid']}, the shell started it as {pids[k]}: {r}"
    assert ppids.get(r["ppid"]) == int(r["argv"][2]), f"wrong ppid {r}"
PY
assert_tracefs_unchanged
