#!/usr/bin/env python3
"""Issue 9 helpers for hostile bytes (live and guest tests).

  reliability_escape.py args            print the hostile argv/path set as
                                        one hex string per line
  reliability_escape.py text FILE       FILE has no raw control byte: no C0
                                        but \\n, no DEL, valid UTF-8 without
                                        C1 controls or bidi/steering marks
  reliability_escape.py json FILE KEY HEXLINES...   every line of FILE is
        JSON; every hostile string (hex) appears, byte for byte, in some
        record's KEY (a string, or an array of strings; "a.b" is member b
        of object a) after .encode("utf-8", "surrogateescape") - the rule
        README documents.
"""
import json
import sys

STEER = set(range(0x80, 0xA0)) | {0x61C, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF} \
    | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def hostile():
    """Every byte value 1..255 (no NUL: impossible in argv and paths), in
    chunks, plus terminal escapes and malformed UTF-8."""
    out = []
    for lo in range(1, 256, 32):
        out.append(bytes(b for b in range(lo, min(lo + 32, 256)) if b not in (0, 0x2F)))
    out += [
        b"\x1b[31mred\x1b[0m",                # CSI (SGR)
        b"\x1b]0;pwned title\x07",            # OSC window title
        b"\x1b]52;c;cGF5bG9hZA==\x07",        # OSC 52 clipboard write
        b"\x1bP+q544e\x1b\\",                 # DCS
        b"\x9b31m",                           # 8-bit CSI (invalid UTF-8 alone)
        "\u009b31m".encode(),                 # C1 CSI as UTF-8
        "a\u202eevil\u2066".encode(),         # bidi override
        b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xff\xfe",  # overlong, surrogate, > U+10FFFF
        b"\xe2\x82",                          # truncated
        "ok é ü 日本".encode(),
        b"back\\slash \"quote\" \n\r\t",
    ]
    return out


def check_text(path):
    data = open(path, "rb").read()
    bad = [i for i, b in enumerate(data) if (b < 0x20 and b not in (0x0A,)) or b == 0x7F]
    if bad:
        sys.exit(f"{path}: raw control byte 0x{data[bad[0]]:02x} at offset {bad[0]}: "
                 f"{data[max(0, bad[0]-20):bad[0]+20]!r}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit(f"{path}: not valid UTF-8: {e}")
    steer = [c for c in text if ord(c) in STEER]
    if steer:
        sys.exit(f"{path}: raw steering code point U+{ord(steer[0]):04X}")
    print(f"{path}: {len(data)} bytes, nothing raw")


def check_json(path, key, wanted):
    seen = set()
    n = 0
    for i, line in enumerate(open(path, "rb")):
        line = line.decode("utf-8")  # must be valid UTF-8 already
        obj = json.loads(line)
        n += 1
        v = obj
        for k in key.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        vals = v if isinstance(v, list) else [v]
        for s in vals:
            if isinstance(s, str):
                seen.add(s.encode("utf-8", "surrogateescape"))
    missing = [w for w in wanted if w not in seen]
    if missing:
        sys.exit(f"{path}: {len(missing)} of {len(wanted)} strings not found byte for byte in '{key}', "
                 f"first: {missing[0]!r}")
    print(f"{path}: {n} JSON lines, {len(wanted)} hostile strings round-trip")


if __name__ == "__main__":
    if sys.argv[1] == "args":
        for h in hostile():
            print(h.hex())
    elif sys.argv[1] == "text":
        check_text(sys.argv[2])
    elif sys.argv[1] == "json":
        check_json(sys.argv[2], sys.argv[3], [bytes.fromhex(h) for h in sys.argv[4:]])
