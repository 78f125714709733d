#!/bin/bash
# Arguments with spaces, double quotes, a newline, a non-UTF-8 byte, an
# ANSI escape and an empty one: JSON gives them back byte for byte; text
# shows them escaped, never raw.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

es_start text.out
/bin/echo "a b" 'q"q' $'n\nl' $'\xff' $'\e[31mred' '' >/dev/null
es_stop text.out
# (execsnoop stopped until echo is gone: every byte must come from the
# kernel, the empty argument too, which 6.1 records like a fault)
es_start json.out -j
kill -STOP "$BG_PID"
/bin/echo "a b" 'q"q' $'n\nl' $'\xff' $'\e[31mred' '' >/dev/null
kill -CONT "$BG_PID"
es_stop json.out

json_check json.out - <<'PY'
want = [b"/bin/echo", b"a b", b'q"q', b"n\nl", b"\xff", b"\x1b[31mred", b""]
hits = [r for r in rows if r["filename"] == "/bin/echo"]
assert len(hits) == 1, hits
r = hits[0]
got = [a.encode("utf-8", "surrogateescape") for a in r["argv"]]
assert got == want, (got, want)
assert r["truncated"] is False and r["ret"] == 0 and r["comm"] == "echo", r
assert r["args_unreadable"] is False and r["uid"] == 0, r
PY
# Text: the escaped forms are there, and no control byte at all.
grep -F 'a b q"q n\nl \xff \x1b[31mred' text.out >/dev/null || {
	cat text.out >&2; fail "escaped argument line not found in text output"; }
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' text.out; then
	fail "a control byte reached the text output"
fi
assert_tracefs_unchanged
