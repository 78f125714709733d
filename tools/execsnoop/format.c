// SPDX-License-Identifier: GPL-2.0-or-later
/* execsnoop's output: filters that need the whole exec, text and JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/output.h>
#include <snoop/tracefs.h>

#include "execsnoop.h"

/* The kernel stores at most this many bytes of one fetched string,
 * NUL included (MAX_STRING_SIZE): a longer argument arrives cut. */
#define FETCH_STRING_MAX 4096

static long proc_uid(pid_t pid)
{
	char path[64], *s, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s = snoop_read_file(path, NULL);
	if (!s)
		return -1;
	p = strstr(s, "\nUid:");
	if (p)
		v = strtol(p + 5, NULL, 10);
	free(s);
	return v;
}

/* Replace the arguments of e with /proc/PID/cmdline. true on success. */
static bool args_from_proc(struct execsnoop *x, struct exec_entry *e, pid_t pid)
{
	char path[64];
	size_t len, off = 0;
	char *s;
	int i = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	s = snoop_read_file(path, &len);
	if (!s)
		return false;
	if (len == 0) {
		free(s);
		return false; /* a zombie, or a kernel thread */
	}
	for (int k = 0; k <= x->o->max_args; k++) {
		free(e->argv[k]);
		e->argv[k] = NULL;
		e->argstate[k] = ARG_END;
	}
	while (off < len && i <= x->o->max_args) {
		size_t n = strnlen(s + off, len - off);

		e->argv[i] = malloc(n + 1);
		if (!e->argv[i])
			abort();
		memcpy(e->argv[i], s + off, n);
		e->argv[i][n] = '\0';
		e->arglen[i] = n;
		e->argstate[i] = ARG_OK;
		i++;
		off += n + 1;
	}
	free(s);
	return true;
}

static void put_comm(struct snoop_buf *b, const char *filename, pid_t pid, bool json, struct snoop_json *j)
{
	char buf[64];
	const char *c = NULL;
	size_t n = 0;
	char *proc = NULL;

	if (filename) {
		/* The kernel names the new task after the file's last path
		 * component, cut to TASK_COMM_LEN - 1 bytes: do the same, so
		 * that the name is right for processes already gone. */
		c = strrchr(filename, '/');
		c = c ? c + 1 : filename;
		n = strlen(c);
		if (n > 15)
			n = 15;
	} else {
		snprintf(buf, sizeof(buf), "/proc/%d/comm", (int)pid);
		proc = snoop_read_file(buf, &n);
		if (proc) {
			c = proc;
			n = strcspn(proc, "\n");
		} else {
			c = "?";
			n = 1;
		}
	}
	if (json) {
		snoop_json_str(j, "comm", c, n);
	} else {
		size_t mark = b->len;

		snoop_escape_text(b, c, n);
		snoop_buf_pad(b, mark, 16);
		snoop_buf_addc(b, ' ');
	}
	free(proc);
}

/* The argument line for -l: arguments joined by single spaces, raw. */
static bool line_matches(const struct exec_entry *e, int nargs, const char *needle)
{
	struct snoop_buf l;
	bool found;

	snoop_buf_init(&l);
	for (int i = 0; i < nargs; i++) {
		if (i)
			snoop_buf_addc(&l, ' ');
		if (e->argv[i])
			snoop_buf_add(&l, e->argv[i], e->arglen[i]);
	}
	found = memmem(l.data ? l.data : "", l.len, needle, strlen(needle)) != NULL;
	snoop_buf_free(&l);
	return found;
}

void execsnoop_print_header(struct execsnoop *x)
{
	struct snoop_buf *b = snoop_session_out(x->s);

	if (x->o->common.json || !x->o->header)
		return;
	snoop_session_put_time_header(x->s, b);
	if (x->o->show_uid)
		snoop_buf_printf(b, "%-7s ", "UID");
	snoop_buf_printf(b, "%-16s %-7s %-7s %-7s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
	snoop_session_flush(x->s);
}

void execsnoop_emit(struct execsnoop *x, const struct snoop_record *r, struct exec_entry *e, long ret)
{
	struct execsnoop_opts *o = x->o;
	struct snoop_buf *b = snoop_session_out(x->s);
	pid_t pid = r->pid;
	pid_t ppid;
	long uid = -1;
	int nargs = 0;
	bool truncated = false, unreadable = false, complete;
	const char *errname = ret < 0 ? snoop_errno_name((int)-ret) : NULL;

	if (!e->chunks_seen || !e->tid)
		e->tid = pid;
	pid = e->tid;

	/* Arguments: all there, faulted, or never seen (fallback/lost). */
	complete = e->chunks_seen == (1u << x->nprobes) - 1 && x->kprobes;
	for (int i = 0; i <= o->max_args && complete; i++) {
		if (e->argstate[i] == ARG_FAULT)
			unreadable = true;
		if (e->argstate[i] == ARG_END)
			break;
	}
	if (!complete || unreadable) {
		/* A failed exec leaves the old program in place: its cmdline
		 * is not the one that was attempted. */
		if (ret == 0 && args_from_proc(x, e, pid)) {
			if (x->kprobes)
				x->recovered++;
			unreadable = false;
		} else if (!x->kprobes && ret < 0 && e->argstate[0] == ARG_OK) {
			unreadable = false; /* read from the caller's memory */
		} else {
			unreadable = true;
			x->unrecovered++;
		}
	}
	for (nargs = 0; nargs <= o->max_args && e->argstate[nargs] != ARG_END; nargs++)
		if (e->argstate[nargs] == ARG_FAULT)
			unreadable = true;
	if (nargs > o->max_args) {
		truncated = true;
		nargs = o->max_args;
	}
	for (int i = 0; i < nargs; i++)
		if (e->argv[i] && e->arglen[i] >= FETCH_STRING_MAX - 1)
			truncated = true;

	/* User-space filters (the kernel cannot see these). */
	ppid = execsnoop_ppid(x, pid);
	if (o->ppid && ppid != o->ppid)
		return;
	if (o->has_uid || o->show_uid || o->common.json)
		uid = proc_uid(pid);
	if (o->has_uid && uid != (long)o->uid)
		return;
	if (o->has_name) {
		char comm[16];
		const char *base = e->filename ? strrchr(e->filename, '/') : NULL;

		base = base ? base + 1 : (e->filename ? e->filename : "");
		snprintf(comm, sizeof(comm), "%s", base);
		if (regexec(&o->name_re, comm, 0, NULL, 0) != 0)
			return;
	}
	if (o->line && !line_matches(e, nargs, o->line))
		return;

	if (!snoop_session_count_event(x->s))
		return; /* -M reached */
	x->printed++;
	if (x->top) {
		execsnoop_top_add(x, e, nargs, pid, ppid, ret);
		return;
	}
	if (o->common.json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		snoop_session_json_time(x->s, &j, r->ts);
		snoop_json_int(&j, "pid", pid);
		snoop_json_int(&j, "ppid", ppid);
		if (uid >= 0)
			snoop_json_int(&j, "uid", uid);
		else
			snoop_json_null(&j, "uid");
		put_comm(b, e->filename, pid, true, &j);
		if (e->filename)
			snoop_json_str(&j, "filename", e->filename, strlen(e->filename));
		else
			snoop_json_null(&j, "filename");
		snoop_json_array_begin(&j, "argv");
		for (int i = 0; i < nargs; i++) {
			if (e->argv[i])
				snoop_json_array_str(&j, e->argv[i], e->arglen[i]);
			else
				snoop_json_array_str(&j, "", 0);
		}
		snoop_json_array_end(&j);
		snoop_json_bool(&j, "truncated", truncated);
		if (unreadable)
			snoop_json_bool(&j, "args_unreadable", true);
		snoop_json_int(&j, "ret", ret);
		if (ret < 0) {
			snoop_json_int(&j, "errno", -ret);
			snoop_json_cstr(&j, "errno_name", errname);
		} else {
			snoop_json_null(&j, "errno");
		}
		snoop_json_end(&j);
		return;
	}

	snoop_session_put_time(x->s, b, r->ts);
	if (o->show_uid) {
		if (uid >= 0)
			snoop_buf_printf(b, "%-7ld ", uid);
		else
			snoop_buf_printf(b, "%-7s ", "?");
	}
	put_comm(b, e->filename, pid, false, NULL);
	snoop_buf_printf(b, "%-7d %-7d ", (int)pid, (int)ppid);
	if (ret < 0 && errname)
		snoop_buf_printf(b, "%-7s ", errname);
	else
		snoop_buf_printf(b, "%-7ld ", ret);
	if (nargs == 0 && e->filename)
		/* No argv (or none readable): the filename says what ran. */
		snoop_escape_text(b, e->filename, strlen(e->filename));
	for (int i = 0; i < nargs; i++) {
		if (i)
			snoop_buf_addc(b, ' ');
		if (!e->argv[i])
			snoop_buf_adds(b, "?");
		else if (o->quote)
			snoop_escape_shell(b, e->argv[i], e->arglen[i]);
		else
			snoop_escape_text(b, e->argv[i], e->arglen[i]);
	}
	if (truncated)
		snoop_buf_adds(b, " ...");
	if (unreadable)
		snoop_buf_adds(b, " [args unreadable]");
	snoop_buf_addc(b, '\n');
}
