// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who a record's task is. Function-tracer and kprobe records carry only the
 * pid, so the name comes from the session's task cache (snoop/task.h): the
 * fork, exec and rename events of the same instance, which the reader
 * orders with the calls (a task's name as it was at the call, even if it is
 * gone by the time the call is printed), then the kernel's saved_cmdlines,
 * then /proc (read late: marked in text, see snoop/columns.h).
 */
#include <string.h>

#include "functrace.h"

int ft_tasks_track(struct functrace *ft)
{
	ft->tasks = snoop_session_tasks(ft->s, SNOOP_TASKS_ALL);
	return ft->tasks ? 0 : -1;
}

void ft_task(struct functrace *ft, int pid, struct snoop_task *t)
{
	if (pid == 0) {
		/* The idle task is "swapper/N" per CPU; one name is enough. */
		memset(t, 0, sizeof(*t));
		memcpy(t->comm, "swapper", sizeof("swapper"));
		t->comm_src = SNOOP_TASK_EVENT;
		return;
	}
	snoop_tasks_get(ft->tasks, pid, t);
	if (t->comm_src == SNOOP_TASK_UNKNOWN)
		memcpy(t->comm, "?", 2);
}

/* -n: exact command name, checked here (the kernel's comm filter applies
 * to trace events, not to the function tracer or these kprobes). */
bool ft_comm_ok(struct functrace *ft, int pid)
{
	const char *want = ft->o->a.common.comm;
	struct snoop_task t;

	if (!want)
		return true;
	ft_task(ft, pid, &t);
	return strcmp(t.comm, want) == 0;
}
