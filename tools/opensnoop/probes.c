// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What opensnoop asks the kernel for, and how records become opens.
 *
 * With kprobe events: one kprobe on the function every open, openat,
 * openat2 and creat goes through (do_sys_openat2 on 5.6+, do_sys_open
 * before) fetches dfd, the path as a user string, flags, mode and comm at
 * the syscall's entry, where the path is the one the kernel will resolve
 * (libbpf-tools reads it at the same point; perf-tools' kretprobe on getname
 * gives the copy, but matches it to the result in awk). The result comes from
 * the syscalls:sys_exit_* tracepoints, matched to the entry by TID: a thread
 * has at most one open in flight.
 *
 * Without kprobe events: the syscalls:sys_enter_* tracepoints give dfd,
 * flags and mode but the path only as a user address; --libc adds uprobes
 * on the C library's open functions, which fetch the string in the caller's
 * context, matched to the syscall by TID and by that very address.
 *
 * Losses: an entry recorded before a loss and an exit after it may not
 * belong together (the exit of the first and the entry of the next open may
 * be what was lost), so such a pair is not trusted: the entry is reported as
 * an open without a result, the exit as one without a path ("path_status":
 * "lost"). Every entry and exit the kernel gave is in exactly one line: an
 * entry whose exit never came (lost; a 32-bit program, whose syscalls the
 * syscall tracepoints skip; in flight at the end) is reported when the next
 * entry of its thread takes its slot, or at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <event-parse.h>

#include <snoop/syscall.h>
#include <snoop/tracefs.h>

#include "opensnoop.h"

/* The syscalls opensnoop reports; not every architecture has the first two. */
static const char *const syscalls[4] = { "open", "creat", "openat", "openat2" };

/*
 * opensnoop's own records (its reads of /proc and of the kernel's saved
 * tables for comm, UID and -F: a few per task it meets) are dropped by the
 * handlers (x->self), not in the kernel. A filter "common_pid != PID" made
 * the kernel write every record of every task to a per-CPU scratch record
 * first and copy it into the ring buffer only if it passed;
 * set_event_notrace_pid costs nothing per record, but the instance's
 * removal then clears its pid lists with RCU grace periods: about 85 ms
 * more at the end on 6.18 (teardown 2.6x the kernel's minimum).
 */

/* ---- the exit: every path ends here ---------------------------------- */

static void on_exit_tp(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	int i = snoop_syscall_of(x->sc, 4, r);
	long ret;
	struct open_entry *e, none = { 0 };
	struct open_event ev;

	if (i < 0 || r->pid == x->self)
		return;
	ret = (long)snoop_field_s64(r, x->sc[i].ret);
	/* An entry split from this exit by a loss is not trusted (see the
	 * top of this file): the pairing reports it on its own. */
	e = snoop_pairs_exit(x->a.pairs, r->pid, snoop_session_loss_seq(s));
	if (e && !e->entered) {
		/* Only a --libc path, no syscall entry: not this open's. */
		opensnoop_entry_free(e);
		e = NULL;
	}
	if (!e) {
		x->entry_missing++;
		/* With a path pattern the kernel drops the entries that do not
		 * match, so an exit alone is most likely one of those. */
		if (x->o->glob)
			return;
		none.slot.tid = r->pid;
		none.dfd = -1;
		none.pstatus = PATH_LOST;
		e = &none;
	}
	if (!(x->o->failed && ret >= 0)) {
		ev = (struct open_event){
			.ts = r->ts, .tid = r->pid, .syscall = x->sc[i].name, .exited = true, .ret = ret, .e = e
		};
		opensnoop_emit(x, &ev);
	}
	opensnoop_entry_free(e);
}

void opensnoop_report_no_exit(struct opensnoop *x, const struct open_entry *e)
{
	struct open_event ev = {
		.ts = e->slot.ts,
		.tid = e->slot.tid,
		.syscall = e->sys >= 0 ? x->sc[e->sys].name : NULL,
		.exited = false,
		.e = e,
	};

	/* -x: the kernel drops the successful exits, so an entry alone is
	 * most likely a success. */
	if (x->o->failed)
		return;
	x->exit_missing++;
	opensnoop_emit(x, &ev);
}

/* ---- kprobe path ------------------------------------------------------ */

static void on_entry_kprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	struct open_entry *e;
	const char *p, *c;
	size_t n, cn;

	(void)s;
	if (r->pid == x->self)
		return;
	e = opensnoop_entry_new(x, r->pid, r->ts);
	/* Fields not fetched (see setup_kprobe()) are not printed either. */
	e->dfd = x->f_dfd ? (int)(int32_t)snoop_field_u64(r, x->f_dfd) : -100;
	if (x->f_flags) {
		e->flags = snoop_field_u64(r, x->f_flags) & 0xffffffffu;
		e->mode = snoop_field_u64(r, x->f_mode) & 07777;
		e->flags_known = true;
	}
	e->entered = true;
	p = snoop_field_str(r, x->f_fname, &n);
	opensnoop_entry_path(x, e, p, n);
	c = x->f_comm ? snoop_field_str(r, x->f_comm, &cn) : NULL;
	if (c) {
		cn = cn > 15 ? 15 : cn;
		memcpy(e->comm, c, cn);
		e->comm[cn] = '\0';
	}
}

/* Is SYM a function of the running kernel? Names only: kallsyms hides the
 * addresses from us under lockdown, not the names. -1: cannot tell. */
static int kernel_has_symbol(const char *sym)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	size_t n = strlen(sym);
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* "ADDR T NAME[\t[MODULE]]\n" */
		char *name = strchr(line, ' ');

		if (!name || !(name = strchr(name + 1, ' ')))
			continue;
		name++;
		if (strncmp(name, sym, n) == 0 && (name[n] == '\n' || name[n] == '\t' || name[n] == '\0')) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The kernel can fetch user strings with "ustring" since 5.5; before that
 * "string" read user memory on x86 too. */
static const char *string_type(struct opensnoop *x)
{
	char path[512], *readme;
	const char *t = "string";

	snprintf(path, sizeof(path), "%s/README", snoop_session_tracing_dir(x->s));
	readme = snoop_read_file(path, NULL);
	if (readme && strstr(readme, "ustring"))
		t = "ustring";
	free(readme);
	return t;
}

/* Where a kernel's kprobe fetch args come from: $argN, else the registers
 * of the kernel's architecture. */
enum { ABI_ARGN, ABI_X86_64, ABI_ARM64 };

struct open_fn {
	const char *func;
	/* By ABI: the dirfd, the path (%s: the string type) and flags with
	 * mode. Only what the options in force print is fetched. */
	const char *dfd[3], *path[3], *flags[3];
};

static const struct open_fn open_fns[] = {
	/* 5.6+: do_sys_openat2(int dfd, const char __user *filename,
	 *                      struct open_how *how); how->flags at 0, ->mode at 8 */
	{ "do_sys_openat2",
	  { "dfd=$arg1:s32", "dfd=%di:s32", "dfd=%x0:s32" },
	  { "filename=+0($arg2):%s", "filename=+0(%%si):%s", "filename=+0(%%x1):%s" },
	  { "flags=+0($arg3):x64 mode=+8($arg3):x64", "flags=+0(%dx):x64 mode=+8(%dx):x64",
	    "flags=+0(%x2):x64 mode=+8(%x2):x64" } },
	/* 3.x-5.5: do_sys_open(int dfd, const char __user *filename, int flags,
	 *                      umode_t mode) */
	{ "do_sys_open",
	  { "dfd=$arg1:s32", "dfd=%di:s32", "dfd=%x0:s32" },
	  { "filename=+0($arg2):%s", "filename=+0(%%si):%s", "filename=+0(%%x1):%s" },
	  { "flags=$arg3:x32 mode=$arg4:x16", "flags=%dx:x32 mode=%cx:x16", "flags=%x2:x32 mode=%x3:x16" } },
};

static int setup_kprobe(struct opensnoop *x)
{
	const struct snoop_features *feat = snoop_session_features(x->s);
	const struct open_fn *fn = NULL;
	struct snoop_event *ev;
	struct snoop_buf args;
	int abi;

	for (size_t i = 0; i < sizeof(open_fns) / sizeof(open_fns[0]); i++) {
		int has = kernel_has_symbol(open_fns[i].func);

		/* Unknown (no kallsyms): try the newest and let the kernel say. */
		if (has != 0) {
			fn = &open_fns[i];
			break;
		}
	}
	if (!fn) {
		snoop_err(x->s, "none of do_sys_openat2, do_sys_open is in /proc/kallsyms: use --tracepoint");
		return -1;
	}
	if (feat->kprobe_args) {
		abi = ABI_ARGN;
	} else {
		/* The kernel's calling convention: its architecture, not the
		 * one this binary was built for. */
		struct utsname u;

		if (uname(&u) < 0)
			snprintf(u.machine, sizeof(u.machine), "?");
		if (strcmp(u.machine, "x86_64") == 0) {
			abi = ABI_X86_64;
		} else if (strcmp(u.machine, "aarch64") == 0) {
			abi = ABI_ARM64;
		} else {
			snoop_err(x->s, "this kernel has no $argN kprobe fetch args, and opensnoop knows no registers "
				  "for %s: use --tracepoint", u.machine);
			return -1;
		}
	}
	/* The path and the name always; the dirfd for -F and JSON, flags and
	 * mode for -e and JSON: each fetch is work in the opening thread. */
	snoop_buf_init(&args);
	snoop_buf_printf(&args, fn->path[abi], string_type(x));
	snoop_buf_adds(&args, " comm=$comm");
	if (x->a.common.json || x->o->full_path)
		snoop_buf_printf(&args, " %s", fn->dfd[abi]);
	if (x->a.common.json || x->o->extended)
		snoop_buf_printf(&args, " %s", fn->flags[abi]);
	ev = snoop_buf_failed(&args) ? NULL
				     : snoop_session_kprobe(x->s, "open", fn->func, snoop_buf_cstr(&args), false,
							    on_entry_kprobe, x);
	snoop_buf_free(&args);
	if (!ev)
		return -1;
	x->kfunc = fn->func;
	x->f_dfd = snoop_event_field(ev, "dfd");
	x->f_fname = snoop_event_field(ev, "filename");
	x->f_flags = snoop_event_field(ev, "flags");
	x->f_mode = snoop_event_field(ev, "mode");
	x->f_comm = snoop_event_field(ev, "comm");
	if (x->kernel_glob) {
		char filter[300];

		snprintf(filter, sizeof(filter), "filename ~ \"%s\"", x->o->glob);
		return snoop_event_filter(ev, filter);
	}
	return 0;
}

/* ---- tracepoint fallback ---------------------------------------------- */

static void on_entry_tp(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	int i = snoop_syscall_of(x->sc, 4, r);
	struct open_entry *e;
	uint64_t uptr = 0;
	char *path = NULL;
	size_t pathlen = 0;
	struct snoop_task t;

	if (i < 0 || r->pid == x->self)
		return;
	e = opensnoop_entry_peek(x, r->pid);
	if (x->f_en_fname[i])
		uptr = snoop_field_u64(r, x->f_en_fname[i]);
	/* Keep a --libc path only when it was fetched for this very string
	 * and no loss came in between: taken over into the syscall's entry. */
	if (e && e->pstatus == PATH_OK && !e->entered && e->uptr == uptr && uptr &&
	    e->slot.loss_seq == snoop_session_loss_seq(s)) {
		path = e->path;
		pathlen = e->pathlen;
		e->path = NULL;
	}
	e = opensnoop_entry_new(x, r->pid, r->ts);
	e->path = path;
	e->pathlen = pathlen;
	e->pstatus = path ? PATH_OK : PATH_UNAVAILABLE;
	e->sys = (signed char)i;
	e->entered = true;
	e->dfd = x->f_en_dfd[i] ? (int)(int32_t)snoop_field_u64(r, x->f_en_dfd[i]) : -100;
	e->mode = x->f_en_mode[i] ? snoop_field_u64(r, x->f_en_mode[i]) & 07777 : 0;
	e->flags_known = true;
	if (x->f_en_flags[i]) {
		e->flags = snoop_field_u64(r, x->f_en_flags[i]) & 0xffffffffu;
	} else if (strcmp(syscalls[i], "creat") == 0) {
		e->flags = 01 | 0100 | 01000; /* O_WRONLY|O_CREAT|O_TRUNC, by definition */
	} else {
		/* openat2: flags and mode are in a user struct open_how that
		 * the tracepoint does not copy. */
		e->flags_known = false;
		e->flags = e->mode = 0;
	}
	/* The name now, while the thread exists: the task cache follows its
	 * exec and rename in the kernel's records, else asks the kernel's
	 * saved_cmdlines, else /proc. */
	snoop_tasks_get(x->tasks, r->pid, &t);
	memcpy(e->comm, t.comm, sizeof(e->comm));
}

int opensnoop_setup(struct opensnoop *x)
{
	const struct snoop_features *feat = snoop_session_features(x->s);
	int nexit = 0;

	x->kprobes = feat->kprobe_events && !x->o->force_tracepoint;
	/* Only the kprobe's path is filtered in the kernel: a --libc path is
	 * attached to its syscall in user space. */
	x->kernel_glob = x->kprobes && x->o->glob && opensnoop_glob_kernel_safe(x->o->glob);
	if (!x->kprobes && x->o->glob && !x->o->libc) {
		snoop_err(x->s, "a PATTERN needs the path, which the syscall tracepoints do not give (%s)",
			  x->o->force_tracepoint ? "--tracepoint" : "no kprobe events on this kernel");
		return -1;
	}
	if (!x->kprobes && !x->o->force_tracepoint)
		snoop_warn(x->s, "kprobe events are not available on this kernel (CONFIG_KPROBE_EVENTS%s): "
			   "using the syscall tracepoints, which give no path%s",
			   feat->lockdown ? ", or lockdown" : "",
			   x->o->libc ? "; paths from uprobes on the C library (--libc)"
				      : ": add --libc for paths of dynamically linked programs");

	x->self = getpid();
	/* Threads' processes and names, also for threads that are gone when
	 * their opens are printed: the task cache follows fork, exec and
	 * rename, and turns on the kernel's saved_tgids for the rest. */
	if (opensnoop_tables_init(x) < 0)
		return -1;

	if (x->kprobes) {
		if (setup_kprobe(x) < 0)
			return -1;
		if (x->o->full_path && opensnoop_setup_dentry(x) < 0)
			return -1;
	} else if (x->o->libc && opensnoop_setup_libc(x) < 0) {
		return -1;
	}
	/* The results: the exits alone on the kprobe path, whose entry
	 * record holds all the tracepoint's entry would (one record less per
	 * open); the pairs on the tracepoint path. Not every architecture has
	 * open and creat. */
	for (int i = 0; i < 4; i++) {
		struct snoop_syscall *sc = &x->sc[i];

		if (snoop_session_syscall(x->s, sc, syscalls[i],
					  SNOOP_SYSCALL_OPTIONAL | (x->kprobes ? SNOOP_SYSCALL_EXIT_ONLY : 0),
					  on_entry_tp, on_exit_tp, x) < 0)
			return -1;
		if (!sc->exit)
			continue;
		nexit++;
		if (x->o->failed && snoop_event_filter(sc->exit, "ret < 0") < 0)
			return -1;
		if (!sc->enter)
			continue;
		x->f_en_dfd[i] = snoop_event_field(sc->enter, "dfd");
		x->f_en_fname[i] = snoop_event_field(sc->enter, "filename");
		if (!x->f_en_fname[i])
			x->f_en_fname[i] = snoop_event_field(sc->enter, "pathname");
		x->f_en_flags[i] = snoop_event_field(sc->enter, "flags");
		x->f_en_mode[i] = snoop_event_field(sc->enter, "mode");
	}
	if (!nexit) {
		snoop_err(x->s, "no syscalls:sys_exit_open* tracepoints (CONFIG_FTRACE_SYSCALLS): cannot get results");
		return -1;
	}
	return 0;
}
