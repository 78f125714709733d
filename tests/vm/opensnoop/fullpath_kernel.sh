#!/bin/bash
# -F from the kernel's dentries for a command gone before its lines are
# printed: cwd- and dirfd-relative paths under a symbolic link and a tmpfs
# mount made absolute right (the file the kernel opened), and a directory
# deeper than the probe reads is never guessed: its full path is null (or
# [cwd unknown]) rather than cut.
# vm-timeout: 90
set -euo pipefail
. "$SNOOP_TEST_DIR/helpers.bash"
require_kprobes
snapshot_tracefs
base=$PWD
mkdir -p real/w/sub mnt deep
mount -t tmpfs none mnt
mkdir -p mnt/w/sub
ln -s real link
d=deep
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do d=$d/d$i; done
mkdir -p "$d/w/sub"

# held DIR: opener gone runs in DIR/w and exits while opensnoop is stopped.
held() {
	start_bg "$OS" -j -F -v >out.json 2>err
	wait_armed "$BG_PID"
	kill -STOP "$BG_PID"
	# The log is opened here, not by the command's process.
	exec 3>"$base/log"
	(cd "$1/w" && exec opener gone >&3) || fail "the command failed"
	exec 3>&-
	kill -CONT "$BG_PID"
	stop_bg
}

check() { # DIR REAL_DIR WANT(right|null)
	python3 -S -I - "$2/w" "$3" <<'PY' || { cat err >&2; fail "full paths in $1 are wrong"; }
import json, sys
cwd, want = sys.argv[1], sys.argv[2]
ops = [json.loads(l) for l in open("log")]
pid = ops[0]["tid"]
rs = [r for r in map(json.loads, open("out.json")) if r.get("type") == "open" and r["tid"] == pid]
assert len(rs) == len(ops), f"{len(rs)} records for {len(ops)} opens"
for o, r in zip(ops, rs):
    p = bytes.fromhex(o["path_hex"]).decode()
    if p.startswith("/"):
        continue
    right = cwd + ("/sub/" if o["dfd"] != -100 else "/") + p
    got = (r["full_path"], r["full_path_source"])
    if want == "right":
        assert got == (right, "kernel"), f"{p!r}: got {got}, expected {right!r}"
    else:
        assert got in ((None, None), (right, "kernel")), f"{p!r}: got {got}: neither null nor {right!r}"
print(f"{cwd}: {len(rs)} records as expected ({want})")
PY
}

held link
check link "$base/real" right
held mnt
check mnt "$base/mnt" right
held "$d"
check "$d" "$base/$d" null
umount mnt
assert_tracefs_unchanged
