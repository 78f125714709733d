// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What execsnoop asks the kernel for, and how records become execs.
 *
 * With kprobe events: kprobes on the architecture's execve/execveat syscall
 * entry read the filename and the arguments as user strings through the
 * pt_regs pointer the syscall wrapper receives (kernels 4.17+), split over
 * several probes at the same address so that one event stays well under a
 * ring-buffer page; each argument's pointer is fetched too, so that a NULL
 * (end of argv) and a fault (page not yet in memory) can be told apart. The
 * result comes from the syscalls:sys_exit_execve(at) tracepoints, matched
 * per thread.
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

#include "execsnoop.h"

struct arch_regs {
	const char *machine;
	const char *execve, *execveat;
	/* Offsets in struct pt_regs of the first four syscall arguments. */
	int arg[4];
};

static const struct arch_regs arches[] = {
	/* x86_64: di, si, dx, r10 */
	{ "x86_64", "__x64_sys_execve", "__x64_sys_execveat", { 112, 104, 96, 56 } },
	/* arm64: regs[0..3] */
	{ "aarch64", "__arm64_sys_execve", "__arm64_sys_execveat", { 0, 8, 16, 24 } },
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

#define ENTRY_SLOTS 1024
#define ENTRY_PROBE 16
#define FORK_SLOTS 65536


void execsnoop_entry_reset(struct execsnoop *x, struct exec_entry *e)
{
	for (int i = 0; i <= x->o->max_args; i++) {
		free(e->argv[i]);
		e->argv[i] = NULL;
		e->arglen[i] = 0;
		e->argstate[i] = ARG_END;
	}
	free(e->filename);
	e->filename = NULL;
	e->chunks_seen = 0;
	e->nargs = 0;
	e->used = false;
	e->fname_ptr = e->argv_ptr = 0;
}

static struct exec_entry *entry_find(struct execsnoop *x, pid_t tid, bool create, uint64_t ts)
{
	size_t h = (size_t)tid % ENTRY_SLOTS;
	struct exec_entry *victim = NULL;

	for (int i = 0; i < ENTRY_PROBE; i++) {
		struct exec_entry *e = &x->entries[(h + (size_t)i) % ENTRY_SLOTS];

		if (e->used && e->tid == tid)
			return e;
		if (!create)
			continue;
		if (!e->used) {
			if (!victim || victim->used)
				victim = e;
		} else if (!victim || (victim->used && e->ts < victim->ts)) {
			victim = e;
		}
	}
	if (!create)
		return NULL;
	/* Full: the oldest in-flight exec lost its exit (lost events). */
	if (victim->used)
		execsnoop_entry_reset(x, victim);
	victim->used = true;
	victim->tid = tid;
	victim->ts = ts;
	victim->loss_seq = snoop_session_loss_seq(x->s);
	return victim;
}

static void fork_note(struct execsnoop *x, pid_t child, pid_t parent)
{
	size_t h = (size_t)child % FORK_SLOTS;

	x->forks[h].child = child;
	x->forks[h].parent = parent;
}

static long proc_status_field(pid_t pid, const char *key)
{
	char path[64], *s, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s = snoop_read_file(path, NULL);
	if (!s)
		return -1;
	p = strstr(s, key);
	if (p)
		v = strtol(p + strlen(key), NULL, 10);
	free(s);
	return v;
}

pid_t execsnoop_ppid(struct execsnoop *x, pid_t pid)
{
	size_t h = (size_t)pid % FORK_SLOTS;
	long v;

	/* Seen forked during the session: right even if both are gone now. */
	if (x->forks[h].child == pid && x->forks[h].parent) {
		pid_t parent = x->forks[h].parent;
		/* The fork event names the forking thread: want its process. */
		v = proc_status_field(parent, "\nTgid:");
		return v > 0 ? (pid_t)v : parent;
	}
	v = proc_status_field(pid, "\nPPid:");
	return v >= 0 ? (pid_t)v : 0;
}

/* ---- kprobe path ------------------------------------------------------ */

static char *dup_bytes(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static void on_entry_chunk(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct exec_chunk *c = ctx;
	struct execsnoop *x = c->x;
	struct exec_entry *e = entry_find(x, r->pid, true, r->ts);
	int base = c->chunk * EXECSNOOP_ARGS_PER_PROBE;

	(void)s;
	/* The same chunk twice: the first exec's exit was lost. */
	if ((e->chunks_seen & (1u << c->chunk)) || e->is_at != c->at) {
		if (e->chunks_seen)
			execsnoop_entry_reset(x, e);
		e->used = true;
		e->tid = r->pid;
		e->loss_seq = snoop_session_loss_seq(x->s);
	}
	e->is_at = c->at;
	e->ts = r->ts;
	e->chunks_seen |= 1u << c->chunk;
	if (c->chunk == 0) {
		size_t n;
		const char *f = snoop_field_str(r, x->f_fname[c->at], &n);

		free(e->filename);
		e->filename = f ? dup_bytes(f, n) : NULL;
	}
	for (int j = 0; j < EXECSNOOP_ARGS_PER_PROBE && base + j <= x->o->max_args; j++) {
		int i = base + j;
		size_t n = 0;
		const char *a = snoop_field_str(r, x->f_args[c->at][c->chunk][j], &n);
		uint64_t ptr = snoop_field_u64(r, x->f_ptrs[c->at][c->chunk][j]);

		free(e->argv[i]);
		e->argv[i] = NULL;
		if (!ptr) {
			e->argstate[i] = ARG_END;
		} else if (!a) {
			e->argstate[i] = ARG_FAULT;
		} else {
			e->argstate[i] = ARG_OK;
			e->argv[i] = dup_bytes(a, n);
			e->arglen[i] = n;
		}
	}
}

static void finish(struct execsnoop *x, const struct snoop_record *r, long ret)
{
	struct exec_entry *e = entry_find(x, r->pid, false, 0);
	struct exec_entry tmp;

	/*
	 * Events were lost since this entry was recorded: its own exit may be
	 * among them, and this exit may belong to a later exec whose entry was
	 * lost. Pairing them could print one command's arguments under
	 * another's result, so trust the entry no more: start afresh.
	 */
	if (e && e->loss_seq != snoop_session_loss_seq(x->s)) {
		x->stale_dropped++;
		execsnoop_entry_reset(x, e);
		e = NULL;
	}
	if (!e) {
		/* The entry event was lost or too big for the buffer: all we
		 * know is that this thread exec'd; /proc may tell the rest. */
		if (ret < 0 && !x->o->failed)
			return;
		x->entry_missing++;
		e = entry_find(x, r->pid, true, r->ts);
		e->chunks_seen = 0;
	}
	if (ret < 0 && !x->o->failed) {
		execsnoop_entry_reset(x, e);
		return;
	}
	tmp = *e;
	execsnoop_emit(x, r, &tmp, ret);
	execsnoop_entry_reset(x, e);
}

static void on_exit_kprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct tep_format_field *f = r->ev == x->ev_exit_at ? x->f_ret_at : x->f_ret;

	(void)s;
	finish(x, r, (long)snoop_field_s64(r, f));
}

static void on_fork(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;

	(void)s;
	fork_note(x, (pid_t)snoop_field_s64(r, x->f_fork_child), (pid_t)snoop_field_s64(r, x->f_fork_parent));
}

static int add_entry_probes(struct execsnoop *x, const struct arch_regs *a, int at)
{
	const char *func = at ? a->execveat : a->execve;
	/* execve(filename, argv, envp); execveat(dfd, filename, argv, envp, flags) */
	int fname_off = a->arg[at ? 1 : 0], argv_off = a->arg[at ? 2 : 1];
	struct snoop_buf args;

	snoop_buf_init(&args);
	x->nprobes = (x->o->max_args + 1 + EXECSNOOP_ARGS_PER_PROBE - 1) / EXECSNOOP_ARGS_PER_PROBE;
	for (int c = 0; c < x->nprobes; c++) {
		char name[64];
		struct snoop_event *ev;

		snoop_buf_reset(&args);
		if (c == 0)
			snoop_buf_printf(&args, "filename=+0(+%d(%%di)):ustring ", fname_off);
		for (int j = 0; j < EXECSNOOP_ARGS_PER_PROBE; j++) {
			int i = c * EXECSNOOP_ARGS_PER_PROBE + j;

			if (i > x->o->max_args)
				break;
			/* argv[i] as a string, and the pointer itself. */
			snoop_buf_printf(&args, "a%d=+0(+%d(+%d(%%di))):ustring p%d=+%d(+%d(%%di)):x64 ", i, i * 8,
					 argv_off, i, i * 8, argv_off);
		}
		args.len--; /* trailing space */
		snprintf(name, sizeof(name), "%s_%d", at ? "execveat" : "execve", c);
		x->chunks[at][c] = (struct exec_chunk){ .x = x, .at = at, .chunk = c };
		ev = snoop_session_kprobe(x->s, name, func, snoop_buf_cstr(&args), false, on_entry_chunk,
					  &x->chunks[at][c]);
		if (!ev) {
			snoop_buf_free(&args);
			return -1;
		}
		if (c == 0)
			x->f_fname[at] = snoop_event_field(ev, "filename");
		for (int j = 0; j < EXECSNOOP_ARGS_PER_PROBE; j++) {
			char fn[16];
			int i = c * EXECSNOOP_ARGS_PER_PROBE + j;

			if (i > x->o->max_args)
				break;
			snprintf(fn, sizeof(fn), "a%d", i);
			x->f_args[at][c][j] = snoop_event_field(ev, fn);
			snprintf(fn, sizeof(fn), "p%d", i);
			x->f_ptrs[at][c][j] = snoop_event_field(ev, fn);
		}
	}
	snoop_buf_free(&args);
	return 0;
}

static int setup_kprobes(struct execsnoop *x, const struct arch_regs *a)
{
	/* Note: the pt_regs offsets in add_entry_probes() are written for the
	 * %di register of x86_64; arm64 passes the regs pointer in x0. */
	if (strcmp(a->machine, "x86_64") != 0) {
		snoop_err(x->s, "the kprobe path supports x86_64 only for now: use --tracepoint");
		return -1;
	}
	if (add_entry_probes(x, a, 0) < 0 || add_entry_probes(x, a, 1) < 0)
		return -1;
	x->ev_exit = snoop_session_tracepoint(x->s, "syscalls", "sys_exit_execve", on_exit_kprobe, x);
	x->ev_exit_at = snoop_session_tracepoint(x->s, "syscalls", "sys_exit_execveat", on_exit_kprobe, x);
	if (!x->ev_exit || !x->ev_exit_at)
		return -1;
	x->f_ret = snoop_event_field(x->ev_exit, "ret");
	x->f_ret_at = snoop_event_field(x->ev_exit_at, "ret");
	if (!x->o->failed) {
		/* Only successful execs are printed: let the kernel drop the
		 * others' exit records (their entries are reset by the next
		 * exec of the same thread). */
		if (snoop_event_filter(x->ev_exit, "ret == 0") < 0 ||
		    snoop_event_filter(x->ev_exit_at, "ret == 0") < 0)
			return -1;
	}
	return 0;
}

/* ---- tracepoint fallback ------------------------------------------------ */

/* Read a NUL-terminated string at addr in pid's memory. */
static char *read_user_string(int memfd, uint64_t addr, size_t *len)
{
	char buf[4096];
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
	return dup_bytes(buf, *len);
}

static void fill_from_mem(struct execsnoop *x, struct exec_entry *e)
{
	char path[64];
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)e->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	e->filename = read_user_string(fd, e->fname_ptr, &n);
	for (int i = 0; i <= x->o->max_args; i++) {
		uint64_t p = 0;

		e->argstate[i] = ARG_FAULT;
		if (fd < 0 || pread(fd, &p, sizeof(p), (off_t)(e->argv_ptr + 8u * (unsigned)i)) != sizeof(p))
			break;
		if (!p) {
			e->argstate[i] = ARG_END;
			break;
		}
		e->argv[i] = read_user_string(fd, p, &n);
		if (!e->argv[i])
			break;
		e->arglen[i] = n;
		e->argstate[i] = ARG_OK;
	}
	if (fd >= 0)
		close(fd);
	e->chunks_seen = 1;
}

static void on_sched_exec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct exec_entry *e = entry_find(x, (pid_t)snoop_field_s64(r, x->f_exec_pid), true, r->ts);
	size_t n;
	const char *f = snoop_field_str(r, x->f_exec_fname, &n);
	struct exec_entry tmp;

	(void)s;
	execsnoop_entry_reset(x, e);
	e->used = true;
	e->tid = (pid_t)snoop_field_s64(r, x->f_exec_pid);
	e->filename = f ? dup_bytes(f, n) : NULL;
	/* No argument came from the kernel: the formatter reads /proc. */
	e->chunks_seen = 0;
	tmp = *e;
	execsnoop_emit(x, r, &tmp, 0);
	execsnoop_entry_reset(x, e);
}

static void on_sys_enter(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct exec_entry *e = entry_find(x, r->pid, true, r->ts);
	bool at = strcmp(snoop_event_name(r->ev), "sys_enter_execveat") == 0;

	(void)s;
	execsnoop_entry_reset(x, e);
	e->used = true;
	e->tid = r->pid;
	e->ts = r->ts;
	e->fname_ptr = snoop_field_u64(r, at ? x->f_enter_at_fname : x->f_enter_fname);
	e->argv_ptr = snoop_field_u64(r, at ? x->f_enter_at_argv : x->f_enter_argv);
}

static void on_sys_exit_failed(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct execsnoop *x = ctx;
	struct tep_format_field *f = r->ev == x->ev_exit_at ? x->f_ret_at : x->f_ret;
	long ret = (long)snoop_field_s64(r, f);
	struct exec_entry *e = entry_find(x, r->pid, false, 0);
	struct exec_entry tmp;

	(void)s;
	if (!e || ret >= 0) {
		if (e)
			execsnoop_entry_reset(x, e);
		return;
	}
	/* A failed exec leaves the caller's memory as it was: read it now. */
	fill_from_mem(x, e);
	tmp = *e;
	execsnoop_emit(x, r, &tmp, ret);
	execsnoop_entry_reset(x, e);
}

static int setup_fallback(struct execsnoop *x)
{
	struct snoop_event *ev = snoop_session_tracepoint(x->s, "sched", "sched_process_exec", on_sched_exec, x);

	if (!ev)
		return -1;
	x->f_exec_fname = snoop_event_field(ev, "filename");
	x->f_exec_pid = snoop_event_field(ev, "pid");
	x->f_exec_oldpid = snoop_event_field(ev, "old_pid");
	if (!x->o->failed)
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

int execsnoop_setup(struct execsnoop *x)
{
	const struct snoop_features *feat = snoop_session_features(x->s);
	const struct arch_regs *a = this_arch();
	struct snoop_event *fork;

	x->entries = calloc(ENTRY_SLOTS, sizeof(*x->entries));
	x->forks = calloc(FORK_SLOTS, sizeof(*x->forks));
	if (!x->entries || !x->forks)
		abort();
	for (size_t i = 0; i < ENTRY_SLOTS; i++) {
		struct exec_entry *e = &x->entries[i];

		e->argv = calloc((size_t)x->o->max_args + 1, sizeof(*e->argv));
		e->arglen = calloc((size_t)x->o->max_args + 1, sizeof(*e->arglen));
		e->argstate = calloc((size_t)x->o->max_args + 1, 1);
		if (!e->argv || !e->arglen || !e->argstate)
			abort();
	}

	x->kprobes = feat->kprobe_events && a && !x->o->force_fallback;
	if (!x->kprobes && !x->o->force_fallback) {
		snoop_warn(x->s, "%s: using sched:sched_process_exec instead; arguments are read from "
			   "/proc while the process lives%s",
			   !feat->kprobe_events ? "kprobe events are not available on this kernel (CONFIG_KPROBE_EVENTS)"
						: "this architecture is not supported by the kprobe path",
			   x->o->failed ? ", failed execs from the caller's memory" : "");
	}
	/* PPID: remember who forked whom, so that it is right even for
	 * processes gone by the time their line is printed. */
	fork = snoop_session_tracepoint(x->s, "sched", "sched_process_fork", on_fork, x);
	if (!fork)
		return -1;
	x->f_fork_parent = snoop_event_field(fork, "parent_pid");
	x->f_fork_child = snoop_event_field(fork, "child_pid");
	return x->kprobes ? setup_kprobes(x, a) : setup_fallback(x);
}
