#!/bin/bash
# execveat via fexecve (comm and filename as the kernel names them); the
# filters -P, -n, -l, -u; -q gives a line that a shell re-executes to the
# same argv.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

# fexecve: an execveat with an empty path on an fd. The kernel names the
# file /dev/fd/N and the task after the file or N (kernels differ): the
# program itself prints the name it got, and execsnoop must show the same,
# in JSON and text.
# (execsnoop stopped until the process is gone: the name must come from
# the kernel, not from /proc)
es_start fx.out -j
kill -STOP "$BG_PID"
fexecve_prog /bin/cat cat /proc/self/comm >fx.comm
kill -CONT "$BG_PID"
es_stop fx.out
es_start fxt.out
kill -STOP "$BG_PID"
fexecve_prog /bin/cat cat /proc/self/comm >fxt.comm
kill -CONT "$BG_PID"
es_stop fxt.out
note "fexecve'd cat names itself '$(cat fx.comm)'"
json_check fx.out - <<'PY'
import re
comm = open("fx.comm").read().rstrip("\n")
hits = [r for r in rows if r["argv"] == ["cat", "/proc/self/comm"]]
assert len(hits) == 1, hits
r = hits[0]
assert r["ret"] == 0 and r["comm"] == comm and comm, (r, comm)
assert re.fullmatch(r"/dev/fd/[0-9]+", r["filename"]), r
PY
grep -qE "^$(cat fxt.comm) +[0-9]+ +[0-9]+ +0 +cat /proc/self/comm\$" fxt.out || {
	cat fxt.out >&2; fail "text: no fexecve line with PCOMM '$(cat fxt.comm)'"; }

# -P: only children of one shell.
# The parent waits for "go" with builtins only (an external sleep would be
# an exec of its own child), reading with a timeout from a FIFO that never
# gets data.
mkfifo never
bash -c 'echo $$ >p.pid; exec 3<>never; until [[ -e go ]]; do read -r -t 0.1 -u 3 || :; done; /bin/echo from-p >/dev/null' &
parent=$!
wait_for_file p.pid
es_start P.out -j -P "$(cat p.pid)"
/bin/echo not-from-p >/dev/null
: >go
wait "$parent"  # (not a bare wait: execsnoop is a background job too)
es_stop P.out
json_check P.out '[r["argv"] for r in rows] == [["/bin/echo", "from-p"]]'

# -n: a regex on the new command name.
es_start n.out -j -n '^ech'
/bin/echo by-name >/dev/null
/bin/true
es_stop n.out
json_check n.out '[r["argv"] for r in rows] == [["/bin/echo", "by-name"]]'

# -l: a substring of the argument line (not of the name).
es_start l.out -j -l 'needle in'
/bin/echo 'a needle' 'in a haystack' >/dev/null
/bin/echo needle >/dev/null
es_stop l.out
json_check l.out '[r["argv"] for r in rows] == [["/bin/echo", "a needle", "in a haystack"]]'

# -u: by user; nobody's execs are shown, with the UID the kernel gave them
# although they are gone when their line is made (execsnoop is stopped
# meanwhile), root's are not.
command -v su >/dev/null || fail "no su in the guest to run a command as nobody"
es_start u.out -j -v -u nobody
kill -STOP "$BG_PID"
su -s /bin/sh nobody -c '/bin/echo as-nobody' >/dev/null
/bin/echo as-root >/dev/null
kill -CONT "$BG_PID"
es_stop u.out
json_check u.out - <<'PY'
mine = [r for r in rows if r["argv"] == ["/bin/echo", "as-nobody"]]
assert len(mine) == 1, rows
assert all(r["uid"] == 65534 for r in rows), rows
assert not any("as-root" in r["argv"] for r in rows), rows
PY
grep -qE '^execsnoop: UID from the kernel: [1-9][0-9]*, ' u.out.err || {
	cat u.out.err >&2; fail "no UID came from the kernel"; }
if grep -q -- '-u: .* not shown' u.out.err; then fail "-u skipped execs whose UID was unknown"; fi

# -q: the line re-executes to the same argv.
es_start q.out -q --no-header
/bin/echo "a b" 'it'"'"'s' '$HOME' '' $'tab\there' >/dev/null
es_stop q.out
line=$(grep -m1 -E '^echo ' q.out) || { cat q.out >&2; fail "no echo line with -q"; }
cmd=${line#*0       }
printf '%s\n' "$cmd" >cmd.txt
bash -c "args() { for a in \"\$@\"; do printf '<%s>' \"\$a\"; done; }; eval \"args \$(cat cmd.txt)\"" >got.txt
printf '<%s>' /bin/echo "a b" "it's" '$HOME' '' $'tab\there' >want.txt
cmp -s got.txt want.txt || fail "-q line '$cmd' re-reads as $(cat got.txt), want $(cat want.txt)"
assert_tracefs_unchanged
