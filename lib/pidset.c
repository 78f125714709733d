// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -p PID: the threads of one process, those it has at the start and those
 * it creates later.
 *
 * The kernel filters on set_event_pid, a list of TIDs. Written once at the
 * start, it would miss every thread created afterwards (a server's worker
 * pool). With options/event-fork the kernel adds each child of a listed
 * task as it is forked, threads and processes alike, and drops tasks as
 * they exit. So the kernel keeps the superset, and the records of child
 * processes are dropped here: a TID is ours when
 *   - it was a thread of PID at the start (/proc/PID/task), or
 *   - task:task_newtask says a thread of ours created it with CLONE_THREAD,
 *   - or, for a TID seen before its task_newtask record (another CPU's
 *     buffer, read in a later batch) or whose record was lost,
 *     /proc/TID/status says its Tgid is PID.
 * A TID of a child process is remembered as not ours, so /proc is read at
 * most once per task. Memory is bounded: past PIDSET_MAX entries the
 * remembered non-members are forgotten (they are looked up again).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PIDSET_MIN 64u
#define PIDSET_MAX (1u << 20)
#define CLONE_THREAD_FLAG 0x00010000ull

/* Slot values: 0 empty, +tid a thread of the process, -tid not one. */
static size_t slot_of(const struct snoop_pidset *ps, pid_t tid)
{
	size_t mask = ps->cap - 1;
	size_t i = ((size_t)tid * 2654435761u) & mask;

	while (ps->slots[i] && ps->slots[i] != tid && ps->slots[i] != -tid)
		i = (i + 1) & mask;
	return i;
}

static int rehash(struct snoop_pidset *ps, size_t cap, bool keep_others)
{
	pid_t *old = ps->slots;
	size_t oldcap = ps->cap;

	ps->slots = calloc(cap, sizeof(*ps->slots));
	if (!ps->slots) {
		ps->slots = old;
		return -1;
	}
	ps->cap = cap;
	ps->used = 0;
	for (size_t i = 0; i < oldcap; i++) {
		pid_t v = old[i];

		if (v > 0 || (v < 0 && keep_others)) {
			ps->slots[slot_of(ps, v > 0 ? v : -v)] = v;
			ps->used++;
		}
	}
	free(old);
	return 0;
}

/* Record tid as ours (member) or not. */
static void pidset_put(struct snoop_pidset *ps, pid_t tid, bool member)
{
	size_t i;

	if (tid <= 0)
		return;
	if ((ps->used + 1) * 4 > ps->cap * 3) {
		if (ps->cap < PIDSET_MAX)
			rehash(ps, ps->cap * 2, true);
		else
			rehash(ps, ps->cap, false); /* forget the non-members */
		if ((ps->used + 1) * 4 > ps->cap * 3)
			return; /* only members, and a million of them: give up on this one */
	}
	i = slot_of(ps, tid);
	if (!ps->slots[i])
		ps->used++;
	ps->slots[i] = member ? tid : -tid;
}

int snoop_pidset_init(struct snoop_pidset *ps, pid_t pid, struct snoop_buf *tids)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	memset(ps, 0, sizeof(*ps));
	ps->pid = pid;
	ps->cap = PIDSET_MIN;
	ps->slots = calloc(ps->cap, sizeof(*ps->slots));
	if (!ps->slots)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		pidset_put(ps, (pid_t)tid, true);
		snoop_buf_printf(tids, "%ld ", tid);
	}
	closedir(d);
	return 0;
}

void snoop_pidset_free(struct snoop_pidset *ps)
{
	free(ps->slots);
	ps->slots = NULL;
	ps->cap = ps->used = 0;
}

/* Tgid of a task from /proc/TID/status: works for any thread, listed in
 * /proc or not; 0 when the task is gone. */
static pid_t proc_tgid(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

bool snoop_pidset_has(struct snoop_pidset *ps, pid_t tid)
{
	pid_t v = ps->slots[slot_of(ps, tid)], tgid;

	if (v)
		return v > 0;
	tgid = proc_tgid(tid);
	if (!tgid) {
		/* Gone before its record was read, and its task_newtask not
		 * seen: nothing says it was ours. Not remembered: a late
		 * task_newtask can still make it a member. */
		ps->unknown++;
		return false;
	}
	pidset_put(ps, tid, tgid == ps->pid);
	return tgid == ps->pid;
}

void snoop_pidset_newtask(struct snoop_pidset *ps, pid_t parent, pid_t child, uint64_t clone_flags)
{
	/* A thread of ours creating a thread: ours. Anything else (a child
	 * process, or a thread of one) is not, whatever the slot said: the
	 * TID may be a reused one. */
	bool member = (clone_flags & CLONE_THREAD_FLAG) && snoop_pidset_has(ps, parent);

	pidset_put(ps, child, member);
}
