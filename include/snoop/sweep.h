/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Leftovers: what a snoopkit session killed by SIGKILL leaves in tracefs,
 * and how another run tells a live session from a dead one.
 *
 * A session is known by its id "<token>_<pid>": 8 lowercase hex digits of
 * random token, so that two PID namespaces (two containers' PID 1) never
 * pick the same name, and the PID in the owner's namespace, for people.
 * Every name it creates carries the id:
 *   instance        snoop_<tool>_<token>_<pid>
 *   event group     snoop_<token>_<pid>          (kprobes, uprobes, ...)
 *   synthetic event snoop_<token>_<pid>_<suffix>
 * A live session always holds a file of its instance open, so the kernel
 * refuses rmdir of it (EBUSY): that, not a PID or a program name, is the
 * witness of life. An instance that rmdir removes was dead; a group or a
 * synthetic event is removed only when no instance carries its id.
 * Names that do not follow this grammar are never touched.
 */
#ifndef SNOOP_SWEEP_H
#define SNOOP_SWEEP_H

#include <stdbool.h>
#include <sys/types.h>

#define SNOOP_TOKEN_LEN 8
/* "<token>_<pid>" and its NUL */
#define SNOOP_SID_MAX (SNOOP_TOKEN_LEN + 1 + 10 + 1)

/* "snoop_execsnoop_0a1b2c3d_123" -> tool "execsnoop", sid "0a1b2c3d_123". */
int snoop_parse_instance_name(const char *name, char *tool, size_t toollen, char sid[SNOOP_SID_MAX]);
/* "snoop_0a1b2c3d_123" -> sid "0a1b2c3d_123". 0 on success. */
int snoop_parse_group_name(const char *group, char sid[SNOOP_SID_MAX]);
/* "snoop_0a1b2c3d_123_lat" -> sid "0a1b2c3d_123", *suffix "lat". */
int snoop_parse_synth_name(const char *name, char sid[SNOOP_SID_MAX], const char **suffix);
/* One line of dynamic_events/kprobe_events/uprobe_events -> group and event.
 * "p:snoop_0a1b2c3d_12/exec __x64_sys_execve ..." -> "snoop_0a1b2c3d_12", "exec". */
int snoop_parse_dynevent_line(const char *line, char *group, size_t glen,
			      char *event, size_t elen);

/*
 * A synthetic event named <group>_restore_<option> records that a session
 * turned the global options/<option> on: whoever removes the dead
 * session's leftovers (its reaper, a later sweep, snoop-reset) writes 0
 * to it first. tracefs is the one place every PID and mount namespace
 * sharing it can read.
 */
#define SNOOP_RESTORE_PREFIX "restore_"

/*
 * Several live sessions may need the same global option on (two functrace
 * -s): each holds its own record, and the option is turned off only by
 * whoever removes the last one. The records are read and changed under
 * snoop_option_lock(), an flock on the top-level options/<option> file
 * itself: every PID and mount namespace sharing tracefs sees that lock.
 */
/* The lock's fd (close() releases it), or -1 (no such option file). */
int snoop_option_lock(const char *tracing_dir, const char *option);
/* Does a session other than except_sid (NULL: any) hold a record of option? */
bool snoop_option_recorded(const char *tracing_dir, const char *option, const char *except_sid);

/*
 * A synthetic event named <group>_triggers records that a session put hist
 * triggers in its instance. The kernel refuses to remove an instance that
 * holds one (rmdir: EBUSY), so for such a session EBUSY does not prove an
 * owner: the sweep then asks who holds the instance open (from the initial
 * PID namespace only, where every process is visible), and clears the
 * triggers of one nobody holds before its rmdir.
 */
#define SNOOP_TRIGGERS_RECORD "triggers"

enum snoop_sweep_mode {
	SNOOP_SWEEP_DEAD,   /* remove what dead sessions left (start-up) */
	SNOOP_SWEEP_LIST,   /* remove nothing, report all (live and dead) */
};

struct snoop_sweep_report {
	int instances_found, instances_removed, instances_alive;
	int events_found, events_removed;   /* probes and synthetic events */
	int options_restored;
	int failures;       /* removals that failed (each named on stderr) */
	int read_errno;     /* tracefs could not be listed or read: errno */
};

/*
 * Sweep tracing_dir: every instance of the grammar that rmdir removes
 * (never quiesced first: a live one answers EBUSY and is left alone), then
 * the synthetic events and probes whose instance is gone, restoring the
 * options their records name. except_sid (NULL: none) is never touched.
 * With verbose, one line per leftover on stderr.
 */
int snoop_sweep(const char *tracing_dir, enum snoop_sweep_mode mode, const char *except_sid,
		bool verbose, struct snoop_sweep_report *rep);

/*
 * Remove what one session (sid; its instance name, NULL if unknown) left:
 * instance, synthetic events (restoring what they record), probes. If the
 * instance is still held open (EBUSY) nothing else is touched and 1 is
 * returned; 0 when done, -1 on failures (counted in rep). owner_dead: the
 * caller knows the owner has ended (its reaper), so an EBUSY that hist
 * triggers cause is cleared without asking who holds the instance.
 */
int snoop_sweep_session(const char *tracing_dir, const char *instance, const char *sid, bool owner_dead,
			bool verbose, struct snoop_sweep_report *rep);

/*
 * The processes visible here that hold a file of the instance open, as
 * the kernel says (/proc/PID/fd links into instances/<instance>/ on the
 * tracefs mount), except except_pid: at most max in pids. Returns their
 * count (which may exceed max).
 */
int snoop_sweep_holders(const char *tracing_dir, const char *instance, pid_t except_pid, pid_t *pids,
			int max);

/* Does pid (seen from here) hold a file of the instance open? */
bool snoop_sweep_holds(const char *tracing_dir, const char *instance, pid_t pid);

#endif
