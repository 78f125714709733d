// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execsnoop's output: the arguments the kernel could not give (from
 * /proc/PID/cmdline when it is still the same exec), the filters that need
 * the whole exec, text and JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/output.h>
#include <snoop/tracefs.h>

#include "execsnoop.h"

/* /proc/PID/comm without its newline; false when the process is gone. */
static bool proc_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	size_t n;
	char *s;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	s = snoop_read_file(path, &n);
	if (!s)
		return false;
	n = strcspn(s, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	free(s);
	return true;
}

/* /proc/PID/cmdline split at its NULs. */
struct cmdline {
	char *buf;
	size_t len;
	int n;
	size_t *off, *arglen;
};

static bool cmdline_read(pid_t pid, struct cmdline *c)
{
	char path[64];
	size_t off = 0;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	c->buf = snoop_read_file(path, &c->len);
	if (!c->buf)
		return false;
	if (c->len == 0)
		return false; /* a zombie, or a kernel thread */
	for (size_t i = 0; i < c->len; i++)
		c->n += c->buf[i] == '\0';
	if (c->buf[c->len - 1] != '\0')
		c->n++;
	c->off = calloc((size_t)c->n, sizeof(*c->off));
	c->arglen = calloc((size_t)c->n, sizeof(*c->arglen));
	if (!c->off || !c->arglen)
		return false; /* shown as unreadable */
	for (int i = 0; i < c->n; i++) {
		size_t n = strnlen(c->buf + off, c->len - off);

		c->off[i] = off;
		c->arglen[i] = n;
		off += n + 1;
	}
	return true;
}

static void cmdline_free(struct cmdline *c)
{
	free(c->buf);
	free(c->off);
	free(c->arglen);
}

/* Does the kernel's copy of an argument (cut at EXECSNOOP_FETCH_MAX) match
 * this one from /proc? */
static bool same_arg(const struct exec_entry *e, int i, const struct cmdline *c, int k)
{
	size_t kl = e->arglen[i], pl = c->arglen[k];

	if (kl >= EXECSNOOP_FETCH_MAX ? pl < kl : pl != kl)
		return false;
	return memcmp(e->argv[i], c->buf + c->off[k], kl) == 0;
}

/*
 * Fill the arguments the kernel did not give (faulted: state ARG_FAULT; too
 * long for a record: ARG_MISSING) from /proc/PID/cmdline, cut like the
 * kernel would have, if it is still this exec's command line: the same
 * number of arguments, the ones the kernel gave identical, and the name the
 * kernel gave the task. A later exec by the same PID, or a process that
 * rewrote its argv, fails the check. A script's interpreter (#!) comes
 * first in /proc: the arguments are matched from the end, and argv[0] is
 * then gone.
 */
static bool recover_from_proc(struct execsnoop *x, struct exec_entry *e, pid_t pid)
{
	int max = x->o->max_args;
	struct cmdline c;
	char comm[16];
	int off = 0, n, checked = 0;
	bool ok = false;

	if (!cmdline_read(pid, &c))
		goto out;
	if (e->have_creds && (!proc_comm(pid, comm, sizeof(comm)) || strcmp(comm, e->comm) != 0))
		goto mismatch;
	if (e->have_ptrs) {
		if (e->argc <= max) {
			/* Each interpreter level adds its path and maybe one
			 * argument (the kernel allows 4 levels). */
			off = c.n - e->argc;
			if (off < 0 || off > 8 || (off > 0 && e->argc == 0))
				goto mismatch;
		} else if (c.n < max + 1) {
			goto mismatch;
		}
		n = e->argc < max ? e->argc : max;
	} else {
		n = c.n < max ? c.n : max;
		e->argc = c.n < max + 1 ? c.n : max + 1;
	}
	for (int i = 0; i < n; i++) {
		if (e->argstate[i] != ARG_OK)
			continue;
		if (i == 0 && off > 0)
			continue; /* the interpreter took argv[0]'s place */
		if (!same_arg(e, i, &c, i + off))
			goto mismatch;
		checked++;
	}
	/* Shifted by an interpreter: only if some argument vouches for it. */
	if (off > 0 && !checked)
		goto mismatch;
	for (int i = 0; i < n; i++) {
		size_t len;

		if (e->argstate[i] != ARG_FAULT && e->argstate[i] != ARG_MISSING)
			continue;
		if (i == 0 && off > 0)
			continue;
		len = c.arglen[i + off];
		if (len > EXECSNOOP_FETCH_MAX)
			len = EXECSNOOP_FETCH_MAX; /* as the kernel would have cut it */
		free(e->argv[i]);
		e->argv[i] = execsnoop_dup(x, c.buf + c.off[i + off], len);
		if (!e->argv[i])
			continue;
		e->arglen[i] = len;
		e->argstate[i] = ARG_PROC;
	}
	ok = true;
	goto out;
mismatch:
	x->st.proc_mismatch++;
out:
	cmdline_free(&c);
	return ok;
}

/* The fallback path: every argument from /proc. */
static bool args_from_proc(struct execsnoop *x, struct exec_entry *e, pid_t pid)
{
	int max = x->o->max_args;
	struct cmdline c;

	if (!cmdline_read(pid, &c)) {
		cmdline_free(&c);
		return false;
	}
	e->argc = c.n < max + 1 ? c.n : max + 1;
	for (int i = 0; i < c.n && i < max; i++) {
		size_t len = c.arglen[i] < EXECSNOOP_FETCH_MAX ? c.arglen[i] : EXECSNOOP_FETCH_MAX;

		free(e->argv[i]);
		e->argv[i] = execsnoop_dup(x, c.buf + c.off[i], len);
		if (!e->argv[i]) {
			e->argstate[i] = ARG_LOST_FAULT;
			continue;
		}
		e->arglen[i] = len;
		/* Nothing proves this is still the exec being printed: the
		 * process may have exec'd again (env, a shell shim). */
		e->argstate[i] = ARG_LATE;
	}
	cmdline_free(&c);
	return true;
}

/* The kprobe path: count what was missing, recover what /proc still has,
 * mark the rest. True when it is not even known how many arguments there
 * were (no probe 0 record, and /proc could not tell). */
static bool resolve_kprobe_args(struct execsnoop *x, struct exec_entry *e, pid_t pid, long ret)
{
	int max = x->o->max_args;
	bool faulted = false, toolong = false, recovered = false;
	int n;

	if (!e->have_ptrs) {
		/* Without probe 0 (lost, or a filename too long for a record),
		 * the slots that came are the arguments: the filter drops the
		 * ones past the end of argv. */
		e->argc = 0;
		for (int i = 0; i < max; i++)
			if (e->argstate[i] != ARG_MISSING)
				e->argc = i + 1;
	}
	n = e->argc < max ? e->argc : max;
	for (int i = 0; i < n; i++) {
		faulted |= e->argstate[i] == ARG_FAULT;
		toolong |= e->argstate[i] == ARG_MISSING;
	}
	if (!e->seen)
		x->st.entry_missing++;
	/* A failed exec leaves the old program in place: its cmdline is not
	 * the one that was attempted. */
	if ((faulted || toolong || !e->have_ptrs) && ret == 0)
		recovered = recover_from_proc(x, e, pid);
	if (!e->seen && recovered)
		x->st.entry_recovered++;
	n = e->argc < max ? e->argc : max;
	for (int i = 0; i < n; i++) {
		if (e->argstate[i] == ARG_FAULT)
			e->argstate[i] = ARG_LOST_FAULT;
		else if (e->argstate[i] == ARG_MISSING)
			e->argstate[i] = e->have_ptrs ? ARG_LOST_LONG : ARG_LOST_FAULT;
	}
	if (faulted)
		recovered ? x->st.fault_recovered++ : x->st.fault_marked++;
	if (toolong && e->have_ptrs)
		recovered ? x->st.long_recovered++ : x->st.long_marked++;
	return !e->have_ptrs && !recovered;
}

/* The name the kernel gives the file it executes (bprm->filename). */
static void kernel_filename(const struct exec_entry *e, struct snoop_buf *b)
{
	if (!e->filename)
		return;
	if (e->is_at && e->have_dfd && e->dfd != -100 /* AT_FDCWD */ && e->filename[0] != '/') {
		snoop_buf_printf(b, "/dev/fd/%d", e->dfd);
		if (e->filename[0])
			snoop_buf_printf(b, "/%s", e->filename);
	} else {
		snoop_buf_adds(b, e->filename);
	}
}

/*
 * The task's new name. The kprobe on commit_creds() read it from the
 * kernel for a successful exec; otherwise it is made the way the kernel
 * makes it, from the last component of the file name, cut to 15 bytes (a
 * failed exec: the name it would have had). An exec through a file
 * descriptor (fexecve) is named "/dev/fd/N" by the kernel, but recent
 * kernels name the task after the file itself: there /proc tells.
 */
static void exec_comm(const struct exec_entry *e, const char *kname, pid_t pid, bool alive_ok,
		      struct snoop_task *t)
{
	const char *c;

	t->comm_src = SNOOP_TASK_EVENT;
	if (e->have_creds) {
		snprintf(t->comm, sizeof(t->comm), "%s", e->comm);
		return;
	}
	if (kname && *kname && (!alive_ok || strncmp(kname, "/dev/fd/", 8) != 0)) {
		c = strrchr(kname, '/');
		c = c ? c + 1 : kname;
		snprintf(t->comm, sizeof(t->comm), "%s", c);
		return;
	}
	/* Read after the fact: the process may have exec'd again since, or
	 * renamed itself; marked (snoop/columns.h). */
	t->comm_src = SNOOP_TASK_PROC;
	if (alive_ok && proc_comm(pid, t->comm, sizeof(t->comm)))
		return;
	/* Gone (or no file name): "?". For "/dev/fd/N" the kernel's rule
	 * changed (older kernels use the descriptor's number, newer ones the file's name),
	 * so the name is not guessed. */
	t->comm[0] = '\0';
	t->comm_src = SNOOP_TASK_UNKNOWN;
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

void execsnoop_print_header(struct snoop_session *s, void *ctx)
{
	struct execsnoop *x = ctx;
	struct snoop_buf *b = snoop_session_out(s);

	if (x->a.common.json || x->a.table || !x->o->header)
		return;
	snoop_session_put_time_header(x->s, b);
	if (x->o->show_uid)
		snoop_buf_printf(b, "%-7s ", "UID");
	snoop_buf_printf(b, "%-16s %-7s %-7s %-7s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
	snoop_session_flush(x->s);
}

static bool arg_known(const struct exec_entry *e, int i)
{
	return e->argstate[i] == ARG_OK || e->argstate[i] == ARG_PROC || e->argstate[i] == ARG_CHECKED ||
	       e->argstate[i] == ARG_LATE;
}

static const char *const src_names[] = {
	[SRC_NONE] = NULL,	  [SRC_SYSCALL] = "syscall", [SRC_LIBC] = "libc",
	[SRC_SCHED] = "sched", [SRC_PROC] = "proc",	    [SRC_CHECKED] = "proc-checked",
	[SRC_LATE] = "late",
};

/* Where the printed arguments came from: the weakest source among them. */
static enum exec_src args_source(const struct execsnoop *x, const struct exec_entry *e, int nargs)
{
	enum exec_src src = SRC_NONE;

	for (int i = 0; i < nargs; i++) {
		enum exec_src a = SRC_NONE;

		if (e->argstate[i] == ARG_LATE)
			a = SRC_LATE;
		else if (e->argstate[i] == ARG_CHECKED)
			a = SRC_CHECKED;
		else if (e->argstate[i] == ARG_PROC)
			a = SRC_PROC;
		else if (e->argstate[i] == ARG_OK)
			a = x->kprobes ? SRC_SYSCALL : SRC_LIBC;
		if (a > src)
			src = a;
	}
	return src;
}

static bool arg_cut(const struct exec_entry *e, int i)
{
	return e->argstate[i] == ARG_LOST_LONG || (arg_known(e, i) && e->arglen[i] >= EXECSNOOP_FETCH_MAX);
}

/*
 * Was the file a script (#!)? Then /proc holds the interpreter's argv, in
 * which the kernel put the script's name (the file name it was given)
 * after the interpreter and its optional argument, one pair per level
 * (four at most): this exec's command line, but not the argv it was
 * called with, so no proof makes it that. A program whose own arguments
 * name its file is taken for one too (marked, never wrong).
 */
static bool maybe_interpreted(const struct exec_entry *e, int nargs)
{
	size_t n = e->filename ? strlen(e->filename) : 0;

	for (int i = 1; n && i < nargs && i <= 8; i++)
		if (e->argv[i] && e->arglen[i] == n && memcmp(e->argv[i], e->filename, n) == 0)
			return true;
	return !e->filename;
}

/* Print one resolved exec: its line, or its row with --top. */
static void print_line(struct execsnoop *x, struct exec_line *l)
{
	struct execsnoop_opts *o = x->o;
	const struct snoop_opts *common = &x->a.common;
	struct snoop_buf *b = snoop_session_out(x->s);
	struct exec_entry *e = l->e;
	const char *errname = l->ret < 0 ? snoop_errno_name((int)-l->ret) : NULL;
	int nargs = l->nargs;
	enum exec_src asrc, fsrc;
	bool late;

	if (!snoop_session_count_event(x->s))
		return; /* -M reached */
	x->st.printed++;
	if (l->read_ns) {
		/* What came from /proc: proven this exec's, or marked. */
		bool proven = !l->disproved && l->loss_seq == snoop_session_loss_seq(x->s) &&
			      snoop_session_watermark(x->s) >= l->read_ns;
		bool args = false;

		for (int i = 0; i < nargs; i++)
			args |= e->argstate[i] == ARG_LATE;
		if (args && proven && !maybe_interpreted(e, nargs)) {
			for (int i = 0; i < nargs; i++)
				if (e->argstate[i] == ARG_LATE)
					e->argstate[i] = ARG_CHECKED;
			x->st.proc_proven++;
		} else if (args) {
			x->st.proc_unproven++;
		}
		if (l->task.comm_src == SNOOP_TASK_PROC && proven) {
			l->comm_checked = true;
			l->task.comm_src = SNOOP_TASK_EVENT; /* no mark */
		}
	}
	asrc = args_source(x, e, nargs);
	fsrc = e->fname_src;
	if (x->kprobes && e->filename && !e->compat)
		fsrc = SRC_SYSCALL;
	late = asrc == SRC_LATE || fsrc == SRC_LATE;
	x->st.late_args += asrc == SRC_LATE;
	x->st.late_fname += fsrc == SRC_LATE;
	x->st.libc_verified += e->verified;
	if (x->a.table) {
		execsnoop_top_add(x, e, nargs, l->pid, l->ppid, l->ret);
		return;
	}
	if (common->json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		snoop_session_json_time(x->s, &j, l->ts);
		snoop_session_json_task_cgroup(x->s, &j, &l->task);
		snoop_json_int(&j, "pid", l->pid);
		snoop_json_int(&j, "ppid", l->ppid);
		snoop_json_uid(&j, l->uid, l->uid_late);
		if (l->task.comm_src)
			snoop_json_str(&j, "comm", l->task.comm, strlen(l->task.comm));
		else
			snoop_json_null(&j, "comm");
		snoop_json_name(&j, "comm_source",
				l->comm_checked ? "proc-checked" : snoop_task_src_name(l->task.comm_src));
		if (e->filename)
			snoop_json_str(&j, "filename", l->kname.data, l->kname.len);
		else
			snoop_json_null(&j, "filename");
		snoop_json_array_begin(&j, "argv");
		for (int i = 0; i < nargs; i++) {
			if (arg_known(e, i))
				snoop_json_array_str(&j, e->argv[i], e->arglen[i]);
			else
				snoop_json_array_str(&j, "", 0);
		}
		snoop_json_array_end(&j);
		snoop_json_bool(&j, "truncated", l->truncated);
		snoop_json_bool(&j, "args_unreadable", l->unreadable);
		snoop_json_name(&j, "args_source", src_names[asrc]);
		snoop_json_name(&j, "filename_source", e->filename ? src_names[fsrc] : NULL);
		snoop_json_int(&j, "ret", l->ret);
		if (l->ret < 0) {
			snoop_json_int(&j, "errno", -l->ret);
			snoop_json_name(&j, "errno_name", errname);
		} else {
			snoop_json_null(&j, "errno");
			snoop_json_null(&j, "errno_name");
		}
		snoop_json_end(&j);
		return;
	}

	snoop_session_put_time(x->s, b, l->ts);
	snoop_session_put_task_cgroup(x->s, b, &l->task);
	if (o->show_uid)
		snoop_col_uid(b, l->uid, l->uid_late, 7);
	snoop_col_comm(b, &l->task, 16);
	snoop_col_pid(b, l->pid, 7);
	snoop_col_pid(b, l->ppid, 7);
	snoop_col_ret(b, l->ret, 7);
	if (nargs == 0 && l->kname.len)
		/* No argv (or none readable): the filename says what ran. */
		snoop_escape_text(b, l->kname.data, l->kname.len);
	for (int i = 0; i < nargs; i++) {
		if (i)
			snoop_buf_addc(b, ' ');
		if (!arg_known(e, i))
			snoop_buf_adds(b, "?");
		else if (o->quote)
			snoop_escape_shell(b, e->argv[i], e->arglen[i]);
		else
			snoop_escape_text(b, e->argv[i], e->arglen[i]);
		if (arg_cut(e, i))
			snoop_buf_adds(b, "...");
	}
	if (e->argc > o->max_args)
		snoop_buf_adds(b, " ...");
	if (l->unreadable)
		snoop_buf_adds(b, " [args unreadable]");
	if (late)
		snoop_buf_adds(b, " [late]");
	snoop_buf_addc(b, '\n');
}

/* ---- lines held for the proof of a late read ---------------------------
 *
 * The fallback path reads a successful exec's arguments from
 * /proc/PID/cmdline after the fact. They are still that exec's if nothing
 * replaced the process's command line between the exec and the read: no
 * later exec of the PID, and no new task taking the PID (a reused PID's
 * process shows its parent's command line). The session records both, so
 * once it has handled every record up to the time of the read (the
 * watermark, snoop_session_watermark()) with none of them for that PID and
 * no loss, the read is proven; otherwise the line is marked [late]. Lines
 * wait for that in order (a held line holds back the ones after it), a
 * batch or so: about a millisecond.
 */

/* A held copy of the entry: it owns the strings; e gives them up. */
static struct exec_entry *entry_take(struct execsnoop *x, struct exec_entry *e)
{
	struct exec_entry *c = malloc(x->entry_size);

	if (!c) {
		snoop_session_fail(x->s, "out of memory: stopping");
		return NULL;
	}
	memcpy(c, e, x->entry_size);
	execsnoop_entry_wire(x, c);
	for (int i = 0; i <= x->o->max_args; i++)
		e->argv[i] = NULL;
	e->filename = NULL;
	return c;
}

static void line_free(struct execsnoop *x, struct exec_line *l)
{
	if (l->e && l->e != x->blank && l->held) {
		execsnoop_entry_clear(x, l->e);
		free(l->e);
	}
	snoop_buf_free(&l->kname);
	snoop_cgroup_keep_free(&l->cg);
}

static void hold(struct execsnoop *x, struct exec_line *l)
{
	if (x->nheld == x->held_cap) {
		size_t cap = x->held_cap ? 2 * x->held_cap : 16;
		struct exec_line *h = realloc(x->held, cap * sizeof(*h));

		if (!h) {
			snoop_session_fail(x->s, "out of memory: stopping");
			return;
		}
		x->held = h;
		x->held_cap = cap;
	}
	l->e = entry_take(x, l->e);
	if (!l->e)
		return;
	l->held = true;
	/* The cgroup of now, not of when the line is printed. */
	snoop_task_cgroup_keep(&l->task, &l->cg);
	x->held[x->nheld++] = *l;
	snoop_buf_init(&l->kname); /* the held copy owns it */
}

void execsnoop_proof_event(struct execsnoop *x, pid_t pid, uint64_t ts)
{
	for (size_t i = 0; i < x->nheld; i++) {
		struct exec_line *l = &x->held[i];

		if (l->read_ns && l->pid == pid && ts > l->ts && ts <= l->read_ns)
			l->disproved = true;
	}
}

/* Print the held lines that are decided, in order; final: all of them
 * (the watermark no longer moves: the unproven are marked). */
static void release(struct execsnoop *x, bool final)
{
	size_t n = 0;

	for (; n < x->nheld; n++) {
		struct exec_line *l = &x->held[n];

		if (!final && l->read_ns && !l->disproved && l->loss_seq == snoop_session_loss_seq(x->s) &&
		    snoop_session_watermark(x->s) < l->read_ns)
			break;
		print_line(x, l);
		line_free(x, l);
	}
	if (n) { /* (held is NULL until a line is held: not for memmove) */
		memmove(x->held, x->held + n, (x->nheld - n) * sizeof(*x->held));
		x->nheld -= n;
	}
	if (x->nheld)
		snoop_session_batch_soon(x->s);
}

void execsnoop_on_batch(struct snoop_session *s, void *ctx)
{
	(void)s;
	release(ctx, false);
}

void execsnoop_held_free(struct execsnoop *x)
{
	for (size_t i = 0; i < x->nheld; i++)
		line_free(x, &x->held[i]);
	free(x->held);
	x->held = NULL;
	x->nheld = 0;
}

void execsnoop_emit(struct execsnoop *x, const struct snoop_record *r, struct exec_entry *e, long ret)
{
	struct execsnoop_opts *o = x->o;
	struct exec_line l = { .e = e, .ts = r->ts, .ret = ret, .uid = -1 };

	if (!e->tid)
		e->tid = r->pid;
	l.pid = e->tid;

	/* A 32-bit process's exec on the kprobe path: as on the fallback. */
	if ((x->kprobes && !e->compat) || e->verified) {
		l.unreadable = resolve_kprobe_args(x, e, l.pid, ret);
	} else if (!e->have_ptrs) {
		/* Fallback, successful exec: /proc while the process lives,
		 * then proven or marked (above). */
		if (args_from_proc(x, e, l.pid)) {
			x->st.fallback_proc++;
			l.read_ns = 1; /* the time: after the last read, below */
		} else {
			x->st.fallback_gone++;
			l.unreadable = true;
		}
	}
	l.nargs = e->argc < o->max_args ? e->argc : o->max_args;
	l.truncated = e->argc > o->max_args;
	for (int i = 0; i < l.nargs; i++) {
		l.truncated |= arg_cut(e, i);
		l.unreadable |= !arg_known(e, i);
	}

	/* User-space filters (the kernel cannot see these). */
	l.ppid = execsnoop_ppid(x, l.pid);
	if (o->ppid && l.ppid != o->ppid)
		return;
	if (execsnoop_need_uid(x)) {
		if (e->have_uid) {
			l.uid = e->uid;
			x->st.uid_kernel++;
		} else {
			l.uid = snoop_tasks_get_uid(x->tasks, l.pid, 0);
			l.uid_late = true;
			l.uid >= 0 ? x->st.uid_proc++ : x->st.uid_unknown++;
		}
	}
	if (o->has_uid && l.uid != (long)o->uid) {
		if (l.uid < 0)
			x->st.uid_unknown_skipped++;
		return;
	}
	snoop_buf_init(&l.kname);
	kernel_filename(e, &l.kname);
	exec_comm(e, l.kname.len ? snoop_buf_cstr(&l.kname) : NULL, l.pid, ret == 0, &l.task);
	if (x->a.common.print_cgroup) {
		l.task.tid = l.pid;
		snoop_session_task_cgroup(x->s, &l.task);
	}
	if (!x->kprobes && ret == 0 && (l.read_ns || l.task.comm_src == SNOOP_TASK_PROC)) {
		/* Successful exec, values from /proc: to be proven (above). */
		l.read_ns = snoop_now_ns(CLOCK_MONOTONIC);
		l.loss_seq = snoop_session_loss_seq(x->s);
	}
	if ((o->has_name && regexec(&o->name_re, l.task.comm, 0, NULL, 0) != 0) ||
	    (o->line && !line_matches(e, l.nargs, o->line))) {
		snoop_buf_free(&l.kname);
		return;
	}
	/* --top shows no marks, and its last table is printed before the
	 * held lines would be released: it takes every exec at once. */
	if ((l.read_ns || x->nheld) && !x->a.table) {
		hold(x, &l);
		snoop_buf_free(&l.kname);
		return;
	}
	print_line(x, &l);
	snoop_buf_free(&l.kname);
}

static void print_stats(const struct execsnoop *x)
{
	const struct execsnoop_stats *s = &x->st;
	const char *t = "execsnoop";

	fprintf(stderr, "%s: %llu execs printed\n", t, (unsigned long long)s->printed);
	if (x->kprobes) {
		fprintf(stderr, "%s: argument faulted, recovered from /proc: %llu\n", t,
			(unsigned long long)s->fault_recovered);
		fprintf(stderr, "%s: argument faulted, not recoverable (marked): %llu\n", t,
			(unsigned long long)s->fault_marked);
		fprintf(stderr, "%s: argument too long for a trace record, recovered from /proc: %llu\n", t,
			(unsigned long long)s->long_recovered);
		fprintf(stderr, "%s: argument too long for a trace record, not recoverable (marked): %llu\n", t,
			(unsigned long long)s->long_marked);
		fprintf(stderr, "%s: entry record missing: %llu (arguments from /proc: %llu)\n", t,
			(unsigned long long)s->entry_missing, (unsigned long long)s->entry_recovered);
		fprintf(stderr, "%s: /proc held another command line (not used): %llu\n", t,
			(unsigned long long)s->proc_mismatch);
		fprintf(stderr, "%s: entries dropped after lost events: %llu\n", t,
			(unsigned long long)s->stale_dropped);
		fprintf(stderr, "%s: execs without entry records (32-bit processes; under way at the start), from sched: %llu\n", t,
			(unsigned long long)s->exec_unseen);
	} else {
		fprintf(stderr, "%s: arguments from the C library's call (uprobes): %llu%s\n", t,
			(unsigned long long)s->libc_verified, x->libc ? "" : " (no uprobes)");
		fprintf(stderr, "%s: C library records the syscall did not confirm (not used): %llu\n", t,
			(unsigned long long)s->libc_unmatched);
		fprintf(stderr, "%s: arguments from /proc: %llu; process gone before they were read (marked): %llu\n",
			t, (unsigned long long)s->fallback_proc, (unsigned long long)s->fallback_gone);
	}
	if (!x->kprobes)
		fprintf(stderr, "%s: arguments from /proc proven this exec's (no later exec of the PID before the read): %llu; "
			"not proven (marked [late]): %llu\n", t, (unsigned long long)s->proc_proven,
			(unsigned long long)s->proc_unproven);
	fprintf(stderr, "%s: read after the fact, unproven (marked [late]): arguments %llu, file name %llu\n", t,
		(unsigned long long)s->late_args, (unsigned long long)s->late_fname);
	/* Only looked up for -U, -u and -j. */
	if (s->uid_kernel || s->uid_proc || s->uid_unknown)
		fprintf(stderr, "%s: UID from the kernel: %llu, from /proc: %llu, unknown: %llu\n", t,
			(unsigned long long)s->uid_kernel, (unsigned long long)s->uid_proc,
			(unsigned long long)s->uid_unknown);
}

void execsnoop_finish(struct snoop_session *s, void *ctx)
{
	struct execsnoop *x = ctx;

	(void)s;
	release(x, true);
	snoop_session_flush(s);
	if (x->a.common.verbose)
		print_stats(x);
	if (x->st.uid_unknown_skipped)
		fprintf(stderr, "execsnoop: -u: %llu exec(s) not shown: the process was gone before its UID could be read\n",
			(unsigned long long)x->st.uid_unknown_skipped);
}
