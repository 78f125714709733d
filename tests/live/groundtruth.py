#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare execsnoop -j and opensnoop -j with what strace saw.

  groundtruth.py strace NAME STRACE_DIR EXEC_JSON OPEN_JSON
      strace -ff -X raw -xx -s 65535 wrote STRACE_DIR/NAME.TID: every exec
      and open strace saw must be in the tools' output, same thread, same
      file name, argv, flags and result, or carry the tool's documented
      mark. With strace -y and opensnoop -F, a full_path from the kernel
      must be the file strace names for the returned fd. Prints one tally
      line; exit 1 on an unmarked mismatch, a missing or an invented event.

  groundtruth.py bare NAME ROOT_PID[+PID...] STRACE_DIR EXEC_JSON OPEN_JSON RUN_DIR STRACE_RUN_DIR
      The same workload without strace (races strace slows away): the
      processes are ROOT_PID, the PIDs after it (children that never exec,
      which no exec record ties to the root) and, transitively, those whose
      exec names a parent among them. Every unmarked exec and open of
      theirs must be one the strace run saw (paths normalized: run
      directory, gcc's temporary names); marked ones are counted. Opens of
      ROOT_PID before its exec (the shell's, for the job) are left out when
      both tools ran with -T: only wall-clock times compare between them.

  NAME may be a comma-separated list (and ROOT_PID then one per NAME): one
  tally line each, from one start of python (slow in a TCG guest).

Marks (execsnoop(8), opensnoop(8)): an exec whose args_source or
filename_source is "late", or whose arguments are unreadable or file name
null; an open whose path is null (path_status other than "ok") or whose
flags are null.
"""
import errno
import glob
import json
import os
import re
import sys
from collections import defaultdict

# ---- strace's output -------------------------------------------------------

# (strace -y adds <PATH> to file descriptors: the returned one's is the
# file the kernel opened, the truth for opensnoop -F's full_path)
LINE = re.compile(r'^(execve|execveat|open|creat|openat|openat2)\((.*)\)\s+= (-?\d+|0x[0-9a-f]+)'
                  r'(?:<((?:\\x[0-9a-f]{2})*)>)?(?: (E[A-Z0-9]+) .*)?$')


def parse_args(s):
    """strace's argument list: hex strings, [arrays], {structs}, numbers."""
    out, i = [], 0

    def value(i):
        if s.startswith('"', i):
            j = s.index('"', i + 1)
            raw = bytes.fromhex(s[i + 1:j].replace('\\x', ''))
            i = j + 1
            if s.startswith('...', i):
                raise ValueError('string cut by strace: raise -s')
            return raw, i
        if s[i] in '[{':
            close = ']' if s[i] == '[' else '}'
            i += 1
            items = []
            while s[i] != close:
                if s[i] in ', ':
                    i += 1
                    continue
                v, i = value(i)
                items.append(v)
            return items, i + 1
        if s.startswith('/*', i):
            return None, s.index('*/', i) + 2
        m = re.compile(r'[^,\]}\s]+').match(s, i)
        tok = m.group(0)
        if '=' in tok and s[m.end():m.end() + 1] in '{':
            k = tok.split('=', 1)[0]
            v, i = value(m.end())
            return (k, v), i
        if '=' in tok:
            k, v = tok.split('=', 1)
            return (k, v), m.end()
        return tok, m.end()

    while i < len(s):
        if s[i] in ', ':
            i += 1
            continue
        v, i = value(i)
        if v is not None:
            out.append(v)
    return out


# creat(path, mode) is open(path, O_WRONLY | O_CREAT | O_TRUNC, mode).
CREAT_FLAGS = 0o1 | 0o100 | 0o1000
AT_FDCWD, AT_EMPTY_PATH = -100, 0x1000


def num(tok):
    return int(tok.split('<', 1)[0], 0)


def execveat_name(dfd, path, flags):
    """The file name the kernel gives an execveat (execsnoop(8), filename):
    /dev/fd/N/PATH for a path relative to a directory fd, /dev/fd/N for the
    fd itself (AT_EMPTY_PATH, fexecve)."""
    if dfd == AT_FDCWD or path.startswith(b'/'):
        return path
    if not path and flags & AT_EMPTY_PATH:
        return b'/dev/fd/%d' % dfd
    return b'/dev/fd/%d/%s' % (dfd, path)


def strace_events(d, name):
    """{tid: [event, ...]} in each thread's order."""
    ev = defaultdict(list)
    for path in glob.glob(os.path.join(d, name + '.*')):
        tid = int(path.rsplit('.', 1)[1])
        for line in open(path, encoding='ascii', errors='replace'):
            m = LINE.match(line.rstrip('\n'))
            if not m:
                continue
            call, args, ret, fdpath, err = m.group(1), parse_args(m.group(2)), m.group(3), m.group(4), m.group(5)
            ret = -getattr(errno, err) if err else num(ret)
            if call in ('execve', 'execveat'):
                if call == 'execve':
                    fname, argv = args[0], args[1]
                else:
                    fname, argv = execveat_name(num(args[0]), args[1], num(args[4])), args[2]
                ev[tid].append({'kind': 'exec', 'filename': fname, 'argv': list(argv), 'ret': ret})
            else:
                if call == 'open':
                    path_, flags = args[0], num(args[1])
                elif call == 'creat':
                    path_, flags = args[0], CREAT_FLAGS
                elif call == 'openat':
                    path_, flags = args[1], num(args[2])
                else:
                    path_, flags = args[1], num(dict(args[2])['flags'])
                full = None if fdpath is None else bytes.fromhex(fdpath.replace('\\x', ''))
                ev[tid].append({'kind': 'open', 'path': path_, 'flags': flags & 0xffffffff, 'ret': ret, 'full': full})
    return ev


# ---- the tools' output ----------------------------------------------------


def b(s):
    return None if s is None else s.encode('utf-8', 'surrogateescape')


def when(r):
    """An event's time, comparable between the two tools' outputs: their
    "time" counts from each one's own start, so only -T's "walltime" (ISO
    8601, one time zone: it sorts as text) is. None without it."""
    return r.get('walltime')


def tool_execs(path):
    out = []
    for line in open(path, encoding='utf-8', errors='surrogateescape'):
        r = json.loads(line)
        if 'argv' not in r:
            continue
        out.append({'kind': 'exec', 'time': when(r), 'pid': r['pid'], 'ppid': r['ppid'], 'filename': b(r['filename']),
                    'argv': [b(a) for a in r['argv']], 'truncated': r['truncated'], 'ret': r['ret'],
                    'marked': r.get('args_source') == 'late' or r.get('filename_source') == 'late'
                    or r['args_unreadable'] or r['filename'] is None,
                    'src': (r.get('args_source'), r.get('filename_source'))})
    return out


def tool_opens(path):
    out = []
    for line in open(path, encoding='utf-8', errors='surrogateescape'):
        r = json.loads(line)
        if r.get('type') != 'open':
            continue
        out.append({'kind': 'open', 'time': when(r), 'pid': r['pid'], 'tid': r['tid'], 'path': b(r['path']),
                    'flags': r['flags'], 'ret': r['ret'],
                    'marked': r['path'] is None or r['flags'] is None, 'status': r['path_status'],
                    'has_full': 'full_path' in r, 'full': b(r.get('full_path')), 'full_src': r.get('full_path_source')})
    return out


def same_exec(s, t):
    if s['filename'] != t['filename'] or s['ret'] != t['ret']:
        return False
    if t['truncated']:
        n = len(t['argv'])
        return s['argv'][:n] == t['argv'] and len(s['argv']) >= n
    return s['argv'] == t['argv']


def same_open(s, t):
    return s['path'] == t['path'] and s['flags'] == t['flags'] and s['ret'] == t['ret']


def marked_open_fits(s, t):
    """A marked open: what it does show must still be right."""
    return s['ret'] == t['ret'] and (t['flags'] is None or t['flags'] == s['flags'])


def check_full(s, t, tally, bad, where):
    """opensnoop -F: a full_path from the kernel must be the file strace -y
    names for the returned fd; one read from /proc ("proc") or none is
    marked; an "absolute" one is the path as given, checked as the path."""
    if not t['has_full'] or s.get('full') is None or s['ret'] < 0:
        return
    if t['full_src'] == 'kernel':
        if t['full'] == s['full']:
            tally['full_ok'] += 1
        else:
            tally['full_MISMATCH'] += 1
            bad.append(('full_path', where, s['full'].decode('utf-8', 'backslashreplace'), show(t)))
    elif t['full_src'] == 'absolute':
        tally['full_absolute'] += 1
    else:
        tally['full_marked'] += 1


def show(x):
    return {k: (v.decode('utf-8', 'backslashreplace') if isinstance(v, bytes) else
                [a.decode('utf-8', 'backslashreplace') if isinstance(a, bytes) else a for a in v]
                if isinstance(v, list) else v) for k, v in x.items()}


# ---- strace mode -------------------------------------------------------------


def check_strace(name, d, exec_json, open_json):
    st = strace_events(d, name)
    tids = set(st)
    texec = defaultdict(list)
    topen = defaultdict(list)
    for e in tool_execs(exec_json):
        if e['pid'] in tids:
            texec[e['pid']].append(e)
    for o in tool_opens(open_json):
        if o['tid'] in tids:
            topen[o['tid']].append(o)
    tally = defaultdict(int)
    bad = []
    for tid in sorted(tids):
        for kind, tool, same, fits in (('exec', texec[tid], same_exec, lambda s, t: s['ret'] == t['ret']),
                                       ('open', topen[tid], same_open, marked_open_fits)):
            want = [e for e in st[tid] if e['kind'] == kind]
            i = 0
            for k, s in enumerate(want):
                # The tool's next event of this thread; allow for events it
                # reported that strace did not (an open by the C library
                # before strace attached is impossible, so that is a bug).
                j = i
                while j < len(tool) and j < i + 3 and not (same(s, tool[j]) or
                                                          (tool[j]['marked'] and fits(s, tool[j]))):
                    j += 1
                if j < len(tool) and j < i + 3:
                    for extra in tool[i:j]:
                        tally[kind + '_extra'] += 1
                        bad.append(('extra', tid, show(extra)))
                    t = tool[j]
                    if kind == 'open':
                        check_full(s, t, tally, bad, tid)
                    if same(s, t) and not t['marked']:
                        tally[kind + '_ok'] += 1
                    elif same(s, t):
                        tally[kind + '_marked_right'] += 1
                    else:
                        tally[kind + '_marked'] += 1
                    i = j + 1
                elif i < len(tool) and any(same(w, tool[i]) for w in want[k + 1:k + 4]):
                    # The tool's next event is strace's next but one: this
                    # one is missing (not all that follow mismatched).
                    tally[kind + '_missing'] += 1
                    bad.append(('missing', tid, show(s)))
                elif i < len(tool) and not tool[i]['marked']:
                    tally[kind + '_MISMATCH'] += 1
                    bad.append(('mismatch', tid, show(s), show(tool[i])))
                    i += 1
                else:
                    tally[kind + '_missing'] += 1
                    bad.append(('missing', tid, show(s)))
            for extra in tool[i:]:
                tally[kind + '_extra'] += 1
                bad.append(('extra', tid, show(extra)))
    return tally, bad


# ---- bare mode -----------------------------------------------------------------

TMPNAME = re.compile(rb'/tmp/cc[A-Za-z0-9]{6}')
PROCPID = re.compile(rb'/proc/\d+')


def norm(v, run_dir):
    if v is None:
        return None
    v = v.replace(run_dir, b'RUN')
    v = TMPNAME.sub(b'/tmp/ccX', v)
    return PROCPID.sub(b'/proc/N', v)


def check_bare(name, roots, d, exec_json, open_json, run_dir, strace_run_dir):
    st = strace_events(d, name)
    sr, rr = strace_run_dir.encode(), run_dir.encode()
    want_exec, want_open, want_full = set(), set(), set()
    for evs in st.values():
        for e in evs:
            if e['kind'] == 'exec':
                want_exec.add((norm(e['filename'], sr), tuple(norm(a, sr) for a in e['argv']), e['ret']))
            else:
                want_open.add((norm(e['path'], sr), e['flags'], e['ret'] >= 0, min(e['ret'], 0)))
                if e['full'] is not None:
                    want_full.add(norm(e['full'], sr))
    execs = tool_execs(exec_json)
    root = roots[0]
    pids = set(roots)
    grew = True
    while grew:
        grew = False
        for e in execs:
            if e['ppid'] in pids and e['pid'] not in pids:
                pids.add(e['pid'])
                grew = True
    tally = defaultdict(int)
    bad = []
    for e in execs:
        if e['pid'] not in pids:
            continue
        key = (norm(e['filename'], rr), tuple(norm(a, rr) for a in e['argv']), e['ret'])
        seen = key in want_exec or (e['truncated'] and any(k[0] == key[0] and k[1][:len(key[1])] == key[1]
                                                           for k in want_exec))
        if e['marked']:
            # What the mark saved the reader from: a marked value that
            # no exec of the strace run had.
            tally['exec_marked_right' if seen else 'exec_marked_wrong'] += 1
        elif seen:
            tally['exec_ok'] += 1
        else:
            tally['exec_MISMATCH'] += 1
            bad.append(('not in the strace run', show(e)))
    # The root is forked by the test's shell, which opens /dev/null for a
    # background job's stdin before the exec: not the workload's. (Told by
    # the time, so only with both tools' -T.)
    start = min((e['time'] for e in execs if e['pid'] == root and e['time']), default=None)
    for o in tool_opens(open_json):
        if o['tid'] not in pids and o['pid'] not in pids:
            continue
        if o['tid'] == root and start and o['time'] and o['time'] < start:
            continue
        if o['marked']:
            tally['open_marked'] += 1
            continue
        key = (norm(o['path'], rr), o['flags'], o['ret'] >= 0, min(o['ret'], 0))
        if key in want_open:
            tally['open_ok'] += 1
        else:
            tally['open_MISMATCH'] += 1
            bad.append(('not in the strace run', show(o)))
        if want_full and o['full_src'] == 'kernel' and o['ret'] >= 0:
            if norm(o['full'], rr) in want_full:
                tally['full_ok'] += 1
            else:
                tally['full_MISMATCH'] += 1
                bad.append(('full_path not in the strace run', show(o)))
    return tally, bad


def main():
    mode, names = sys.argv[1], sys.argv[2].split(',')
    rc = 0
    for i, name in enumerate(names):
        if mode == 'strace':
            tally, bad = check_strace(name, *sys.argv[3:6])
        else:
            roots = [int(p) for p in sys.argv[3].split(',')[i].split('+')]
            tally, bad = check_bare(name, roots, *sys.argv[4:9])
        print('%-6s %-10s %s' % (mode, name, ' '.join('%s=%d' % kv for kv in sorted(tally.items()))))
        for x in bad[:10]:
            print('   ', *x)
        if [k for k in tally if k.endswith('MISMATCH') or (mode == 'strace' and
                                                           (k.endswith('missing') or k.endswith('extra')))]:
            rc = 1
    sys.exit(rc)


if __name__ == '__main__':
    main()
