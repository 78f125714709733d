#!/bin/bash
# -x: failed execs with the errno name (ENOENT, EACCES); without -x they are
# not shown.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs
printf 'not a program\n' >noexec; chmod 644 noexec

es_start x.out -x -j
/nonexistent/prog one 2>/dev/null || true
./noexec two 2>/dev/null || true
/bin/true
es_stop x.out
json_check x.out - <<'PY'
by = {r["filename"]: r for r in rows}
e = by["/nonexistent/prog"]
assert e["ret"] == -2 and e["errno"] == 2 and e["errno_name"] == "ENOENT", e
assert e["argv"] == ["/nonexistent/prog", "one"], e
a = by["./noexec"]
assert a["errno_name"] == "EACCES" and a["errno"] == 13, a
assert by["/bin/true"]["ret"] == 0, by["/bin/true"]
PY
es_start xt.out -x
/nonexistent/prog 2>/dev/null || true
es_stop xt.out
grep -E '^prog +[0-9]+ +[0-9]+ +ENOENT +/nonexistent/prog$' xt.out >/dev/null || {
	cat xt.out >&2; fail "no ENOENT line in text"; }

es_start nox.out -j
/nonexistent/prog 2>/dev/null || true
/bin/true
es_stop nox.out
json_check nox.out '[r for r in rows if r["filename"] == "/nonexistent/prog"] == [] and any(r["filename"] == "/bin/true" for r in rows)'
assert_tracefs_unchanged
