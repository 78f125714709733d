// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What execsnoop asks the kernel for, and how records become execs.
 *
 * With kprobe events, per exec:
 * - syscalls:sys_enter_execve(at) marks the start of an exec, so that the
 *   records of a failed attempt whose exit was filtered out (PATH search)
 *   never mix with the next one's;
 * - probe 0 on the syscall entry reads the filename and every argv pointer
 *   (argv[0..max_args]) through the pt_regs pointer the syscall wrapper
 *   receives (kernels 4.17+): how many arguments there are, and whether
 *   there are more than --max-args;
 * - string probes at the same address read the arguments as user strings,
 *   one per probe: the kernel silently drops a record bigger than a
 *   ring-buffer page, so that only an argument too long for a page by
 *   itself (about 4,000 bytes) is lost, and read from /proc instead. Each
 *   string probe also reads the low halves of the argv pointers up to its
 *   own, and an in-kernel filter drops it when one of them is NULL: the
 *   slots after the end of argv (what follows the array in memory, often
 *   the environment) are not recorded;
 * - a probe on commit_creds(), which a successful exec calls once the task
 *   has its new name, reads that name and, with BTF, the real UID;
 * - syscalls:sys_exit_execve(at) gives the result; records are matched per
 *   thread.
 *
 * Without kprobe events: sched:sched_process_exec gives the filename and PID
 * of each successful exec; the arguments are read from /proc/PID/cmdline
 * while the process lives. With -x, failed attempts come from the syscall
 * tracepoints, their filename and arguments read from the caller's memory
 * (/proc/PID/mem) at the addresses the syscall received.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <event-parse.h>

#include <snoop/tracefs.h>
#include <snoop/uprobe.h>

#include "execsnoop.h"

struct arch_regs {
	const char *machine;
	const char *execve, *execveat;
	/* The register of a kernel function's first argument, in kprobe
	 * fetch syntax: the wrappers' pt_regs pointer, commit_creds' cred. */
	const char *reg0;
	/* Offsets in struct pt_regs of the first four syscall arguments. */
	int arg[4];
};

static const struct arch_regs arches[] = {
	/* x86_64: di, si, dx, r10 */
	{ "x86_64", "__x64_sys_execve", "__x64_sys_execveat", "%di", { 112, 104, 96, 56 } },
	/* arm64: regs[0..3] */
	{ "aarch64", "__arm64_sys_execve", "__arm64_sys_execveat", "%x0", { 0, 8, 16, 24 } },
};

static const struct arch_regs *this_arch(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(u.machine, arches[i].machine) == 0)
			return &arches[i];
	return NULL;
}

/* ---- in-flight execs ---------------------------------------------------- */

/* The three per-argument arrays live in the entry's own table slot, after
 * the struct: one allocation for the table, none per exec. */
static size_t entry_bytes(int max_args)
{
	size_t n = (size_t)max_args + 1;

	return sizeof(struct exec_entry) + n * (sizeof(char *) + sizeof(size_t) + 1);
}

void execsnoop_entry_wire(struct execsnoop *x, struct exec_entry *e)
{
	size_t n = (size_t)x->o->max_args + 1;

	e->argv = (char **)(e + 1);
	e->arglen = (size_t *)(e->argv + n);
	e->argstate = (unsigned char *)(e->arglen + n);
}

/* Free what the entry holds (its slot is cleared by the table). */
void execsnoop_entry_clear(struct execsnoop *x, struct exec_entry *e)
{
	for (int i = 0; e->argv && i <= x->o->max_args; i++) {
		free(e->argv[i]);
		e->argv[i] = NULL;
	}
	free(e->filename);
	e->filename = NULL;
}

void execsnoop_entry_drop(void *ctx, void *entry, enum snoop_pair_drop why)
{
	struct execsnoop *x = ctx;

	/*
	 * Events were lost since this entry was recorded: its own exit may be
	 * among them, and the exit that came may belong to a later exec whose
	 * entry was lost. Pairing them could print one command's arguments
	 * under another's result. Other drops (a failed attempt whose exit the
	 * kernel filtered out, the end) need no word: it is what -x is for.
	 */
	if (why == SNOOP_PAIR_SPLIT)
		x->st.stale_dropped++;
	execsnoop_entry_clear(x, entry);
}

/* A new entry for tid: whatever it had in flight is dropped. */
static struct exec_entry *entry_new(struct execsnoop *x, pid_t tid, uint64_t ts)
{
	struct exec_entry *e = snoop_pairs_enter(x->pairs, tid, ts, snoop_session_loss_seq(x->s));

	execsnoop_entry_wire(x, e);
	e->tid = tid;
	e->uid = -1;
	return e;
}

static struct exec_entry *entry_find(struct execsnoop *x, pid_t tid, bool create, uint64_t ts)
{
	struct exec_entry *e = snoop_pairs_peek(x->pairs, tid);

	return e || !create ? e : entry_new(x, tid, ts);
}

/* An exec known only from its result (no entry record): nothing in it. */
static struct exec_entry *entry_blank(struct execsnoop *x, pid_t tid)
{
	struct exec_entry *e = x->blank;

	execsnoop_entry_clear(x, e);
	memset(e, 0, x->entry_size);
	execsnoop_entry_wire(x, e);
	e->tid = tid;
	e->uid = -1;
	return e;
}

/* The first record of an exec: whatever the thread had in flight was a
 * failed attempt whose exit the kernel filtered out (or lost). */
static struct exec_entry *entry_begin(struct execsnoop *x, pid_t tid, uint64_t ts)
{
	struct exec_entry *e = entry_find(x, tid, true, ts);

	if (e->seen || e->printed)
		e = entry_new(x, tid, ts);
	e->seen = true;
	return e;
}

/* The exit of tid's exec: its entry out of the table (clear it after use),
 * or NULL (none, or split from it by a loss). */
static struct exec_entry *entry_end(struct execsnoop *x, pid_t tid)
{
	return snoop_pairs_exit(x->pairs, tid, snoop_session_loss_seq(x->s));
}

/* The parent process of pid, from the task cache: the fork this session
 * saw (right even when both are gone), else /proc. 0 when unknown. */
pid_t execsnoop_ppid(struct execsnoop *x, pid_t pid)
{
	struct snoop_task t;

	return snoop_tasks_get_ppid(x->tasks, pid, &t) ? t.ppid : 0;
}

/* task_newtask: feed the cache, with the creator's own process looked up
 * first (saved_tgids, else /proc while it lives), so that the new
 * process's PPID is known even when the creator was there before the
 * trace and is gone by the time the child's line is printed. */
static void on_newtask(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct snoop_task parent;

	(void)s;
	snoop_tasks_get(x->tasks, r->pid, &parent);
	snoop_tasks_on_newtask(x->tasks, r);
	if (x->nheld)
		execsnoop_proof_event(x, (pid_t)snoop_field_s64(r, x->f_newtask_pid), r->ts);
}

/* ---- kprobe path ------------------------------------------------------ */

char *execsnoop_dup(struct execsnoop *x, const char *p, size_t n)
{
	/* Strings from the kernel or /proc: no NUL inside the n bytes. */
	char *d = strndup(p, n);

	/* Out of memory: the session fails (exit status 1) and the value
	 * is shown as missing, never as another's. */
	if (!d)
		snoop_session_fail(x->s, "out of memory: stopping");
	return d;
}

/*
 * A user string of a probe record: NULL when it faulted. Some kernels (6.1)
 * store an empty string with length 0, like a fault; but the kernel sized
 * the record for its NUL, so a record longer than its fixed part (sizes are
 * rounded up to 4 bytes, and the fixed parts are multiples of 4) had one
 * string that did not fault. Probes with a single string only.
 */
static const char *user_str(const struct snoop_record *r, const struct exec_probe *p,
			    const struct tep_format_field *f, size_t *n)
{
	const char *a = snoop_field_str(r, f, n);

	if (!a && f && p->fixed > 0 && r->size > p->fixed) {
		*n = 0;
		return "";
	}
	return a;
}

static void on_sys_enter_kprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct exec_entry *e = entry_begin(x, r->pid, r->ts);

	(void)s;
	e->is_at = strcmp(snoop_event_name(r->ev), "sys_enter_execveat") == 0;
}

/* The C library's probes of a new call find the thread's last entry: a
 * call the syscall confirmed, or one the syscall path began (no uprobe). */
static bool libc_stale(const struct execsnoop *x, const struct exec_entry *e)
{
	return x->libc && e->seen && (!e->libc || e->verified);
}

/* Probe 0: the filename and the argv pointers, i.e. how many arguments. */
static void on_probe0(struct execsnoop *x, const struct exec_probe *p, const struct snoop_record *r)
{
	struct exec_entry *e = entry_find(x, r->pid, true, r->ts);
	size_t n;
	const char *f;

	if (e->have_ptrs || libc_stale(x, e)) /* no sys_enter record between two execs: lost */
		e = entry_begin(x, r->pid, r->ts);
	e->seen = true;
	e->is_at = p->at;
	e->have_ptrs = true;
	f = user_str(r, p, x->f_fname[p->at], &n);
	free(e->filename);
	e->filename = f ? execsnoop_dup(x, f, n) : NULL;
	e->argc = x->o->max_args + 1;
	for (int i = 0; i <= x->o->max_args; i++) {
		if (!snoop_field_u64(r, x->f_ptr[p->at][i])) {
			e->argc = i;
			break;
		}
	}
	/* A uprobe: trusted once sys_enter shows the same pointers. */
	e->libc = x->libc;
}

static void on_probe_args(struct execsnoop *x, const struct exec_probe *p, const struct snoop_record *r)
{
	struct exec_entry *e = entry_find(x, r->pid, true, r->ts);

	if (e->argstate[p->first] != ARG_MISSING || libc_stale(x, e))
		e = entry_begin(x, r->pid, r->ts);
	e->seen = true;
	e->libc = x->libc;
	if (p->first == 0 && x->f_up_fp[p->at]) {
		e->fname_ptr = snoop_field_u64(r, x->f_up_fp[p->at]);
		e->argv_ptr = snoop_field_u64(r, x->f_up_ap[p->at]);
	}
	e->is_at = p->at;
	if (p->at && p->first == 0 && x->f_dfd) {
		e->dfd = (int)snoop_field_s64(r, x->f_dfd);
		e->have_dfd = true;
	}
	for (int j = 0; j < p->n; j++) {
		int i = p->first + j;
		size_t n = 0;
		const char *a = user_str(r, p, x->f_arg[p->at][i], &n);

		free(e->argv[i]);
		e->argv[i] = NULL;
		if (!a) {
			/* Faulted, or a slot past the end of argv (which probe 0
			 * tells apart). */
			e->argstate[i] = ARG_FAULT;
		} else if ((e->argv[i] = execsnoop_dup(x, a, n))) {
			e->argstate[i] = ARG_OK;
			e->arglen[i] = n;
		} else {
			e->argstate[i] = ARG_FAULT;
		}
	}
}

static void on_entry_probe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct exec_probe *p = ctx;

	(void)s;
	if (p->first < 0)
		on_probe0(p->x, p, r);
	else
		on_probe_args(p->x, p, r);
}

/* commit_creds() during an exec: the new name (and UID) of the task. Other
 * callers (setuid() and the like) find no exec in flight and are ignored. */
static void on_creds(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct exec_entry *e = entry_find(x, r->pid, false, 0);
	size_t n;
	const char *c;

	(void)s;
	if (!e || !e->seen)
		return;
	c = snoop_field_str(r, x->f_comm, &n);
	if (c) {
		if (n > sizeof(e->comm) - 1)
			n = sizeof(e->comm) - 1;
		memcpy(e->comm, c, n);
		e->comm[n] = '\0';
		e->have_creds = true;
	}
	if (x->f_uid) {
		e->uid = (long)snoop_field_u64(r, x->f_uid);
		e->have_uid = true;
	}
}

static void finish(struct execsnoop *x, const struct snoop_record *r, pid_t tid, long ret)
{
	struct exec_entry *e = entry_end(x, tid);

	/* After an exec by a thread other than the leader, the task has the
	 * process's PID (sched_process_exec's common_pid): print that. */
	if (e)
		e->tid = r->pid;
	if (ret < 0 && !x->o->failed) {
		if (e)
			execsnoop_entry_clear(x, e);
		return;
	}
	/* No entry record (lost, split by a loss, or a thread that exec'd and
	 * took its process's PID): all we know is that this task exec'd. */
	if (!e)
		e = entry_blank(x, r->pid);
	execsnoop_emit(x, r, e, ret);
	execsnoop_entry_clear(x, e);
}

static void on_exit_kprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct tep_format_field *f = r->ev == x->ev_exit_at ? x->f_ret_at : x->f_ret;
	struct exec_entry *e = snoop_pairs_peek(x->pairs, r->pid);
	long ret = (long)snoop_field_s64(r, f);

	(void)s;
	if (e && e->printed && ret == 0) {
		/* Printed at sched_process_exec. */
		if ((e = entry_end(x, r->pid)))
			execsnoop_entry_clear(x, e);
		return;
	}
	finish(x, r, r->pid, ret);
}

/*
 * sched_process_exec on the kprobe path: every exec the kernel completes,
 * after the call's entry records and before its exit. 32-bit (compat)
 * processes make it uneven: the syscall tracepoints skip compat syscalls
 * (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS on x86_64 and arm64), an exec by one
 * enters through __ia32_compat_sys_execve or __arm64_compat_sys_execve, not
 * the wrapper probed here, and an exec into one returns as a compat
 * syscall. So a successful exec is printed here, not at its exit, which
 * never comes when the new program is 32-bit (and would then come with the
 * next exec, out of a 32-bit process, under that one's name); the exit, if
 * it comes, is dropped. An exec no entry record announced was made by a
 * 32-bit process (or was under way when tracing began, or its records were
 * lost): printed as on the tracepoint path, the file name from this record,
 * the arguments from /proc, marked; counted (-v), and said once.
 */
static void on_exec_kprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	pid_t pid = (pid_t)snoop_field_s64(r, x->f_exec_pid);
	pid_t old = (pid_t)snoop_field_s64(r, x->f_exec_oldpid);
	pid_t tid = old ? old : pid;
	struct exec_entry *e = snoop_pairs_peek(x->pairs, tid);
	size_t n;
	const char *f;

	snoop_tasks_on_exec(x->tasks, r);
	if (e && e->seen) {
		finish(x, r, tid, 0);
	} else {
		if (e && (e = entry_end(x, tid)))
			execsnoop_entry_clear(x, e);
		x->st.exec_unseen++;
		if (!x->warned_unseen)
			snoop_warn(s, "PID %d exec'd without the syscall's entry records: a 32-bit (compat) program's "
				   "exec (the syscall tracepoints and %s do not see those), one under way when tracing "
				   "began%s; shown from sched_process_exec, arguments from /proc (marked [late]; count: -v)",
				   (int)pid, x->kfunc_execve, snoop_session_loss_seq(s) ? ", or lost records" : "");
		x->warned_unseen = true;
		e = entry_blank(x, r->pid);
		e->compat = true;
		f = snoop_field_str(r, x->f_exec_fname, &n);
		e->filename = f ? execsnoop_dup(x, f, n) : NULL;
		e->fname_src = f ? SRC_SCHED : SRC_NONE;
		execsnoop_emit(x, r, e, 0);
		execsnoop_entry_clear(x, e);
	}
	entry_new(x, r->pid, r->ts)->printed = true;
}

/*
 * A record must fit in one ring-buffer page, or the kernel drops it without
 * a trace: 4,072 bytes of data (a 4 KB page less its 16-byte header and the
 * ring buffer's 8). One argument per string probe keeps that true for any
 * argument of up to about 4,000 bytes, whatever its neighbours; a longer one
 * is the only one lost, and comes from /proc when it can. (Measured on 6.1
 * and 6.12: a kprobe record of 4,073 bytes never arrives, and on 6.12 a
 * larger buffer_subbuf_size_kb does not change that.)
 */
static void size_string_probes(struct execsnoop *x)
{
	x->args_per_probe = 1;
	x->nprobes = x->o->max_args;
}

/* Where a probe record's string data starts (0: unknown, or not a
 * single-string probe, whose empty strings then read as faults). */
static int record_fixed(struct snoop_event *ev, int nstrings)
{
	struct tep_event *t = snoop_event_tep(ev);
	int end = 0;

	if (!t || nstrings != 1)
		return 0;
	for (struct tep_format_field *f = t->format.fields; f; f = f->next)
		if (f->offset + f->size > end)
			end = f->offset + f->size;
	return end % 4 == 0 ? end : 0;
}

/*
 * Where the entry probes go and how they reach the call's arguments: a
 * kprobe on the syscall wrapper reads them from the struct pt_regs its
 * first register points to; a uprobe on the C library's function finds
 * them in the argument registers themselves.
 */
struct entry_site {
	const char *func;      /* kprobe: the syscall wrapper */
	const char *path;      /* uprobe: the C library file ... */
	uint64_t off;          /* ... and the function's offset in it */
	char fname[32], argv[32], dfd[32]; /* fetch-arg expressions */
};

static void site_kprobe(struct entry_site *w, const struct arch_regs *a, int at)
{
	/* execve(filename, argv, envp); execveat(dfd, filename, argv, envp, flags) */
	*w = (struct entry_site){ .func = at ? a->execveat : a->execve };
	/* The wrapper's one argument is the pt_regs pointer (%di on x86_64,
	 * %x0 on arm64); the syscall's arguments are fields of it. */
	snprintf(w->fname, sizeof(w->fname), "+%d(%s)", a->arg[at ? 1 : 0], a->reg0);
	snprintf(w->argv, sizeof(w->argv), "+%d(%s)", a->arg[at ? 2 : 1], a->reg0);
	snprintf(w->dfd, sizeof(w->dfd), "+%d(%s)", a->arg[0], a->reg0);
}

static void site_uprobe(struct entry_site *w, const char *path, uint64_t off, int at)
{
	*w = (struct entry_site){ .path = path, .off = off };
	snprintf(w->fname, sizeof(w->fname), "%s", snoop_uprobe_arg_reg(at ? 1 : 0));
	snprintf(w->argv, sizeof(w->argv), "%s", snoop_uprobe_arg_reg(at ? 2 : 1));
	snprintf(w->dfd, sizeof(w->dfd), "%s", snoop_uprobe_arg_reg(0));
}

static struct snoop_event *site_probe(struct execsnoop *x, const struct entry_site *w, const char *name,
				      const char *args, void *ctx)
{
	if (w->path)
		return snoop_uprobe_add(x->s, name, w->path, w->off, args, on_entry_probe, ctx);
	return snoop_session_kprobe(x->s, name, w->func, args, false, on_entry_probe, ctx);
}

static int add_entry_probes(struct execsnoop *x, const struct entry_site *w, int at)
{
	struct snoop_buf args, filt;
	struct snoop_event *ev;
	char name[64], fn[16];
	int ret = -1;

	snoop_buf_init(&args);
	snoop_buf_init(&filt);
	/* The string probes first: they are called in the order they were
	 * added, and the order does not matter to the matching. */
	for (int c = 0; c < x->nprobes; c++) {
		int first = c * x->args_per_probe;
		int n = x->o->max_args - first < x->args_per_probe ? x->o->max_args - first : x->args_per_probe;

		snoop_buf_reset(&args);
		snoop_buf_reset(&filt);
		/* argv[0..first] must all be non-NULL, or this probe's slots
		 * lie past the end of argv: the filter drops the record. The
		 * low 32 bits of a user pointer are never all zero in
		 * practice; if they were, the argument would be missing and
		 * read from /proc like an argument too long for a record. */
		for (int j = 0; j <= first; j++) {
			snoop_buf_printf(&args, "q%d=+%d(%s):u32 ", j, j * 8, w->argv);
			snoop_buf_printf(&filt, "%sq%d != 0", j ? " && " : "", j);
		}
		if (at && first == 0)
			snoop_buf_printf(&args, "dfd=%s:s32 ", w->dfd);
		/* A uprobe's record counts as this exec's only once the
		 * syscall receives the same two pointers. (Here and not in
		 * probe 0, which has no room left with --max-args 126.) */
		if (w->path && first == 0)
			snoop_buf_printf(&args, "fp=%s:x64 ap=%s:x64 ", w->fname, w->argv);
		for (int j = 0; j < n; j++) {
			int i = first + j;

			snoop_buf_printf(&args, "a%d=+0(+%d(%s)):ustring ", i, i * 8, w->argv);
		}
		args.len--; /* trailing space */
		snprintf(name, sizeof(name), "%s_args%d", at ? "execveat" : "execve", first);
		x->probes[at][c + 1] = (struct exec_probe){ .x = x, .at = at, .first = first, .n = n };
		ev = site_probe(x, w, name, snoop_buf_cstr(&args), &x->probes[at][c + 1]);
		if (!ev || snoop_event_filter(ev, snoop_buf_cstr(&filt)) < 0)
			goto out;
		if (at && first == 0)
			x->f_dfd = snoop_event_field(ev, "dfd");
		if (w->path && first == 0) {
			x->f_up_fp[at] = snoop_event_field(ev, "fp");
			x->f_up_ap[at] = snoop_event_field(ev, "ap");
		}
		for (int j = 0; j < n; j++) {
			snprintf(fn, sizeof(fn), "a%d", first + j);
			x->f_arg[at][first + j] = snoop_event_field(ev, fn);
		}
		x->probes[at][c + 1].fixed = record_fixed(ev, n);
	}

	/* Probe 0: the filename and argv[0..max_args] as pointers. */
	snoop_buf_reset(&args);
	snoop_buf_printf(&args, "filename=+0(%s):ustring", w->fname);
	for (int i = 0; i <= x->o->max_args; i++)
		snoop_buf_printf(&args, " p%d=+%d(%s):x64", i, i * 8, w->argv);
	snprintf(name, sizeof(name), "%s_0", at ? "execveat" : "execve");
	x->probes[at][0] = (struct exec_probe){ .x = x, .at = at, .first = -1 };
	ev = site_probe(x, w, name, snoop_buf_cstr(&args), &x->probes[at][0]);
	if (!ev)
		goto out;
	x->f_fname[at] = snoop_event_field(ev, "filename");
	for (int i = 0; i <= x->o->max_args; i++) {
		snprintf(fn, sizeof(fn), "p%d", i);
		x->f_ptr[at][i] = snoop_event_field(ev, fn);
	}
	x->probes[at][0].fixed = record_fixed(ev, 1);
	ret = 0;
out:
	snoop_buf_free(&args);
	snoop_buf_free(&filt);
	return ret;
}

static int setup_creds_probe(struct execsnoop *x, const struct arch_regs *a)
{
	char args[64];
	struct snoop_event *ev;

	if (x->uid_off >= 0)
		snprintf(args, sizeof(args), "comm=$comm uid=+%d(%s):u32", x->uid_off, a->reg0);
	else
		snprintf(args, sizeof(args), "comm=$comm");
	ev = snoop_session_kprobe(x->s, "exec_creds", "commit_creds", args, false, on_creds, x);
	if (!ev)
		return -1;
	x->f_comm = snoop_event_field(ev, "comm");
	x->f_uid = x->uid_off >= 0 ? snoop_event_field(ev, "uid") : NULL;
	return 0;
}

static int setup_kprobes(struct execsnoop *x, const struct arch_regs *a)
{
	struct snoop_event *enter, *enter_at, *unseen;
	struct entry_site w[2];

	size_string_probes(x);
	enter = snoop_session_tracepoint(x->s, "syscalls", "sys_enter_execve", on_sys_enter_kprobe, x);
	enter_at = snoop_session_tracepoint(x->s, "syscalls", "sys_enter_execveat", on_sys_enter_kprobe, x);
	if (!enter || !enter_at)
		return -1;
	site_kprobe(&w[0], a, 0);
	site_kprobe(&w[1], a, 1);
	if (add_entry_probes(x, &w[0], 0) < 0 || add_entry_probes(x, &w[1], 1) < 0 || setup_creds_probe(x, a) < 0)
		return -1;
	x->ev_exit = snoop_session_tracepoint(x->s, "syscalls", "sys_exit_execve", on_exit_kprobe, x);
	x->ev_exit_at = snoop_session_tracepoint(x->s, "syscalls", "sys_exit_execveat", on_exit_kprobe, x);
	if (!x->ev_exit || !x->ev_exit_at)
		return -1;
	x->f_ret = snoop_event_field(x->ev_exit, "ret");
	x->f_ret_at = snoop_event_field(x->ev_exit_at, "ret");
	unseen = snoop_session_tracepoint(x->s, "sched", "sched_process_exec", on_exec_kprobe, x);
	if (!unseen)
		return -1;
	x->kfunc_execve = a->execve;
	x->f_exec_pid = snoop_event_field(unseen, "pid");
	x->f_exec_oldpid = snoop_event_field(unseen, "old_pid");
	x->f_exec_fname = snoop_event_field(unseen, "filename");
	if (!x->o->failed) {
		/* Only successful execs are printed: let the kernel drop the
		 * others' exit records (the next sys_enter resets their
		 * entries). */
		if (snoop_event_filter(x->ev_exit, "ret == 0") < 0 ||
		    snoop_event_filter(x->ev_exit_at, "ret == 0") < 0)
			return -1;
	}
	return 0;
}

/* ---- tracepoint fallback ------------------------------------------------ */

/* Read a NUL-terminated string at addr in pid's memory. */
static char *read_user_string(struct execsnoop *x, int memfd, uint64_t addr, size_t *len)
{
	char buf[EXECSNOOP_FETCH_MAX + 1];
	ssize_t n;
	char *nul;

	if (memfd < 0 || !addr)
		return NULL;
	n = pread(memfd, buf, sizeof(buf) - 1, (off_t)addr);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	nul = memchr(buf, '\0', (size_t)n);
	*len = nul ? (size_t)(nul - buf) : (size_t)n;
	return execsnoop_dup(x, buf, *len);
}

static void fill_from_mem(struct execsnoop *x, struct exec_entry *e)
{
	char path[64];
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)e->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	e->filename = read_user_string(x, fd, e->fname_ptr, &n);
	e->fname_src = e->filename ? SRC_LATE : SRC_NONE;
	e->have_ptrs = true;
	e->argc = 0;
	for (int i = 0; i <= x->o->max_args; i++) {
		uint64_t p = 0;

		if (fd < 0 || pread(fd, &p, sizeof(p), (off_t)(e->argv_ptr + 8u * (unsigned)i)) != sizeof(p)) {
			/* The array itself is unreadable: one unknown argument. */
			e->argstate[i] = ARG_LOST_FAULT;
			e->argc = i + 1;
			break;
		}
		if (!p)
			break;
		e->argc = i + 1;
		if (i == x->o->max_args)
			break; /* only to know that there are more */
		e->argv[i] = read_user_string(x, fd, p, &n);
		if (!e->argv[i]) {
			e->argstate[i] = ARG_LOST_FAULT;
			continue;
		}
		e->arglen[i] = n;
		/* Read after the syscall returned: glibc's execvp has put the
		 * next PATH candidate in the same buffer by now, maybe. */
		e->argstate[i] = ARG_LATE;
	}
	if (fd >= 0)
		close(fd);
}

/* The entry of the exec that thread tid is making, out of the table, if
 * the C library's probes gave it and the syscall confirmed it; else NULL
 * (and the entry, if any, dropped). */
static struct exec_entry *verified_entry(struct execsnoop *x, pid_t tid)
{
	struct exec_entry *e = entry_end(x, tid); /* NULL when a loss split it */

	if (e && !e->verified) {
		execsnoop_entry_clear(x, e);
		e = NULL;
	}
	return e;
}

static void on_sched_exec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	pid_t pid = (pid_t)snoop_field_s64(r, x->f_exec_pid);
	pid_t old = (pid_t)snoop_field_s64(r, x->f_exec_oldpid);
	struct exec_entry *e = x->libc ? verified_entry(x, old ? old : pid) : NULL;
	size_t n;
	const char *f = snoop_field_str(r, x->f_exec_fname, &n);

	(void)s;
	snoop_tasks_on_exec(x->tasks, r);
	if (x->nheld)
		execsnoop_proof_event(x, pid, r->ts);
	/* Without one, no argument came from the kernel: the formatter reads
	 * /proc. */
	if (!e)
		e = entry_blank(x, pid);
	/* A thread other than the leader took the process's PID. */
	e->tid = pid;
	free(e->filename);
	e->filename = f ? execsnoop_dup(x, f, n) : NULL;
	e->fname_src = f ? SRC_SCHED : SRC_NONE;
	e->is_at = false; /* the kernel's name is already whole */
	execsnoop_emit(x, r, e, 0);
	execsnoop_entry_clear(x, e);
}

static void on_sys_enter(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct exec_entry *e = snoop_pairs_peek(x->pairs, r->pid);
	bool at = strcmp(snoop_event_name(r->ev), "sys_enter_execveat") == 0;
	uint64_t fp = snoop_field_u64(r, at ? x->f_enter_at_fname : x->f_enter_fname);
	uint64_t ap = snoop_field_u64(r, at ? x->f_enter_at_argv : x->f_enter_argv);

	(void)s;
	/* The C library's probes fired just before, in this thread, with the
	 * very pointers the kernel now got: what they read is this exec's. */
	if (e && e->libc && e->have_ptrs && !e->verified && e->is_at == at && e->fname_ptr == fp &&
	    e->argv_ptr == ap && e->slot.loss_seq == snoop_session_loss_seq(x->s)) {
		e->verified = true;
		return;
	}
	if (e && e->libc)
		x->st.libc_unmatched++;
	e = entry_new(x, r->pid, r->ts);
	e->seen = true;
	e->is_at = at;
	e->fname_ptr = fp;
	e->argv_ptr = ap;
}

static void on_sys_exit_failed(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct tep_format_field *f = r->ev == x->ev_exit_at ? x->f_ret_at : x->f_ret;
	long ret = (long)snoop_field_s64(r, f);
	struct exec_entry *e = snoop_pairs_peek(x->pairs, r->pid);
	uint64_t fp, ap;
	bool at;

	(void)s;
	if (!e)
		return;
	fp = e->fname_ptr;
	ap = e->argv_ptr;
	at = e->is_at;
	e = entry_end(x, r->pid);
	if (ret >= 0) {
		if (e)
			execsnoop_entry_clear(x, e);
		return;
	}
	if (e && e->verified) {
		e->fname_src = e->filename ? SRC_LIBC : SRC_NONE;
	} else {
		/* No call seen by the C library's probes (a static program, a
		 * raw syscall), or split from it by a loss: the caller's
		 * memory, read now, marked. */
		if (e)
			execsnoop_entry_clear(x, e);
		e = entry_blank(x, r->pid);
		e->seen = true;
		e->is_at = at;
		e->fname_ptr = fp;
		e->argv_ptr = ap;
		fill_from_mem(x, e);
	}
	execsnoop_emit(x, r, e, ret);
	execsnoop_entry_clear(x, e);
}

/*
 * Uprobes on the C library's execve and execveat: glibc's execvp, execl*,
 * posix_spawn and system() all end in one of them (execvp calls execve once
 * per PATH candidate, each with its own file name), so their arguments are
 * read at the call, before the kernel acts. A record is only used when the
 * syscall that follows in the same thread receives the same pointers.
 */
static int setup_libc(struct execsnoop *x)
{
	struct snoop_usym us[2] = { { "execve", 0 }, { "execveat", 0 } };
	struct entry_site w;
	pid_t target = x->a.common.pid;

	/* With -p, the C library the process maps (maybe a container's). */
	x->libc_path = target ? snoop_uprobe_find_libc(target) : NULL;
	if (!x->libc_path)
		x->libc_path = snoop_uprobe_find_libc(0);
	if (!x->libc_path || snoop_uprobe_offsets(x->libc_path, us, 2) < 0 || !us[0].off) {
		snoop_warn(x->s, "no C library with an execve symbol found: arguments from /proc only");
		return 0;
	}
	size_string_probes(x);
	for (int at = 0; at < 2; at++) {
		if (!us[at].off)
			continue; /* glibc before 2.34 has no execveat() */
		site_uprobe(&w, x->libc_path, us[at].off, at);
		if (add_entry_probes(x, &w, at) < 0)
			return -1;
	}
	x->libc = true;
	return 0;
}

/* A process's end (sched_process_exit) or rename (task_rename): a held
 * line's read of its PID is not proven past it (the PID may have gone to
 * another process, the name changed). The task itself records them, so
 * they pass -p's filter where a PID reuser's task_newtask does not. */
static void on_sched_exit(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct tep_format_field *f = strcmp(snoop_event_name(r->ev), "task_rename") ? x->f_exit_pid : x->f_rename_pid;

	(void)s;
	if (x->nheld)
		execsnoop_proof_event(x, (pid_t)snoop_field_s64(r, f), r->ts);
}

static int setup_fallback(struct execsnoop *x)
{
	struct snoop_event *ev = snoop_session_tracepoint(x->s, "sched", "sched_process_exec", on_sched_exec, x);

	if (!ev)
		return -1;
	x->f_exec_fname = snoop_event_field(ev, "filename");
	x->f_exec_pid = snoop_event_field(ev, "pid");
	x->f_exec_oldpid = snoop_event_field(ev, "old_pid");
	ev = snoop_session_tracepoint(x->s, "sched", "sched_process_exit", on_sched_exit, x);
	if (!ev)
		return -1;
	x->f_exit_pid = snoop_event_field(ev, "pid");
	/* A rename changes /proc/PID/comm: the fexecve name read there. */
	ev = snoop_session_tracepoint_opt(x->s, "task", "task_rename", on_sched_exit, x);
	if (!ev && snoop_session_has_event(x->s, "task", "task_rename"))
		return -1;
	x->f_rename_pid = ev ? snoop_event_field(ev, "pid") : NULL;
	if (snoop_session_features(x->s)->uprobe_events && snoop_uprobe_arg_reg(2) && !x->o->no_libc &&
	    setup_libc(x) < 0)
		return -1;
	if (!x->o->failed && !x->libc)
		return 0;
	ev = snoop_session_tracepoint(x->s, "syscalls", "sys_enter_execve", on_sys_enter, x);
	if (!ev)
		return -1;
	x->f_enter_fname = snoop_event_field(ev, "filename");
	x->f_enter_argv = snoop_event_field(ev, "argv");
	ev = snoop_session_tracepoint(x->s, "syscalls", "sys_enter_execveat", on_sys_enter, x);
	if (!ev)
		return -1;
	x->f_enter_at_fname = snoop_event_field(ev, "filename");
	x->f_enter_at_argv = snoop_event_field(ev, "argv");
	if (!x->o->failed)
		return 0;
	x->ev_exit = snoop_session_tracepoint(x->s, "syscalls", "sys_exit_execve", on_sys_exit_failed, x);
	x->ev_exit_at = snoop_session_tracepoint(x->s, "syscalls", "sys_exit_execveat", on_sys_exit_failed, x);
	if (!x->ev_exit || !x->ev_exit_at)
		return -1;
	x->f_ret = snoop_event_field(x->ev_exit, "ret");
	x->f_ret_at = snoop_event_field(x->ev_exit_at, "ret");
	/* Successful execs are reported by sched_process_exec. */
	if (snoop_event_filter(x->ev_exit, "ret < 0") < 0 || snoop_event_filter(x->ev_exit_at, "ret < 0") < 0)
		return -1;
	return 0;
}

int execsnoop_setup(struct snoop_session *s, void *ctx)
{
	struct execsnoop *x = ctx;
	const struct snoop_features *feat = snoop_session_features(s);
	const struct arch_regs *a = this_arch();
	struct snoop_event *ev;

	x->s = s;
	x->uid_off = -1;
	/* -n matches the name after the exec, in user space. */
	snoop_session_common_filters(s, SNOOP_FILTER_PID);
	x->entry_size = entry_bytes(x->o->max_args);
	x->pairs = snoop_pairs_new(x->entry_size, 0, execsnoop_entry_drop, x);
	x->blank = calloc(1, x->entry_size);
	if (!x->pairs || !x->blank) {
		snoop_err(s, "out of memory");
		return -1;
	}
	execsnoop_entry_wire(x, x->blank);

	x->kprobes = feat->kprobe_events && a && !x->o->force_fallback;
	if (!x->kprobes && !x->o->force_fallback) {
		struct utsname u;
		char why[128];

		if (!feat->kprobe_events)
			snprintf(why, sizeof(why), "kprobe events are not available on this kernel (CONFIG_KPROBE_EVENTS)");
		else
			snprintf(why, sizeof(why), "the kprobe path supports x86_64 and aarch64, not %s",
				 uname(&u) < 0 ? "this architecture" : u.machine);
		snoop_warn(s, "%s: arguments from uprobes on the C library's exec calls, else read from /proc (marked [late])",
			   why);
	}
	/* PPID: the task cache follows forks (its own handler, below), so that
	 * it is right even for processes gone by the time their line is
	 * printed; sched_process_exec feeds it on the fallback path. The UID
	 * comes from the kernel with the kprobe path (commit_creds(), when
	 * BTF says where struct cred keeps it), else from /proc: the cache
	 * then keeps it, so that it is read once per process that was there
	 * before the trace, not per exec. */
	if (x->kprobes)
		x->uid_off = execsnoop_cred_uid_offset();
	x->tasks = snoop_session_tasks(s, SNOOP_TASKS_SAVED | (execsnoop_need_uid(x) && x->uid_off < 0 ? SNOOP_TASKS_UID : 0));
	ev = x->tasks ? snoop_session_tracepoint(s, "task", "task_newtask", on_newtask, x) : NULL;
	if (!ev)
		return -1;
	x->f_newtask_pid = snoop_event_field(ev, "pid");
	snoop_session_on_batch(s, execsnoop_on_batch, x);
	return x->kprobes ? setup_kprobes(x, a) : setup_fallback(x);
}
