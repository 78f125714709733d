#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The JSON escaper's promise, checked by a JSON parser that is not ours:
# test_output writes JSON lines, each holding a byte string both escaped
# ("value", and "argv"[0]) and hex-encoded ("hex"); Python must parse every
# line, and value.encode('utf-8', 'surrogateescape') must give back exactly
# the bytes of "hex". Every line must also be strict UTF-8 with nothing on
# it that steers a terminal.
set -u

build=${SNOOP_BUILD:?"SNOOP_BUILD is not set (ctest sets it to the build directory)"}
prog=$build/tests/unit/test_output
if [ ! -x "$prog" ]; then
	echo "json_roundtrip: $prog is missing: build the tree first" >&2
	exit 1
fi
if ! command -v python3 >/dev/null; then
	echo "json_roundtrip: python3 is needed to check the JSON" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/snoop_json_roundtrip.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! SNOOP_JSON_OUT=$tmp/out.jsonl "$prog" >"$tmp/log" 2>&1; then
	echo "json_roundtrip: $prog failed:" >&2
	cat "$tmp/log" >&2
	exit 1
fi
if [ ! -s "$tmp/out.jsonl" ]; then
	echo "json_roundtrip: $prog wrote no JSON lines to $tmp/out.jsonl" >&2
	exit 1
fi

python3 - "$tmp/out.jsonl" <<'EOF'
import json
import sys

# Code points that must never be raw in output (see include/snoop/output.h).
def steers(cp):
    return (cp < 0x20 or 0x7f <= cp <= 0x9f or cp in (0x061c, 0x200e, 0x200f, 0xfeff)
            or 0x2028 <= cp <= 0x202e or 0x2066 <= cp <= 0x2069)

failures = 0
lines = 0
kinds = {}

def fail(n, what, raw):
    global failures
    failures += 1
    if failures <= 20:
        print(f"line {n}: {what}\n    {raw[:300]!r}")

with open(sys.argv[1], "rb") as f:
    for n, raw in enumerate(f, 1):
        lines += 1
        if not raw.endswith(b"\n"):
            fail(n, "no newline at the end of the line", raw)
            continue
        try:
            text = raw[:-1].decode("utf-8", "strict")
        except UnicodeDecodeError as e:
            fail(n, f"not valid UTF-8: {e}", raw)
            continue
        bad = [hex(ord(ch)) for ch in text if steers(ord(ch))]
        if bad:
            fail(n, f"raw terminal-steering code points {bad}", raw)
        try:
            obj = json.loads(text)
        except ValueError as e:
            fail(n, f"json.loads failed: {e}", raw)
            continue
        kind = obj.get("kind")
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "int":
            if not isinstance(obj["i"], int) or obj["i"] != int(obj["s"]):
                fail(n, f"integer {obj['i']!r} is not {obj['s']}", raw)
            continue
        try:
            want = bytes.fromhex(obj["hex"])
            for where, val in (("value", obj["value"]), ("argv[0]", obj["argv"][0])):
                got = val.encode("utf-8", "surrogateescape")
                if got != want:
                    fail(n, f"{where} decodes to {got!r}, want {want!r}", raw)
            if obj["argv"][1:] != ["x"]:
                fail(n, f"argv is {obj['argv']!r}", raw)
        except (KeyError, IndexError, TypeError, ValueError, UnicodeError) as e:
            fail(n, f"{type(e).__name__}: {e}", raw)

need = {"byte": 256, "bytes": 256, "ansi": 1, "utf8": 1, "random": 1000, "int": 1}
for k, m in need.items():
    if kinds.get(k, 0) < m:
        failures += 1
        print(f"only {kinds.get(k, 0)} lines of kind {k!r}, expected at least {m}")

if failures:
    print(f"json_roundtrip: {failures} failure(s) in {lines} lines")
    sys.exit(1)
print(f"json_roundtrip: {lines} lines parse and give back their bytes ({kinds})")
EOF
