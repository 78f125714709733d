#!/bin/bash
# Globs matching several functions, -x, and the refusals: a pattern that
# matches nothing, more functions than --limit; none of them writes tracefs.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
aff=$TRACEFS/available_filter_functions
nglob=$(grep -cE '^do_[^ ]*open' "$aff")
((nglob > 1)) || skip "only $nglob function matches do_*open* here"
grep -qE '^do_filp_open( |$)' "$aff" || skip "do_filp_open is not traceable here"

# A glob: every selected function is counted, calls of two of them seen.
opener_start 2 0
ft_start out.txt 'do_*open*'
opener_run
sleep 1
ft_stop out.txt
grep -q "^functrace: tracing $nglob functions\." out.txt.err || fail "expected 'tracing $nglob functions': $(cat out.txt.err)"
for f in do_sys_openat2 do_filp_open; do
	grep -qE "^ft_opener +$OPENER +[0-9]+ +$f <- " out.txt || { cat out.txt >&2; fail "no call of $f"; }
done
ft_assert_clean

# -x removes one of them; two patterns at once.
opener_start 2 0
ft_start out2.txt -x do_filp_open 'do_*open*' vfs_open
opener_run
sleep 1
ft_stop out2.txt
want=$((nglob - $(grep -cE '^do_filp_open( |$)' "$aff") + $(grep -cE '^vfs_open( |$)' "$aff")))
grep -q "^functrace: tracing $want functions\." out2.txt.err || fail "expected 'tracing $want functions': $(cat out2.txt.err)"
grep -qE "^ft_opener +$OPENER .* do_sys_openat2 <- " out2.txt || fail "no do_sys_openat2 with -x"
grep -qE "^ft_opener +$OPENER .* vfs_open <- " out2.txt || fail "no vfs_open (second pattern)"
! grep -qE ' do_filp_open <- ' out2.txt || fail "do_filp_open traced despite -x"
ft_assert_clean

# Refusals: exit 64, one line, nothing created.
expect_refusal() { # REGEX ARGS...
	local re=$1 rc=0
	shift
	"$FT" "$@" >o.txt 2>e.txt || rc=$?
	((rc == 64)) || fail "functrace $*: exit $rc, expected 64: $(cat e.txt)"
	grep -qE "$re" e.txt || fail "functrace $*: error does not match /$re/: $(cat e.txt)"
	[[ ! -s o.txt ]] || fail "functrace $*: wrote to stdout"
	ft_assert_clean
}
expect_refusal "pattern 'no_such_function_xyz\*' matches no traceable function" 'no_such_function_xyz*'
expect_refusal "exclusion 'nope_nope' matches no" -x nope_nope do_sys_openat2
expect_refusal "the patterns match [0-9]+ functions, more than the limit of 1000" '*'
expect_refusal "the patterns match $nglob functions, more than the limit of 1" --limit 1 'do_*open*'
expect_refusal "leave no function" -x 'do_sys_openat2' do_sys_openat2
cat e.txt >&2

# --limit with -x: the limit is on what is traced (the patterns less the
# exclusions), checked before anything is written and again on what the
# kernel took (set_ftrace_filter less set_ftrace_notrace), with the same
# count, message and status. The second check used to count the filter
# alone, so a run the first check allowed failed at set-up with exit 1.
nv=$(grep -cE '^vfs_' "$aff")
nx=$(grep -cE '^vfs_s' "$aff")
nsel=$((nv - nx))
((nx > 0 && nsel > 1)) || fail "vfs_*: $nv functions, vfs_s*: $nx: the test needs both"
ft_start out4.txt -c --limit "$nsel" 'vfs_*' -x 'vfs_s*'
ft_stop out4.txt
grep -q "^functrace: tracing $nsel functions\." out4.txt.err || fail "expected 'tracing $nsel functions': $(cat out4.txt.err)"
ft_assert_clean
expect_refusal "^functrace: the patterns match $nsel functions, more than the limit of $((nsel - 1)): " \
	--limit $((nsel - 1)) 'vfs_*' -x 'vfs_s*'
expect_refusal "^functrace: the patterns match $nv functions, more than the limit of $nsel: " \
	--limit "$nsel" 'vfs_*'

# --force lifts the limit.
ft_start out3.txt --limit 1 --force 'do_*open*'
cat /proc/version >/dev/null
ft_stop out3.txt
ft_assert_clean
