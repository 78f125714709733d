#!/bin/bash
# 30 arguments: 20 shown by default with the truncation marked; all 30 with
# --max-args 100 and not marked.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs
args=()
for i in $(seq 1 29); do args+=("arg$i"); done

es_start def.out -j
/bin/echo "${args[@]}" >/dev/null
es_stop def.out
json_check def.out - <<'PY'
r = [r for r in rows if r["filename"] == "/bin/echo"][0]
assert len(r["argv"]) == 20, r
assert r["argv"][19] == "arg19", r
assert r["truncated"] is True, r
PY
es_start deftext.out
/bin/echo "${args[@]}" >/dev/null
es_stop deftext.out
grep -E 'echo .* arg19 \.\.\.$' deftext.out >/dev/null || { cat deftext.out >&2; fail "no ' ...' truncation mark"; }

es_start many.out -j --max-args 100
/bin/echo "${args[@]}" >/dev/null
es_stop many.out
json_check many.out - <<'PY'
r = [r for r in rows if r["filename"] == "/bin/echo"][0]
assert len(r["argv"]) == 30, r
assert r["argv"][29] == "arg29", r
assert r["truncated"] is False, r
PY
assert_tracefs_unchanged
