/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Task identity: a thread's process ID (TGID) and name (comm) for a record
 * that carries only the TID (common_pid), and where each value came from.
 *
 * The kernel's own records are the truth at the time of an event; anything
 * read later may belong to a later life of the task (an exec, a rename, a
 * reused PID). So the cache learns first from events the session records:
 *
 *	task:task_newtask       a new thread or process, its comm, CLONE_THREAD
 *	sched:sched_process_exec the new comm (the file's base name) and the
 *	                        TID that becomes the process's only thread
 *	task:task_rename        prctl(PR_SET_NAME), writes to /proc/PID/comm
 *
 * and, for tasks that the events did not show, falls back to what the
 * kernel saved (saved_tgids, with the instance's options/record-tgid;
 * saved_cmdlines, which the kernel fills for every task it records) and
 * last to /proc. Every value says which, so a tool can mark late reads.
 *
 * Two ways to use it:
 *  - snoop_session_tasks(s, SNOOP_TASKS_ALL) before start: the library
 *    records the three events (optional: missing ones are skipped) and
 *    feeds the cache itself;
 *  - a tool that records one of those events for its own purpose (execsnoop
 *    and sched_process_exec) leaves its bit out and calls the matching
 *    snoop_tasks_exec()/..._fork()/..._rename() from its handler.
 */
#ifndef SNOOP_TASK_H
#define SNOOP_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct snoop_session;
struct snoop_record;
struct snoop_json;
struct snoop_buf;

/* Where a value came from, best first. */
enum snoop_task_src {
	SNOOP_TASK_UNKNOWN = 0, /* nobody knows: print "?" */
	SNOOP_TASK_EVENT,       /* a kernel record of this session */
	SNOOP_TASK_SAVED,       /* the kernel's saved_cmdlines/saved_tgids */
	SNOOP_TASK_PROC,        /* /proc, read after the event: may be late */
	SNOOP_TASK_START,       /* read when the trace started, then followed
				 * by events (the cgroup: snoop/cgroup.h) */
};

#define SNOOP_COMM_LEN 16

struct snoop_task {
	pid_t tid;
	pid_t tgid;                  /* 0 when unknown */
	pid_t ppid;                  /* the parent process, 0 when unknown */
	char comm[SNOOP_COMM_LEN];   /* "" when unknown; raw bytes, not escaped */
	enum snoop_task_src tgid_src, comm_src, ppid_src;
	/* With --cgroup or -C (snoop/cgroup.h), else 0/NULL/unknown: the
	 * cgroup's ID and its path in the session's hierarchy (valid until
	 * the session closes; raw bytes, not escaped). */
	uint64_t cgroup_id;
	const char *cgroup;
	const char *cgroup_short;    /* snoop_cgroup_short() of it, or NULL */
	enum snoop_task_src cgroup_src;
};

/* "event", "saved", "proc", "start", or NULL for unknown: the JSON *_source values. */
const char *snoop_task_src_name(enum snoop_task_src src);

/* ---- the cache (no session needed: unit-testable) ---------------------- */

struct snoop_tasks;

/* slots: how many TIDs are remembered (0: a default of 8192); a new TID
 * takes the place of an old one with the same hash. proc_dir and
 * tracing_dir may be NULL (no fallback of that kind): tests point them at
 * fake trees. */
struct snoop_tasks *snoop_tasks_new(size_t slots, const char *proc_dir, const char *tracing_dir);
void snoop_tasks_free(struct snoop_tasks *t);

/* What an event said about TID (tgid 0 / comm NULL: it did not say). */
void snoop_tasks_note(struct snoop_tasks *t, pid_t tid, pid_t tgid, const char *comm, size_t len);
/* task_newtask: PARENT (a thread) created CHILD: a thread of PARENT's
 * process when thread is true, else a process whose parent is PARENT's
 * process (CLONE_PARENT aside); named comm. */
void snoop_tasks_fork(struct snoop_tasks *t, pid_t parent, pid_t child, bool thread, const char *comm,
		      size_t len);
/* sched_process_exec: OLD_PID exec'd FILENAME and is now PID, its process's
 * only thread, named after the file's base name (the kernel's rule), except
 * for /dev/fd/N (fexecve): its comm is left unknown for the fallbacks. */
void snoop_tasks_exec(struct snoop_tasks *t, pid_t pid, pid_t old_pid, const char *filename, size_t len);
void snoop_tasks_rename(struct snoop_tasks *t, pid_t tid, const char *comm, size_t len);

/*
 * What is known of TID: the cache (events), then the kernel's saved tables,
 * then /proc (when the task still exists). Fallback values are cached with
 * their source, so /proc is read once per TID. Always fills *out; returns
 * true when both the TGID and the comm are known. The PPID comes from a
 * fork event or /proc only (the kernel saves no table of it); it is looked
 * up only by snoop_tasks_get_ppid(), which costs a /proc read when the fork
 * was not seen.
 */
bool snoop_tasks_get(struct snoop_tasks *t, pid_t tid, struct snoop_task *out);

bool snoop_tasks_get_ppid(struct snoop_tasks *t, pid_t tid, struct snoop_task *out);

/*
 * The real UID of TID (the first number of the "Uid:" line of
 * /proc/TID/status), -1 when the task is gone. Read late, like every /proc
 * value (a zombie still has one); one read(2) into the stack.
 */
long snoop_proc_uid(pid_t tid);

/*
 * The real UID of TID (or, when the thread is gone, of its process TGID;
 * 0: not known), -1 when unknown. Every value comes from /proc, so it is
 * printed marked, but when the cache follows UIDs (SNOOP_TASKS_UID) it is
 * read once per task that was there before the trace, not once per line:
 * a task the trace saw created has its creator's UID (a fork copies the
 * credentials, and an exec keeps the real UID, set-user-ID or not), until
 * it calls setuid(), setreuid() or setresuid(), after which its own
 * /proc is read again. A loss of records forgets every UID kept (they may
 * have hidden such a call). Not seen: the 32-bit compat calls, which the
 * syscall tracepoints do not show. Without SNOOP_TASKS_UID, every call
 * reads /proc.
 *
 * The cache must then be told of every fork (SNOOP_TASKS_FORK, or the
 * tool's own snoop_tasks_on_newtask()) and exec. t NULL: /proc each time.
 */
long snoop_tasks_get_uid(struct snoop_tasks *t, pid_t tid, pid_t tgid);
/* For tests, and snoop_session_tasks(): keep UIDs, told of every change
 * by snoop_tasks_setuid() (a set*uid() call of TID that returned 0) and
 * snoop_tasks_lost() (records were lost). */
void snoop_tasks_follow_uid(struct snoop_tasks *t);
void snoop_tasks_setuid(struct snoop_tasks *t, pid_t tid);
void snoop_tasks_lost(struct snoop_tasks *t);

/* Let snoop_tasks_get() fill the cgroup fields from c too (NULL: not). */
struct snoop_cgroups;
void snoop_tasks_set_cgroups(struct snoop_tasks *t, struct snoop_cgroups *c);

struct snoop_tasks_stats {
	uint64_t from_event, from_saved, from_proc, unknown; /* comm lookups by source */
	uint64_t uid_proc_reads;                             /* /proc reads for a UID */
};
void snoop_tasks_get_stats(const struct snoop_tasks *t, struct snoop_tasks_stats *st);

/* ---- with a session ---------------------------------------------------- */

enum snoop_tasks_follow {
	SNOOP_TASKS_FORK = 1 << 0,   /* record task:task_newtask */
	SNOOP_TASKS_EXEC = 1 << 1,   /* record sched:sched_process_exec */
	SNOOP_TASKS_RENAME = 1 << 2, /* record task:task_rename */
	SNOOP_TASKS_SAVED = 1 << 3,  /* options/record-tgid on in the instance */
	SNOOP_TASKS_ALL = 0xf,
	/* Keep real UIDs (snoop_tasks_get_uid()): record the exits of
	 * setuid(), setreuid() and setresuid(). Skipped, and every UID read
	 * from /proc, when the kernel has no syscall tracepoints. */
	SNOOP_TASKS_UID = 1 << 4,
};

/*
 * The session's task cache, created on the first call (before start) and
 * freed by snoop_session_close(). follow says which events the library
 * records for it; an event the kernel lacks is skipped (its values then
 * come from the fallbacks). NULL (message printed) on failure.
 */
struct snoop_tasks *snoop_session_tasks(struct snoop_session *s, unsigned int follow);

/* For a tool's own handler of those events: feed the cache from a record. */
void snoop_tasks_on_newtask(struct snoop_tasks *t, const struct snoop_record *r);
void snoop_tasks_on_exec(struct snoop_tasks *t, const struct snoop_record *r);
void snoop_tasks_on_rename(struct snoop_tasks *t, const struct snoop_record *r);
/* SNOOP_TASKS_UID's events (snoop_session_tasks() calls it). */
int snoop_tasks_follow_setuid(struct snoop_tasks *t, struct snoop_session *s);

#endif
