#!/bin/bash
# A command that has exited before its lines are printed (opensnoop is held
# with SIGSTOP while it runs): -F makes its cwd- and dirfd-relative paths
# absolute from the kernel's dentries at the open (JSON full_path_source
# "kernel"), where /proc has nothing any more; absolute ones stay; with the
# kernel's paths off (--tracepoint) they are marked "[cwd unknown]"; COMM is its exec name cut to
# 15 bytes on the kprobe path and on the tracepoint path (with -n, which
# drops the fork that created it).
# vm-timeout: 90
set -euo pipefail
. "$SNOOP_TEST_DIR/helpers.bash"
require_kprobes
snapshot_tracefs
mkdir -p w/sub
# A name longer than a comm's 15 bytes.
LONG=$PWD/opener-with-a-long-name
NAME=opener-with-a-l
ln -s "$(command -v opener)" "$LONG"

# held NAME OPENSNOOP_ARGS...: the command runs and exits while opensnoop is
# stopped; its log in NAME.log, opensnoop's output in NAME.out.
held() {
	local name=$1
	shift
	start_bg "$OS" "$@" >"$name.out" 2>"$name.err"
	wait_armed "$BG_PID"
	kill -STOP "$BG_PID"
	# The log is opened here, not by the command's process (whose opens
	# are checked one by one).
	exec 3>"$name.log"
	(cd w && exec "$LONG" gone >&3) || fail "the command failed"
	exec 3>&-
	kill -CONT "$BG_PID"
	stop_bg
}

# JSON, kprobe path, no filter (so that task_newtask gives the PID).
held json -j -e -F
python3 -S -I - "$NAME" "$PWD/w" <<'PY' || { cat json.err json.log >&2; fail "JSON records of the gone command are wrong"; }
import json, sys
name, cwd = sys.argv[1], sys.argv[2]
ops = [json.loads(l) for l in open("json.log")]
pid = ops[0]["tid"]
dirfd = ops[0]["ret"]
rs = [r for r in map(json.loads, open("json.out")) if r.get("type") == "open" and r["tid"] == pid]
assert len(rs) == len(ops), f"{len(rs)} records for {len(ops)} opens: {rs}"
for o, r in zip(ops, rs):
    p = bytes.fromhex(o["path_hex"]).decode()
    absolute = p.startswith("/")
    full = p if absolute else cwd + ("/sub/" if o["dfd"] != -100 else "/") + p
    exp = {"pid": pid, "comm": name, "path": p, "path_status": "ok", "dfd": o["dfd"], "fd": o["ret"],
           "full_path": full, "full_path_source": "absolute" if absolute else "kernel"}
    got = {k: r[k] for k in exp}
    assert got == exp, f"got {got}, expected {exp}"
assert any(o["dfd"] == dirfd for o in ops), "no open relative to the dirfd"
print(f"{len(rs)} records: relative paths made absolute by the kernel, COMM {name!r}")
PY

# Text, with -n: the marks.
held text -F -n "$NAME"
dirfd=$(python3 -S -I -c 'import json; print(json.loads(open("text.log").readline())["ret"])')
cat text.out
grep -qF "$NAME" text.out || fail "no COMM $NAME"
grep -q " $PWD/w/rel.txt\$" text.out || fail "rel.txt not made absolute"
grep -q " $PWD/w/sub\$" text.out || fail "sub not made absolute"
grep -q " $PWD/w/sub/in sub.txt\$" text.out || fail "'in sub.txt' (dirfd $dirfd) not made absolute"
grep -q " $PWD/w/abs.txt\$" text.out || fail "the absolute path is not as it was given"

# The tracepoint path, with -n: COMM from the exec, PID from the exec too.
held tp -j --tracepoint -n "$NAME"
python3 -S -I - "$NAME" <<'PY' || { cat tp.out tp.err >&2; fail "COMM on the tracepoint path is wrong"; }
import json, sys
pid = json.loads(open("tp.log").readline())["tid"]
rs = [r for r in map(json.loads, open("tp.out")) if r.get("type") == "open" and r["tid"] == pid]
assert len(rs) == 4, f"{len(rs)} records of the command"
bad = [r for r in rs if (r["comm"], r["pid"]) != (sys.argv[1], pid)]
assert not bad, f"COMM or PID wrong: {bad}"
print(f"{len(rs)} records with COMM {sys.argv[1]!r}, PID {pid}")
PY
assert_tracefs_unchanged
