/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Leftovers: what a snoopkit process killed by SIGKILL leaves in tracefs.
 * Every name we create carries the owner's PID: instances snoop_<tool>_<pid>
 * and dynamic-event groups snoop_<pid>. An owner is alive when the PID exists
 * and runs a snoopkit tool; anything else named snoop_* with a PID is stale.
 * Names that do not parse are never touched.
 */
#ifndef SNOOP_SWEEP_H
#define SNOOP_SWEEP_H

#include <stdbool.h>
#include <sys/types.h>

/* "snoop_execsnoop_123" -> tool "execsnoop", pid 123. 0 on success. */
int snoop_parse_instance_name(const char *name, char *tool, size_t toollen, pid_t *pid);
/* "snoop_123" -> pid 123. 0 on success. */
int snoop_parse_group_name(const char *group, pid_t *pid);
/* One line of dynamic_events/kprobe_events/uprobe_events -> group and event.
 * "p:snoop_12/exec __x64_sys_execve ..." -> "snoop_12", "exec". 0 on success. */
int snoop_parse_dynevent_line(const char *line, char *group, size_t glen,
			      char *event, size_t elen);

bool snoop_owner_alive(pid_t pid);

enum snoop_sweep_mode {
	SNOOP_SWEEP_DEAD,   /* only leftovers of dead owners (start-up) */
	SNOOP_SWEEP_LIST,   /* remove nothing, report all (live and dead) */
};

struct snoop_sweep_report {
	int instances_found, instances_removed;
	int events_found, events_removed;
	int failures;       /* removals that failed (each named on stderr) */
	int read_errno;     /* tracefs could not be listed or read: errno */
};

/*
 * The distinct PIDs of live snoopkit tools that own instances or events in
 * tracing_dir, except except_pid: at most max in pids. Returns their count
 * (which may exceed max: only max were stored).
 */
int snoop_sweep_live_owners(const char *tracing_dir, pid_t except_pid, pid_t *pids, int max);

/*
 * Sweep tracing_dir. except_pid (our own) is never touched. With verbose,
 * prints one line per leftover on stderr ("removed instance ..."). The
 * report counts what was found/removed.
 */
int snoop_sweep(const char *tracing_dir, enum snoop_sweep_mode mode, pid_t except_pid,
		bool verbose, struct snoop_sweep_report *rep);

#endif
