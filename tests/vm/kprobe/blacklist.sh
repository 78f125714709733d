#!/bin/bash
# The kprobe blacklist: read from debugfs only; a blacklisted function is
# refused before anything is written, -F skips that check (the kernel then
# refuses it itself), and when the list is unreadable --verbose says that
# the check was skipped.
# vm-timeout: 60
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
bl=/sys/kernel/debug/kprobes/blacklist
require_file "$bl" "no debugfs kprobes/blacklist in this guest"
snapshot_tracefs

# "0xSTART-0xEND<TAB>name [module]": the names.
awk -F'\t' '{ split($2, a, " "); if (a[1] != "") print a[1] }' "$bl" >bl.txt
[[ -s bl.txt ]] || fail "empty kprobe blacklist"
# One the kernel also lists as traceable: our function check lets it
# through, so the blacklist check is what refuses it.
both=$(awk 'NR == FNR { b[$1] = 1; next } ($1 in b) { print $1; exit }' bl.txt "$TRACEFS/available_filter_functions")
if [[ -n $both ]]; then
	expect_refusal "blacklisted $both" "function '$both' is on the kernel's kprobe blacklist" "p:$both"
	grep -q '\^' bad.err || fail "no caret under the function"
	# -F: no check of ours; the kernel refuses, nothing is left behind.
	expect_refusal "-F blacklisted $both" "refused|kprobe" -F "p:$both"
	! grep -q "kprobe blacklist" bad.err || fail "-F still checked the blacklist"
else
	note "no blacklisted function is in available_filter_functions here: blacklist refusal not reachable without -F"
fi
# -F on any blacklisted function: the kernel's refusal, exit 64, no leftovers.
any=$(head -n1 bl.txt)
expect_refusal "-F blacklisted $any" "." -F "p:$any"
! grep -q "kprobe blacklist" bad.err || fail "-F still checked the blacklist"

# Without a readable blacklist (debugfs not mounted there): the check is
# skipped; --verbose says so, otherwise nothing is said.
mount -t tmpfs none /sys/kernel/debug/kprobes
trap 'umount /sys/kernel/debug/kprobes 2>/dev/null || true' EXIT
[[ ! -e $bl ]] || fail "the tmpfs did not hide $bl"
kp_start quiet.txt 'p:do_sys_openat2'
kp_stop quiet.txt
! grep -q blacklist quiet.txt.err || fail "blacklist notice without --verbose: $(cat quiet.txt.err)"
kp_start verbose.txt --verbose 'p:do_sys_openat2'
kp_stop verbose.txt
cat verbose.txt.err
grep -q "the kprobe blacklist ($bl) is not readable (.*): 'do_sys_openat2' is not checked against it" verbose.txt.err ||
	fail "no notice that the blacklist check was skipped"
if [[ -n $both ]]; then
	# Unchecked by us, refused by the kernel: still exit 64, nothing left.
	expect_refusal "unchecked blacklisted $both" "." "p:$both"
	! grep -q "on the kernel's kprobe blacklist" bad.err || fail "blacklist checked while unreadable?"
fi
umount /sys/kernel/debug/kprobes
trap - EXIT
[[ -r $bl ]] || fail "$bl not back after umount"
assert_tracefs_unchanged
