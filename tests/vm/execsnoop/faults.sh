#!/bin/bash
# Arguments the kernel cannot read at the syscall (their page not yet in
# memory, made so by fault_prog): re-read from /proc/PID/cmdline while the
# process runs the same exec, marked when it is gone, and never taken from
# a later exec of the same PID; -v counts each case.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs
mkfifo hold

es_start f.out -j -v
# 1. Still running when its line is made: recovered.
fault_prog /bin/bash bash -c 'read -r _ <hold' keeper1 &
sleep 0.5
# 2. Gone: execsnoop is stopped until the process has exited.
kill -STOP "$BG_PID"
fault_prog /bin/true true gone2
# 3. Re-exec'd by then: /proc shows the second exec, which must not be
#    taken for the first.
fault_prog /bin/bash bash -c 'exec /bin/bash -c "read -r _ <hold" "sec"ond3 extra' first3 &
# Until the second exec is there (its "second3" is not in the first's
# command line, nor, as 'second[3]', in this grep's).
for ((i = 0; i < 300; i++)); do
	grep -qsa 'second[3]' /proc/[0-9]*/cmdline && break
	sleep 0.1
done
kill -CONT "$BG_PID"
es_stop f.out
release
sed -n 's/^execsnoop: /# /p' f.out.err

json_check f.out - <<'PY'
def one(pred, what):
    hits = [r for r in rows if pred(r)]
    assert len(hits) == 1, f"{what}: {len(hits)} rows: {hits}"
    return hits[0]
k = one(lambda r: r["argv"][3:] == ["keeper1"], "keeper")
assert k["argv"] == ["bash", "-c", "read -r _ <hold", "keeper1"] and k["args_unreadable"] is False, k
assert k["comm"] == "bash" and k["filename"] == "/bin/bash", k
g = one(lambda r: r["filename"] == "/bin/true", "gone")
assert g["argv"] == ["", ""] and g["args_unreadable"] is True and g["comm"] == "true", g
f = one(lambda r: r["filename"] == "/bin/bash" and r["argv"][3:] != ["keeper1"] and r["argv"][3:4] != ["second3"], "first")
assert f["argv"] == ["", "", "", ""] and f["args_unreadable"] is True, f
s = one(lambda r: r["argv"][3:4] == ["second3"], "second")
assert s["argv"] == ["/bin/bash", "-c", "read -r _ <hold", "second3", "extra"] and not s["args_unreadable"], s
PY
grep -qE '^execsnoop: argument faulted, recovered from /proc: [1-9][0-9]*$' f.out.err &&
	grep -qE '^execsnoop: argument faulted, not recoverable \(marked\): ([2-9]|[1-9][0-9]+)$' f.out.err &&
	grep -qE '^execsnoop: /proc held another command line \(not used\): [1-9][0-9]*$' f.out.err || {
	cat f.out.err >&2; fail "-v counts: want >= 1 recovered, >= 2 marked, >= 1 mismatch"; }

# Text: the unreadable arguments are "?" and the line is marked.
es_start t.out
kill -STOP "$BG_PID"
fault_prog /bin/true true gone-text
kill -CONT "$BG_PID"
es_stop t.out
grep -qE '^true +[0-9]+ +[0-9]+ +0 +\? \? \[args unreadable\]$' t.out || {
	cat t.out >&2; fail "no marked text line for the faulted arguments"; }
assert_tracefs_unchanged
