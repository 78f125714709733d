#!/bin/bash
# Struct fields by name from BTF: p: with offsets computed by kprobe on
# both kernels; f: with the kernel's own BTF args where it has fprobes.
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
require_file /sys/kernel/btf/vmlinux "no BTF"
snapshot_tracefs
target=/tmp/kp_btf_$$
touch "$target"

kp_start btf.json -j -n kp_open 'p:do_sys_openat2 dfd filename:ustring how->flags how->mode'
kp_open "$target" 1 >/dev/null
kp_stop btf.json
json_check btf.json - <<PY
r = [r for r in rows if r["fields"].get("filename") == "$target"]
assert r, rows
f = r[0]["fields"]
assert f["dfd"] == -100, f
assert f["how_flags"] & 0o2000000, f   # O_CLOEXEC
assert f["how_flags"] & 3 == 0, f      # O_RDONLY
assert f["how_mode"] == 0, f
PY
if grep -q '^ *f\[' "$TRACEFS/README" 2>/dev/null || grep -q 'f\[:\[<group>/\]\[<event>\]\]' "$TRACEFS/README"; then
	kp_start f.json -j -n kp_open 'f:do_sys_openat2 dfd filename:ustring how->flags'
	kp_open "$target" 1 >/dev/null
	kp_stop f.json
	json_check f.json - <<PY
r = [r for r in rows if r["fields"].get("filename") == "$target"]
assert r, rows
assert r[0]["fields"]["dfd"] == -100 and r[0]["fields"]["how_flags"] & 0o2000000, r[0]
PY
else
	note "no fprobe events on $(uname -r): f: part skipped"
	set +e
	"$KPROBE" 'f:do_sys_openat2 dfd' 2>f.err
	rc=$?
	set -e
	[[ $rc == 69 ]] || fail "f: without fprobes: exit $rc, expected 69"
	grep -q 'fprobe events are not available' f.err || fail "f: without fprobes: $(cat f.err)"
fi
assert_tracefs_unchanged
