// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opensnoop's per-thread state, bounded whatever the workload (a fork bomb
 * of openers included):
 *
 *  - opens in flight: the library's entry/exit pairing (snoop/pair.h), one
 *    slot per TID. An entry that leaves it without its exit (lost, split
 *    from its exit by a loss, evicted, still waiting at the end) is still
 *    reported, without a result: opensnoop_entry_drop().
 *  - a thread's process and name: the session's task cache (snoop/task.h),
 *    which follows fork, exec and rename in the kernel's own records.
 *  - a thread's UID: the task cache too (read from /proc, no event carries
 *    it; kept per task while the cache follows forks and set*uid() calls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/tracefs.h>

#include "opensnoop.h"

/*
 * Exec names a process after the last component of the file name it was
 * exec'd by, except for fexecve() and execveat(fd, "", AT_EMPTY_PATH),
 * whose file name is "/dev/fd/N": Linux 6.14 and later take the name of
 * the file's dentry there, which the event does not carry. The cache is
 * then told the name is unknown (the kernel's saved_cmdlines or /proc say
 * it at the next lookup) rather than given "N".
 */
static bool fd_path(const char *file, size_t n)
{
	size_t i = 8;

	n = strnlen(file, n);
	if (n <= i || memcmp(file, "/dev/fd/", i) != 0)
		return false;
	while (i < n && file[i] >= '0' && file[i] <= '9')
		i++;
	return i == n;
}

static void on_exec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	size_t n = 0;
	const char *file = x->f_exec_file ? snoop_field_str(r, x->f_exec_file, &n) : NULL;

	(void)s;
	if (!x->f_exec_pid)
		return;
	if (file && fd_path(file, n))
		file = NULL;
	snoop_tasks_exec(x->tasks, (pid_t)snoop_field_s64(r, x->f_exec_pid),
			 x->f_exec_old_pid ? (pid_t)snoop_field_s64(r, x->f_exec_old_pid) : 0, file, n);
}

int opensnoop_tables_init(struct opensnoop *x)
{
	struct snoop_event *ev;

	/* The library follows fork and rename (and set*uid() when a UID is
	 * printed or matched), opensnoop exec (see above). */
	x->tasks = snoop_session_tasks(x->s, (SNOOP_TASKS_ALL & ~SNOOP_TASKS_EXEC) |
						     (opensnoop_need_uid(x) ? SNOOP_TASKS_UID : 0));
	if (!x->tasks)
		return -1;
	ev = snoop_session_tracepoint_opt(x->s, "sched", "sched_process_exec", on_exec, x);
	if (!ev)
		return snoop_session_has_event(x->s, "sched", "sched_process_exec") ? -1 : 0;
	x->f_exec_pid = snoop_event_field(ev, "pid");
	x->f_exec_old_pid = snoop_event_field(ev, "old_pid");
	x->f_exec_file = snoop_event_field(ev, "filename");
	return 0;
}

/* At the end of the run. */
void opensnoop_tables_free(struct opensnoop *x)
{
	/* With --top the table has had its last print: the opens still in
	 * flight are freed, not reported. */
	if (x->a.table && x->a.pairs) {
		x->closing = true;
		snoop_pairs_flush(x->a.pairs);
	}
	snoop_buf_free(&x->top_key);
}

/* A copy of a path (no NUL inside its n bytes). Out of memory (or p NULL:
 * another allocation failed): NULL, the run ends with exit status 1, the
 * path shown as missing. */
char *opensnoop_dup(struct opensnoop *x, const char *p, size_t n)
{
	char *d = p ? strndup(p, n) : NULL;

	if (d)
		return d;
	if (!x->oom)
		snoop_session_fail(x->s, "out of memory: stopping");
	x->oom = true;
	return NULL;
}

void opensnoop_entry_path(struct opensnoop *x, struct open_entry *e, const char *p, size_t n)
{
	e->path = p ? opensnoop_dup(x, p, n) : NULL;
	e->pathlen = e->path ? n : 0;
	e->pstatus = e->path ? PATH_OK : PATH_FAULT;
}

void opensnoop_entry_free(struct open_entry *e)
{
	free(e->path);
	free(e->kpath);
	e->path = e->kpath = NULL;
}

void opensnoop_entry_drop(void *ctx, void *entry, enum snoop_pair_drop why)
{
	struct opensnoop *x = ctx;
	struct open_entry *e = entry;

	if (why == SNOOP_PAIR_EVICTED)
		x->entry_evicted++;
	if (why == SNOOP_PAIR_SPLIT && e->entered)
		x->stale_dropped++;
	/* Only a --libc path without its syscall entry is not an open. */
	if (e->entered && !x->closing)
		opensnoop_report_no_exit(x, e);
	opensnoop_entry_free(e);
}

struct open_entry *opensnoop_entry_new(struct opensnoop *x, pid_t tid, uint64_t ts)
{
	struct open_entry *e = snoop_pairs_enter(x->a.pairs, tid, ts, snoop_session_loss_seq(x->s));

	e->sys = -1;
	return e;
}

struct open_entry *opensnoop_entry_peek(struct opensnoop *x, pid_t tid)
{
	return snoop_pairs_peek(x->a.pairs, tid);
}
