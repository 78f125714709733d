# shellcheck shell=bash
# Issue 9, hostile bytes on the kprobe paths (the paths and arguments come
# from the kernel's own string fetches here, not from /proc): files whose
# names hold every byte value 1..255 but '/' (in chunks), terminal escapes
# and invalid UTF-8 are opened, and commands exec'd with them as arguments.
# opensnoop, kprobe (a ustring fetch arg) and execsnoop must print them in
# text with no raw control byte, and in JSON so that every path/argument
# round-trips to its bytes by the surrogateescape rule (README "Output and
# escaping"). Then the limits in real runs: --max-args 126 fetching 126
# arguments, 64 kprobes in one session, the smallest buffer.
# Sourced by hostile_*.sh, each naming its part in HOSTILE_PART (paths:
# opensnoop and kprobe; args: execsnoop; limits: the limits), so that each boot
# fits in a minute.
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
require_file "$TRACEFS/kprobe_events" "the kprobe paths need kprobe events"
trap r_counts EXIT
ESC=$SNOOP_TEST_DIR/escape.py
r_before

D=/tmp/relhost
rm -rf "$D"; mkdir "$D"
mapfile -t NAMES < <(python3 "$ESC" args)
# The full paths, hex, as the syscalls get them.
mapfile -t PATHS < <(python3 - "$D" "${NAMES[@]}" <<'PY'
import os, sys
d = sys.argv[1].encode()
for h in sys.argv[2:]:
    p = d + b"/" + bytes.fromhex(h)
    assert b"/" not in bytes.fromhex(h) and b"\0" not in p
    with open(p, "wb") as f:
        f.write(b"x")
    print(p.hex())
PY
)
((${#PATHS[@]} == ${#NAMES[@]})) || fail "could not create the hostile files"
open_all() {
	python3 - "${PATHS[@]}" <<'PY'
import os, sys
for h in sys.argv[1:]:
    os.close(os.open(bytes.fromhex(h), os.O_RDONLY))
PY
}
exec_all() {
	python3 - "${NAMES[@]}" <<'PY'
import subprocess, sys
for h in sys.argv[1:]:
    subprocess.run([b"/bin/true", b"relhostile", bytes.fromhex(h)])
PY
}

# check NAME KEY HEX...: NAME.out (text) has nothing raw; NAME-j.out (JSON)
# has nothing raw either and gives every string back.
check() {
	local n=$1 key=$2
	shift 2
	python3 "$ESC" text "$n.out" >/dev/null || fail "$n: raw bytes in the text output"
	python3 "$ESC" text "$n-j.out" >/dev/null || fail "$n -j: raw bytes in the JSON output"
	python3 "$ESC" json "$n-j.out" "$key" "$@" || fail "$n -j: the strings do not round-trip"
	R_INPUTS=$((R_INPUTS + 2 * $#))
}

if [[ $HOSTILE_PART == paths ]] && r_have opensnoop; then
	for j in "" -j; do
		r_start "open$j" "$SNOOP_BIN/opensnoop" $j "$D/*"
		open_all
		stop_bg -t 20
	done
	grep -q . open.out || fail "opensnoop printed nothing"
	check open path "${PATHS[@]}"
	r_check "opensnoop with hostile paths"
fi
if [[ $HOSTILE_PART == paths ]] && r_have kprobe; then
	for j in "" -j; do
		r_start "kp$j" "$SNOOP_BIN/kprobe" $j "p:do_sys_openat2 path=+0($(kreg 2)):ustring" "path ~ \"$D/*\""
		open_all
		stop_bg -t 20
	done
	check kp fields.path "${PATHS[@]}"
	r_check "kprobe with hostile paths"
fi
if [[ $HOSTILE_PART == args ]] && r_have execsnoop; then
	for j in "" -j; do
		r_start "exec$j" "$SNOOP_BIN/execsnoop" $j -n '^true$'
		exec_all
		stop_bg -t 20
	done
	check exec argv "${NAMES[@]}"
	r_check "execsnoop with hostile arguments"
fi
[[ $HOSTILE_PART == limits ]] || note "hostile paths and arguments: $R_INPUTS outputs checked"

# The limits in real runs on the kprobe paths.
if [[ $HOSTILE_PART == limits ]] && r_have execsnoop; then
	# (default buffer: execsnoop writes a record per argument, 128 here,
	# more than the smallest buffer -b 4 holds)
	t0=$SECONDS
	r_start max "$SNOOP_BIN/execsnoop" -j --max-args 126 -n '^true$'
	t1=$SECONDS
	/bin/true $(seq 1 130)
	stop_bg -t 20
	note "execsnoop --max-args 126: armed in $((t1 - t0)) s, ended in $((SECONDS - t1)) s"
	json_check max.out - <<'PY'
full = ["/bin/true"] + [str(i) for i in range(1, 131)]
r = [x for x in rows if x.get("argv", [])[:2] == full[:2]]
assert r, "the 131-argument exec was not seen"
a = r[0]["argv"]
assert a == full[:126], f"argv: {len(a)} arguments, expected the first 126 of {len(full)}"
assert r[0].get("truncated") is True, "not marked truncated"
PY
	r_check "execsnoop --max-args 126"
	R_INPUTS=$((R_INPUTS + 1))
fi
if [[ $HOSTILE_PART == limits ]] && r_have kprobe; then
	e64=()
	for i in $(seq 1 64); do e64+=(-e p:do_sys_openat2); done
	t0=$SECONDS
	r_start k64 "$SNOOP_BIN/kprobe" -b 4 "${e64[@]}"
	t1=$SECONDS
	[[ $(grep -cE "snoop_[0-9a-f]{8}_${BG_PID}/" "$TRACEFS/dynamic_events") == 64 ]] || fail "64 probes asked, $(grep -cE "snoop_[0-9a-f]{8}_${BG_PID}/" "$TRACEFS/dynamic_events") made"
	cat /etc/passwd >/dev/null
	stop_bg -t 30
	note "kprobe with 64 probes: armed in $((t1 - t0)) s, ended in $((SECONDS - t1)) s"
	r_check "kprobe with 64 probes"
	R_INPUTS=$((R_INPUTS + 1))
fi
