#!/bin/bash
# execveat via fexecve; the filters -P, -n, -l, -u; -q gives a line that a
# shell re-executes to the same argv.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

# fexecve: an execveat with an empty path on an fd.
es_start fx.out -j
fexecve_prog
es_stop fx.out
json_check fx.out 'any(r["argv"] == ["true", "via-fd"] and r["ret"] == 0 for r in rows)'

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

# -u: by user; nobody's exec is shown, root's is not.
es_start u.out -j -u nobody
su -s /bin/sh nobody -c '/bin/echo as-nobody' >/dev/null 2>&1 || setpriv --reuid=65534 --regid=65534 --clear-groups /bin/echo as-nobody >/dev/null 2>&1 || true
/bin/echo as-root >/dev/null
es_stop u.out
json_check u.out 'not any("as-root" in r["argv"] for r in rows)'
if ! grep -q as-nobody u.out; then
	note "no way to run a command as nobody here (no su/setpriv): -u only checked negatively"
fi

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
