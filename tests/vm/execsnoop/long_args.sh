#!/bin/bash
# Long argument lists: every exec is reported, and an argument longer than
# the kernel can record is cut visibly ("..." in text, "truncated": true in
# JSON), never lost or silently replaced. A kprobe record must fit in a
# ring-buffer page, so an argument of more than about 4,000 bytes comes from
# /proc (cut at 4,095 bytes) while the process lives, and is marked when it
# is gone; every shorter one comes from the kernel, whatever its neighbours.
# vm-timeout: 240
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

rep() { head -c "$1" /dev/zero | tr '\0' "$2"; }
A5000=$(rep 5000 a)
B1000=()
for i in $(seq 0 19); do B1000+=("$(printf '%02d' "$i")$(rep 998 b)"); done
# A process that keeps its command line until told: bash waiting on a FIFO.
mkfifo hold
# (Opened read-write, the FIFO never blocks the writer; each keeper reads
# one line.)
keeper() { bash -c 'read -r _ <hold' "$@" & }

es_start a.out -j -v
keeper keep5000 "$A5000"
keeper keep5000 "$A5000"
# Gone before execsnoop reads it: execsnoop is stopped until it has exited.
kill -STOP "$BG_PID"
/bin/true gone5000 "$A5000"
kill -CONT "$BG_PID"
/bin/true twenty "${B1000[@]}"
es_stop a.out
release
sed -n 's/^execsnoop: /# a.out: /p' a.out.err

es_start t.out
keeper keeptext "$A5000"
kill -STOP "$BG_PID"
/bin/true gonetext "$A5000"
kill -CONT "$BG_PID"
es_stop t.out
release

es_start m.out -j -v --max-args 100
M=()
for i in $(seq 1 100); do M+=("m$(printf '%03d' "$i")$(rep 296 m)"); done
M[49]=$A5000         # argv[53]
M[89]=$(rep 3900 c)  # argv[93]: too long for a 6.1 record at that slot
keeper keepmany "${M[@]}"
/bin/true twenty "${B1000[@]}"
es_stop m.out
release
sed -n 's/^execsnoop: /# m.out: /p' m.out.err

json_check a.out - <<'PY'
A = "a" * 5000
B = ["%02d" % i + "b" * 998 for i in range(20)]
def rows_with(tag, pos):
    return [r for r in rows if len(r["argv"]) > pos and r["argv"][pos] == tag]
keep = rows_with("keep5000", 3)
assert len(keep) == 2, f"want the 2 keeper execs, got {len(keep)}: {keep}"
for r in keep:
    assert r["argv"][:3] == ["bash", "-c", "read -r _ <hold"], r["argv"][:3]
    assert len(r["argv"]) == 5 and r["truncated"] is True, r
    # From /proc (the keeper still lives): the first 4,095 bytes, marked.
    assert r["argv"][4] == A[:4095] and r["args_unreadable"] is False, (len(r["argv"][4]), r["args_unreadable"])
gone = rows_with("gone5000", 1)
assert len(gone) == 1, f"the /bin/true exec is missing: {gone}"
g = gone[0]
assert g["filename"] == "/bin/true" and g["comm"] == "true" and g["truncated"] is True, g
# Exited before its command line could be read: marked, never guessed.
assert g["argv"] == ["/bin/true", "gone5000", ""] and g["args_unreadable"] is True, g
tw = rows_with("twenty", 1)
assert len(tw) == 1, tw
t = tw[0]
assert t["argv"] == ["/bin/true", "twenty"] + B[:18], [len(a) for a in t["argv"]]
assert t["truncated"] is True and t["args_unreadable"] is False, t
PY

# Text: the cut argument ends in "..." (the keeper lives: from /proc); the
# one of the process that is gone is "?..." and the line is marked.
grep -qE '^bash +[0-9]+ +[0-9]+ +0 +bash -c read -r _ <hold keeptext a{4095}\.\.\.$' t.out || {
	cut -c1-200 t.out >&2; fail "no text line with the argument cut to 4095 bytes and '...'"; }
grep -qE '^true +[0-9]+ +[0-9]+ +0 +/bin/true gonetext \?\.\.\. \[args unreadable\]$' t.out || {
	cut -c1-200 t.out >&2; fail "no marked text line for the argument that was lost"; }
grep -qE 'too long for a trace record, not recoverable \(marked\): [1-9]' a.out.err || {
	cat a.out.err >&2; fail "-v does not count the lost argument"; }

json_check m.out - <<'PY'
M = ["m%03d" % i + "m" * 296 for i in range(1, 101)]
M[49] = "a" * 5000
M[89] = "c" * 3900
keep = [r for r in rows if r["argv"][3:4] == ["keepmany"]]
assert len(keep) == 1, keep
r = keep[0]
want = ["bash", "-c", "read -r _ <hold", "keepmany"] + [a[:4095] for a in M[:96]]
assert len(r["argv"]) == 100, len(r["argv"])
bad = [i for i, (g, w) in enumerate(zip(r["argv"], want)) if g != w]
assert not bad, f"arguments differ at {bad[:5]}: {[len(r['argv'][i]) for i in bad[:5]]}"
assert r["truncated"] is True and r["args_unreadable"] is False, r
tw = [r for r in rows if r["argv"][1:2] == ["twenty"]]
assert len(tw) == 1 and len(tw[0]["argv"]) == 22 and tw[0]["truncated"] is False, tw
assert tw[0]["argv"][2:] == ["%02d" % i + "b" * 998 for i in range(20)]
PY
# The keepers' arguments too long for their records came from /proc, and -v
# says so.
grep -qE 'too long for a trace record, recovered from /proc: [1-9]' m.out.err || {
	cat m.out.err >&2; fail "-v does not count the /proc recovery"; }
assert_tracefs_unchanged
