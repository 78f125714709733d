"""Guest JSON checker: json_check.py FILE CODE (used by lib.sh's json_check).

FILE holds JSON Lines. Every non-empty line must parse as a JSON object.
CODE is a Python expression over `rows` that must be true, or statements
(asserts) that must not raise. Exit 0 = holds, 1 = does not (with why).
"""
import json
import sys


def show(rows, limit=30):
    for r in rows[:limit]:
        print("    " + json.dumps(r), file=sys.stderr)
    if len(rows) > limit:
        print("    ... %d more rows" % (len(rows) - limit), file=sys.stderr)


def main():
    path, code = sys.argv[1], sys.argv[2]
    rows = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError as e:
                print("%s:%d: not JSON (%s): %r" % (path, n, e, raw[:200]), file=sys.stderr)
                return 1
            if not isinstance(obj, dict):
                print("%s:%d: not a JSON object: %r" % (path, n, raw[:200]), file=sys.stderr)
                return 1
            rows.append(obj)
    env = {"rows": rows, "json": json}
    try:
        try:
            compiled = compile(code, "<json_check>", "eval")
        except SyntaxError:
            exec(compile(code, "<json_check>", "exec"), env)
        else:
            if not eval(compiled, env):
                print("json_check: false: %s" % code, file=sys.stderr)
                print("  %d rows in %s:" % (len(rows), path), file=sys.stderr)
                show(rows)
                return 1
    except Exception as e:  # any error in the check is a failed check
        print("json_check: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        print("  in: %s" % code, file=sys.stderr)
        print("  %d rows in %s:" % (len(rows), path), file=sys.stderr)
        show(rows)
        return 1
    return 0


sys.exit(main())
