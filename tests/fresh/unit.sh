#!/usr/bin/env bash
# Issue 13, step 2: in the root of run.sh, `./scripts/test -L unit` installs
# what the unit tests need by itself and they pass.
. "$(dirname "$0")/lib.sh"

root=$FRESH_DIR/a
[ -d "$root$FRESH_HOME" ] || fail "no root from fresh/run in $root"
fresh_step unit "cd $FRESH_HOME && ./scripts/test -L unit" \
	fresh_chroot "$root" bash -c "cd $FRESH_HOME && ./scripts/test -L unit"
log=$FRESH_LOGS/$TEST_NAME.unit.log
# ctest's verdict, and that there were tests at all.
grep -E '^100% tests passed, 0 tests failed out of [1-9]' "$log" ||
	{ fresh_tail "$log"; fail "ctest did not report its unit tests passing"; }
