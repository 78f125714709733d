# Compare opensnoop's JSON records with what the opener workload says it did.
#   check_list.py OPENER_LOG OPENSNOOP_JSON IDS [options]
# IDS is the opener's stderr ("PID TID TID..."). Options:
#   --tids all|main|T,...   threads whose opens must be reported (default all)
#   --failed                only the failed opens are expected
#   --glob PATTERN          only opens whose path matches (fnmatch, no FNM_PATHNAME)
#   --full-path CWD         check full_path against CWD
#   --exclusive             no record from any other process may appear
#   --uid N                 every record's uid must be N
import fnmatch, json, sys

args = sys.argv[1:]
log, out, idsfile = args[:3]
opts = args[3:]
def opt(name, default=None):
    return opts[opts.index(name) + 1] if name in opts else default

ids = [int(x) for x in open(idsfile).read().split()]
pid, tids = ids[0], ids
want_tids = opt("--tids", "all")
if want_tids == "all":
    want = set(tids)
elif want_tids == "main":
    want = {pid}
else:
    want = {int(t) for t in want_tids.split(",")}

O_CREAT = 0o100
O_LARGEFILE = 0o100000
ops = [json.loads(l) for l in open(log) if l.strip()]
recs = []
for i, l in enumerate(open(out, encoding="utf-8", errors="surrogateescape")):
    if not l.strip():
        continue
    r = json.loads(l)
    if r.get("type") == "lost":
        sys.exit(f"events were lost: {r}")
    assert r.get("type") == "open", r
    recs.append(r)

def path_bytes(r):
    p = r["path"]
    return None if p is None else p.encode("utf-8", "surrogateescape")

errors = []
def err(msg):
    errors.append(msg)

# Per thread, in order.
for t in tids:
    exp = [o for o in ops if o["tid"] == t] if t in want else []
    if "--failed" in opts:
        exp = [o for o in exp if o["ret"] < 0]
    g = opt("--glob")
    if g:
        exp = [o for o in exp if fnmatch.fnmatchcase(bytes.fromhex(o["path_hex"]).decode("latin-1"), g)]
    got = [r for r in recs if r["tid"] == t]
    if len(got) != len(exp):
        err(f"tid {t}: {len(got)} records, expected {len(exp)}:\n  got  {[r['path'] for r in got]}\n"
            f"  want {[bytes.fromhex(o['path_hex']) for o in exp]}")
        continue
    for o, r in zip(exp, got):
        p = bytes.fromhex(o["path_hex"])
        checks = [
            ("path", path_bytes(r), p),
            ("path_status", r["path_status"], "ok"),
            ("pid", r["pid"], pid),
            ("comm", r["comm"], "opener"),
            ("syscall", r["syscall"], o["syscall"]),
            ("fd", r["fd"], o["ret"] if o["ret"] >= 0 else -1),
            ("errno", r["errno"], o["errno"] if o["ret"] < 0 else None),
            ("dfd", r["dfd"], o["dfd"]),
            ("flags", r["flags"] & ~O_LARGEFILE if r["flags"] is not None else None, o["flags"]),
            ("mode", r["mode"], o["mode"] if o["flags"] & O_CREAT else None),
        ]
        if o["ret"] < 0:
            checks.append(("errno_name", r["errno_name"], {2: "ENOENT", 13: "EACCES"}.get(o["errno"])))
        cwd = opt("--full-path")
        if cwd is not None:
            if p.startswith(b"/"):
                fp = p
            elif o["dfd"] == -100:
                fp = cwd.encode() + b"/" + p
            else:
                fp = cwd.encode() + b"/sub/" + p
            got_fp = r["full_path"].encode("utf-8", "surrogateescape") if r["full_path"] is not None else None
            checks.append(("full_path", got_fp, fp))
        if opt("--uid") is not None:
            checks.append(("uid", r["uid"], int(opt("--uid"))))
        for name, g_, w in checks:
            if g_ != w:
                err(f"tid {t} {p!r}: {name} is {g_!r}, expected {w!r}")

if "--exclusive" in opts:
    other = [r for r in recs if r["pid"] != pid]
    if other:
        err(f"{len(other)} records of other processes, e.g. {other[:3]}")
    if opt("--uid") is not None:
        bad = [r for r in recs if r["uid"] != int(opt("--uid"))]
        if bad:
            err(f"records of another uid: {bad[:3]}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"ok: {len([r for r in recs if r['pid'] == pid])} records of pid {pid} match")
