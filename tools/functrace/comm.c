// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Task names. Function-tracer records carry only the pid, so the name comes
 * from here: /proc/PID/comm the first time a pid is seen, then kept current
 * by the sched_process_fork (a new task's name, even if it is gone by the
 * time its calls are printed), sched_process_exec and task_rename events of
 * the same instance, which are ordered with the calls by the reader.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/tracefs.h>

#include "functrace.h"

#define COMM_SLOTS 65536 /* direct-mapped by pid: a collision only costs a /proc read */
#define COMM_LEN 16

struct comm_slot {
	int pid;              /* 0: empty */
	char comm[COMM_LEN];
};

struct ft_comms {
	struct comm_slot *slots;
	struct tep_format_field *f_fork_pid, *f_fork_comm;
	struct tep_format_field *f_exec_pid, *f_exec_oldpid, *f_exec_file;
	struct tep_format_field *f_ren_pid, *f_ren_comm;
};

struct ft_comms *ft_comms_new(void)
{
	struct ft_comms *c = calloc(1, sizeof(*c));

	if (c && !(c->slots = calloc(COMM_SLOTS, sizeof(*c->slots)))) {
		free(c);
		c = NULL;
	}
	return c;
}

void ft_comms_free(struct ft_comms *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

void ft_comm_set(struct ft_comms *c, int pid, const char *comm, size_t len)
{
	struct comm_slot *sl = &c->slots[(unsigned int)pid % COMM_SLOTS];

	if (len > COMM_LEN - 1)
		len = COMM_LEN - 1;
	sl->pid = pid;
	memcpy(sl->comm, comm, len);
	sl->comm[len] = '\0';
}

const char *ft_comm(struct ft_comms *c, int pid)
{
	struct comm_slot *sl = &c->slots[(unsigned int)pid % COMM_SLOTS];
	char path[64];
	size_t len;
	char *s;

	if (sl->pid == pid && pid)
		return sl->comm;
	if (pid == 0) {
		/* The idle task is "swapper/N" per CPU; one name is enough. */
		ft_comm_set(c, 0, "swapper", 7);
		return "swapper";
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	s = snoop_read_file(path, &len);
	if (s) {
		ft_comm_set(c, pid, s, strcspn(s, "\n"));
		free(s);
	} else {
		/* Gone before we saw it fork: remember that we tried. */
		ft_comm_set(c, pid, "?", 1);
	}
	return sl->comm;
}

/* Every task's name now: a task that exits before its calls are read has
 * no /proc entry left to ask, and existing tasks send no fork event.
 * only_missing keeps the names already known. */
void ft_comms_scan(struct ft_comms *c, bool only_missing)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *t;
	char path[128];

	if (!proc)
		return;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((t = readdir(task))) {
			int pid = atoi(t->d_name);
			size_t len;
			char *s;

			if (pid <= 0)
				continue;
			if (only_missing && c->slots[(unsigned int)pid % COMM_SLOTS].pid == pid)
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%d/comm", p->d_name, pid);
			s = snoop_read_file(path, &len);
			if (s) {
				ft_comm_set(c, pid, s, strcspn(s, "\n"));
				free(s);
			}
		}
		closedir(task);
	}
	closedir(proc);
}

static void on_fork(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct ft_comms *c = ctx;
	size_t n;
	const char *comm = snoop_field_str(r, c->f_fork_comm, &n);

	(void)s;
	if (comm)
		ft_comm_set(c, (int)snoop_field_s64(r, c->f_fork_pid), comm, n);
}

static void on_exec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct ft_comms *c = ctx;
	size_t n;
	const char *file = snoop_field_str(r, c->f_exec_file, &n);
	const char *base;

	(void)s;
	if (!file)
		return;
	/* The kernel names the task after the file's last component. */
	base = memrchr(file, '/', n);
	base = base ? base + 1 : file;
	n -= (size_t)(base - file);
	ft_comm_set(c, (int)snoop_field_s64(r, c->f_exec_pid), base, n);
	ft_comm_set(c, (int)snoop_field_s64(r, c->f_exec_oldpid), base, n);
}

static void on_rename(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct ft_comms *c = ctx;
	size_t n;
	const char *comm = snoop_field_str(r, c->f_ren_comm, &n);

	(void)s;
	/* Newer kernels dropped the pid field: the task renames itself. */
	if (comm)
		ft_comm_set(c, c->f_ren_pid ? (int)snoop_field_s64(r, c->f_ren_pid) : r->pid, comm, n);
}

int ft_comms_track(struct ft_comms *c, struct snoop_session *s)
{
	struct snoop_event *ev;
	char path[512];

	ev = snoop_session_tracepoint(s, "sched", "sched_process_fork", on_fork, c);
	if (!ev)
		return -1;
	c->f_fork_pid = snoop_event_field(ev, "child_pid");
	c->f_fork_comm = snoop_event_field(ev, "child_comm");
	ev = snoop_session_tracepoint(s, "sched", "sched_process_exec", on_exec, c);
	if (!ev)
		return -1;
	c->f_exec_pid = snoop_event_field(ev, "pid");
	c->f_exec_oldpid = snoop_event_field(ev, "old_pid");
	c->f_exec_file = snoop_event_field(ev, "filename");
	/* prctl(PR_SET_NAME) and friends; not fatal where it is missing
	 * (a failed declaration would end the session, so look first). */
	snprintf(path, sizeof(path), "%s/events/task/task_rename/format", snoop_session_tracing_dir(s));
	if (access(path, F_OK) != 0)
		return 0;
	ev = snoop_session_tracepoint(s, "task", "task_rename", on_rename, c);
	if (ev) {
		c->f_ren_pid = snoop_event_field(ev, "pid");
		c->f_ren_comm = snoop_event_field(ev, "newcomm");
	}
	return 0;
}
