#!/bin/bash
# A 32-bit (compat) process: i386 under x86_64's ia32 emulation, AArch32 EL0
# under arm64 (qemu -cpu max). The syscall tracepoints skip compat syscalls
# and the kprobes sit on the native entry points, so: execsnoop prints its
# exec from sched_process_exec, argv from /proc, marked (says so once, and
# counts it: -v), and the exec into it under its own name (the tracepoint
# path: tests/live/compat.sh);
# opensnoop's kprobe (do_sys_openat2, shared by both ABIs) prints its path
# with no result; killsnoop does not see its kill. As the man pages say.
# vm-timeout: 40
set -euo pipefail
. /snoopvm/lib.sh

require_file "$TRACEFS/kprobe_events" "no kprobe events"
case $(uname -m) in
x86_64) arch=i386 ;;
aarch64) arch=arm ;;
*) skip "no 32-bit program for $(uname -m)" ;;
esac
marker=snoop-compat-$$
: >"$PWD/opened-$marker"
python3 "$SNOOP_TEST_DIR/compat32.py" "$arch" c32 "$PWD/opened-$marker" /bin/true "$marker" ||
	fail "cannot write the 32-bit program"
st=0
./c32 >c32.out 2>&1 || st=$?
# the program execs /bin/true: 97 = its execve failed, anything else = it never ran
[[ $st == 0 ]] || skip "this kernel or CPU does not run $arch programs (status $st: $(head -c 200 c32.out))"
snapshot_tracefs

# one after another: each armed before the next starts
armed() {
	local i d=
	for ((i = 0; i < 200; i++)); do
		d=$(snoop_instance_of "$BG_PID")
		[[ -n $d ]] && snoop_armed "$d" && return 0
		sleep 0.05
	done
	fail "$* did not arm: $(cat ./*.err)"
}
start_bg execsnoop -j -v >e.json 2>e.err
e=$BG_PID && armed execsnoop
start_bg opensnoop -j >o.json 2>o.err
o=$BG_PID && armed opensnoop
start_bg killsnoop -j >k.json 2>k.err
k=$BG_PID && armed killsnoop
./c32
nap 0.5
for p in $k $o $e; do stop_bg -p "$p"; done

# (an exec under way when execsnoop began, a sleep of armed(), counts too)
grep -q 'a 32-bit (compat) program.s exec' e.err || fail "execsnoop did not say what it does with 32-bit execs: $(cat e.err)"
grep -Eq 'execs without entry records .*: [1-9][0-9]*$' e.err || fail "execsnoop -v: no count: $(cat e.err)"
# both paths: the exec into the 32-bit program under its own name, and its
# exec of /bin/true once, the file name from sched_process_exec, the
# arguments from /proc marked (or unreadable: /bin/true is quick)
json_check e.json - <<PY
c32 = [r for r in rows if (r["filename"] or "").endswith("/c32")]
assert len(c32) == 1 and c32[0]["comm"] == "c32", c32
t = [r for r in rows if r["pid"] == c32[0]["pid"] and r is not c32[0]]
assert len(t) == 1 and t[0]["filename"] == "/bin/true" and t[0]["filename_source"] == "sched", t
assert t[0]["args_source"] in ("late", "proc-checked") or t[0]["args_unreadable"], t
if t[0]["args_source"] in ("late", "proc-checked"):
    assert t[0]["argv"] == ["/bin/true", "$marker"], t
PY
json_check o.json - <<PY
m = [r for r in rows if (r.get("path") or "").endswith("opened-$marker")]
assert len(m) == 1, m
assert m[0]["comm"] == "c32" and m[0]["ret"] is None, m
PY
json_check k.json 'not [r for r in rows if r["comm"] == "c32"]'
note "execsnoop: counted and said; --tracepoint: shown (late); opensnoop: path, no result; killsnoop: not seen"
assert_tracefs_unchanged
