// SPDX-License-Identifier: GPL-2.0-or-later
/* opensnoop's output: user-space filters, full paths, text and JSON. */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/output.h>

#include "opensnoop.h"

#define AT_FDCWD_VALUE (-100)
/* Wide enough for the usual combinations; wider ones are made to fit (see
 * opensnoop_flags_col()). */
#define FLAGS_WIDTH 30

static const char *const pstatus_names[] = {
	[PATH_OK] = "ok",
	[PATH_FAULT] = "fault",
	[PATH_LOST] = "lost",
	[PATH_UNAVAILABLE] = "unavailable",
};

/* readlink() of /proc/ID/WHAT; true with an absolute path in out. */
static bool proc_link(pid_t id, const char *what, char *out, size_t outlen)
{
	char path[64];
	ssize_t n;

	if (id <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)id, what);
	n = readlink(path, out, outlen - 1);
	if (n <= 0)
		return false;
	out[n] = '\0';
	/* "pipe:[123]", "anon_inode:..." are no directories; a deleted
	 * directory reads "/old/path (deleted)" and is no base either. */
	if (out[0] != '/' || (n > 10 && strcmp(out + n - 10, " (deleted)") == 0))
		return false;
	return true;
}

/*
 * -F: the directory a relative path was relative to, read from /proc now
 * (the kernel gives no dentry name without BTF). Right while the thread
 * lives and has not changed its cwd or reused dfd since; the thread's
 * process is asked when the thread itself is gone.
 */
static bool base_dir(pid_t tid, pid_t tgid, int dfd, char *out, size_t outlen)
{
	char what[32];

	if (dfd == AT_FDCWD_VALUE) {
		snprintf(what, sizeof(what), "cwd");
	} else if (dfd >= 0) {
		snprintf(what, sizeof(what), "fd/%d", dfd);
	} else {
		return false;
	}
	if (proc_link(tid, what, out, outlen))
		return true;
	return tgid != tid && proc_link(tgid, what, out, outlen);
}

/*
 * -j's "flags_str" value. A program opens with the same few sets of flags
 * again and again, so the last set's string is kept and copied: naming the
 * flags in a buffer made and freed per line was a tenth of a -j line's
 * instructions (bench/RESULTS.md, issue 21). The string is made of the
 * flag names of flags.c's table, '|' and hex digits: plain ASCII that
 * JSON escaping would leave as it is, so it is written directly.
 */
static void put_json_flags(struct opensnoop *x, struct snoop_buf *b, uint64_t flags)
{
	size_t mark = b->len;

	if (x->json_flags_len && x->json_flags == flags) {
		snoop_json_put_lit(b, x->json_flags_str, x->json_flags_len);
		return;
	}
	snoop_buf_addc(b, '"');
	opensnoop_flags_str(b, flags);
	snoop_buf_addc(b, '"');
	x->json_flags = flags;
	x->json_flags_len = 0;
	if (!snoop_buf_failed(b) && b->len - mark <= sizeof(x->json_flags_str)) {
		x->json_flags_len = b->len - mark;
		memcpy(x->json_flags_str, b->data + mark, x->json_flags_len);
	}
}

void opensnoop_print_header(struct opensnoop *x)
{
	struct snoop_buf *b = snoop_session_out(x->s);

	if (x->a.common.json || x->o->no_header)
		return;
	snoop_session_put_time_header(x->s, b);
	if (x->o->show_uid)
		snoop_buf_printf(b, "%-6s ", "UID");
	snoop_buf_printf(b, "%-7s %-7s %-16s %4s %-7s ", "PID", "TID", "COMM", "FD", "ERR");
	if (x->o->extended)
		snoop_buf_printf(b, "%-*s %-5s ", FLAGS_WIDTH, "FLAGS", "MODE");
	snoop_buf_adds(b, "PATH\n");
	snoop_session_flush(x->s);
}

void opensnoop_emit(struct opensnoop *x, const struct open_event *ev)
{
	struct opensnoop_opts *o = x->o;
	struct snoop_buf *b = snoop_session_out(x->s);
	const struct open_entry *e = ev->e;
	struct snoop_task t;
	pid_t tgid;
	long uid = -1;
	char comm[16];
	char base[PATH_MAX];
	bool have_base = false, relative, kpath;
	bool failed = ev->exited && ev->ret < 0;
	const char *errname = failed ? snoop_errno_name((int)-ev->ret) : NULL;
	bool show_mode = e->flags_known && opensnoop_flags_have_mode(e->flags);
	uint64_t flags = e->flags & ~(uint64_t)OPENSNOOP_O_LARGEFILE;

	/* User-space filters. (-p is libsnoop's: it follows the process's
	 * new threads and drops its child processes before we see them.) */
	if (o->glob && !x->kernel_glob &&
	    (e->pstatus != PATH_OK || fnmatch(o->glob, e->path, 0) != 0)) {
		x->filtered++;
		return;
	}
	/* The process from the kernel's records (fork, exec), else its
	 * saved_tgids, else /proc. */
	snoop_tasks_get(x->tasks, ev->tid, &t);
	tgid = t.tgid;
	if (o->has_uid || o->show_uid || x->a.common.json)
		uid = snoop_tasks_get_uid(x->tasks, ev->tid, tgid);
	if (o->has_uid && uid != (long)o->uid) {
		x->filtered++;
		return;
	}

	if (e->comm[0])
		memcpy(comm, e->comm, sizeof(comm));
	else
		memcpy(comm, t.comm, sizeof(comm));
	relative = e->pstatus == PATH_OK && e->path[0] != '/';
	/* The kernel's path of the file it opened, when the open worked. */
	kpath = o->full_path && relative && e->kpath && !e->kpath_cut && ev->exited && ev->ret >= 0;
	if (o->full_path && relative && e->kpath && e->kpath_cut)
		x->kpath_cut++;
	if (o->full_path && relative && !kpath)
		have_base = base_dir(ev->tid, tgid, e->dfd, base, sizeof(base));

	if (!snoop_session_count_event(x->s))
		return; /* -M reached */
	x->printed++;
	if (x->a.table) {
		opensnoop_top_add(x, ev, tgid, have_base ? base : NULL);
		return;
	}
	if (x->a.common.json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		snoop_json_name(&j, "type", "open");
		snoop_session_json_time(x->s, &j, ev->ts);
		snoop_session_json_cgroup(x->s, &j, ev->tid);
		snoop_json_pid(&j, "pid", tgid);
		snoop_json_pid(&j, "tid", ev->tid);
		snoop_json_uid(&j, uid, true);
		if (comm[0])
			snoop_json_str(&j, "comm", comm, strlen(comm));
		else
			snoop_json_null(&j, "comm");
		if (ev->syscall)
			snoop_json_name(&j, "syscall", ev->syscall);
		else
			snoop_json_null(&j, "syscall");
		if (ev->exited) {
			snoop_json_int(&j, "ret", ev->ret);
			snoop_json_int(&j, "fd", ev->ret < 0 ? -1 : ev->ret);
		} else {
			snoop_json_null(&j, "ret");
			snoop_json_null(&j, "fd");
		}
		if (failed) {
			snoop_json_int(&j, "errno", -ev->ret);
			snoop_json_name(&j, "errno_name", errname);
		} else {
			snoop_json_null(&j, "errno");
			snoop_json_null(&j, "errno_name");
		}
		if (e->pstatus != PATH_LOST)
			snoop_json_int(&j, "dfd", e->dfd);
		else
			snoop_json_null(&j, "dfd");
		if (e->flags_known && e->pstatus != PATH_LOST) {
			snoop_json_uint(&j, "flags", flags);
			snoop_json_key(&j, "flags_str");
			put_json_flags(x, b, flags);
		} else {
			snoop_json_null(&j, "flags");
			snoop_json_null(&j, "flags_str");
		}
		if (show_mode && e->pstatus != PATH_LOST)
			snoop_json_uint(&j, "mode", e->mode);
		else
			snoop_json_null(&j, "mode");
		if (e->pstatus == PATH_OK)
			snoop_json_str(&j, "path", e->path, e->pathlen);
		else
			snoop_json_null(&j, "path");
		snoop_json_name(&j, "path_status", pstatus_names[e->pstatus]);
		if (o->full_path) {
			if (e->pstatus == PATH_OK && !relative) {
				snoop_json_str(&j, "full_path", e->path, e->pathlen);
				snoop_json_name(&j, "full_path_source", "absolute");
			} else if (kpath) {
				snoop_json_str(&j, "full_path", e->kpath, e->kpathlen);
				snoop_json_name(&j, "full_path_source", "kernel");
			} else if (have_base) {
				struct snoop_buf fp;

				snoop_buf_init(&fp);
				snoop_buf_adds(&fp, base);
				if (strcmp(base, "/") != 0)
					snoop_buf_addc(&fp, '/');
				snoop_buf_add(&fp, e->path, e->pathlen);
				snoop_json_str(&j, "full_path", fp.data, fp.len);
				snoop_json_name(&j, "full_path_source", "proc");
				snoop_buf_free(&fp);
			} else {
				snoop_json_null(&j, "full_path");
				snoop_json_null(&j, "full_path_source");
			}
		}
		snoop_json_end(&j);
		return;
	}

	snoop_session_put_time(x->s, b, ev->ts);
	snoop_session_put_cgroup(x->s, b, ev->tid);
	/* No open record carries the UID: every one is from /proc. */
	if (o->show_uid)
		snoop_col_uid(b, uid, true, 6);
	snoop_col_pid(b, tgid, 7);
	snoop_col_pid(b, ev->tid, 7);
	{
		size_t mark = b->len;

		if (comm[0])
			snoop_escape_text(b, comm, strlen(comm));
		else
			snoop_buf_addc(b, '?');
		snoop_buf_pad(b, mark, 16);
		snoop_buf_addc(b, ' ');
	}
	if (!ev->exited) {
		/* The exit was not seen: no result to show. */
		snoop_buf_printf(b, "%4s %-7s ", "?", "?");
	} else if (failed) {
		snoop_buf_printf(b, "%4ld ", -1L);
		if (errname)
			snoop_buf_printf(b, "%-7s ", errname);
		else
			snoop_buf_printf(b, "%-7ld ", -ev->ret);
	} else {
		snoop_buf_printf(b, "%4ld %-7s ", ev->ret, "-");
	}
	if (o->extended) {
		size_t mark = b->len;

		if (e->flags_known && e->pstatus != PATH_LOST)
			opensnoop_flags_col(b, flags, FLAGS_WIDTH);
		else
			snoop_buf_addc(b, '?');
		snoop_buf_pad(b, mark, FLAGS_WIDTH);
		snoop_buf_addc(b, ' ');
		if (show_mode && e->pstatus != PATH_LOST)
			snoop_buf_printf(b, "%04llo  ", (unsigned long long)e->mode);
		else
			snoop_buf_printf(b, "%-5s ", "-");
	}
	switch (e->pstatus) {
	case PATH_OK:
		if (o->full_path && relative) {
			if (kpath) {
				snoop_escape_text(b, e->kpath, e->kpathlen);
			} else if (have_base) {
				snoop_escape_text(b, base, strlen(base));
				if (strcmp(base, "/") != 0)
					snoop_buf_addc(b, '/');
				snoop_escape_text(b, e->path, e->pathlen);
				/* The directory was read from /proc now, not at
				 * the open: nothing proves it is still the one. */
				snoop_buf_adds(b, " [late]");
			} else {
				/* Marked: not made absolute, and why. */
				snoop_escape_text(b, e->path, e->pathlen);
				if (e->dfd == AT_FDCWD_VALUE)
					snoop_buf_adds(b, " [cwd unknown]");
				else
					snoop_buf_printf(b, " [dirfd %d unknown]", e->dfd);
			}
		} else {
			snoop_escape_text(b, e->path, e->pathlen);
		}
		break;
	default:
		snoop_buf_adds(b, opensnoop_path_mark(e->pstatus, false));
		break;
	}
	snoop_buf_addc(b, '\n');
}

const char *opensnoop_path_mark(enum path_status st, bool top)
{
	switch (st) {
	case PATH_FAULT:
		return "[path unreadable]";
	case PATH_LOST:
		return "[entry not seen]";
	case PATH_UNAVAILABLE:
		/* A line's "-"; a --top key must not look like a path. */
		return top ? "[path unavailable]" : "-";
	default:
		return "";
	}
}
