/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Containers by cgroup: which cgroup a task is in, at the time of each of
 * its events, in one cgroup hierarchy (the session's).
 *
 * The kernel says it in its own records, so the cache follows them:
 *
 *	cgroup:cgroup_attach_task    a process (or thread) written into a
 *	                             cgroup's cgroup.procs/tasks file: dst_root
 *	                             (the hierarchy), dst_id (the cgroup's ID,
 *	                             its directory's inode), dst_path
 *	cgroup:cgroup_transfer_tasks v1 cpuset moving tasks (same fields)
 *	task:task_newtask            a child is in its parent's cgroup, except
 *	                             with clone3's CLONE_INTO_CGROUP, which no
 *	                             event names: then the child's cgroup is
 *	                             read from /proc and marked late
 *
 * The start state is read from the hierarchy itself just after tracing is
 * switched on: every cgroup directory's cgroup.threads (v2) or tasks (v1)
 * lists the TIDs in it, so every thread of the box has its cgroup with one
 * read per cgroup; a move after that read comes as an event. A task the
 * events and that read did not show (it was created in a lost stretch, or
 * CLONE_INTO_CGROUP) is looked up in /proc/TID/cgroup (source "proc",
 * marked '*'), and one gone by then is unknown ('?'), never guessed.
 *
 * Hierarchies: cgroup v2 mounted at /sys/fs/cgroup, or at
 * /sys/fs/cgroup/unified on hybrid hosts, and the v1 hierarchies (one per
 * controller set, e.g. /sys/fs/cgroup/memory). A --cgroup PATH given in
 * full names its hierarchy; a relative one (or one starting with '/' that
 * is not under a cgroup mount) is tried in v2 first, then in each v1
 * hierarchy, and the first that has the directory holds it.
 */
#ifndef SNOOP_CGROUP_H
#define SNOOP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/options.h>
#include <snoop/task.h>

struct snoop_session;
struct snoop_buf;
struct snoop_json;
struct snoop_record;

/* One mounted cgroup hierarchy. */
struct snoop_cgroup_hier {
	char mnt[256];   /* where it is mounted, e.g. /sys/fs/cgroup/unified */
	char root[256];  /* the mount's root inside the hierarchy ("/" mostly) */
	int id;          /* the kernel's hierarchy ID: 0 for v2, N of N:ctrl:/path */
	bool v2;
	char name[64];   /* "v2", or the v1 controllers ("memory", "name=systemd") */
};

/*
 * Resolve a --cgroup PATH against the mounted hierarchies (mountinfo and
 * self_cgroup: the texts of /proc/self/mountinfo and /proc/self/cgroup, so
 * that tests can give their own). On success *h is the hierarchy, rel the
 * cgroup's path in it as the kernel writes it ("/a/b") and *id its ID;
 * returns 0. Else -1 and a one-line reason in err.
 */
int snoop_cgroup_resolve(const char *mountinfo, const char *self_cgroup, const char *path,
			 struct snoop_cgroup_hier *h, char *rel, size_t reln, uint64_t *id, char *err,
			 size_t errn);
/* The hierarchy -C shows without --cgroup: v2, else name=systemd, else the
 * first v1 one. -1 when no cgroup hierarchy is mounted. */
int snoop_cgroup_default(const char *mountinfo, const char *self_cgroup, struct snoop_cgroup_hier *h);

/*
 * A path made short for a column: a container scope becomes its runtime's
 * name and the first 12 hex digits of its ID ("docker-0123456789ab",
 * "cri-containerd-…", "crio-…", "libpod-…"), and a Kubernetes pod's
 * cgroups "kubepods[-QOS]/pod<first 8 of the UID>[/container]". Anything
 * else is the path as it is. Raw bytes in dst, NUL-terminated.
 */
void snoop_cgroup_short(const char *path, char *dst, size_t n);

/* ---- the cache (no session needed: unit-testable) ---------------------- */

struct snoop_cgroups;

/* proc_dir: "/proc" (NULL: no /proc fallback, for tests). */
struct snoop_cgroups *snoop_cgroups_new(const struct snoop_cgroup_hier *h, const char *proc_dir);
void snoop_cgroups_free(struct snoop_cgroups *c);
/* Only tasks in the cgroup at rel (ID id) or below pass snoop_cgroups_match(). */
int snoop_cgroups_add_target(struct snoop_cgroups *c, const char *rel, uint64_t id);
/* Read the start state from the mounted hierarchy: -1 (errno) when its
 * root cannot be read. */
int snoop_cgroups_scan(struct snoop_cgroups *c);

/* What the kernel said. attach: pid's process (every thread, when pid is
 * its leader) is now in cgroup id at path; hier: the record's dst_root
 * (other hierarchies are ignored). */
void snoop_cgroups_attach(struct snoop_cgroups *c, int hier, uint64_t id, const char *path, size_t len, pid_t pid,
			  bool whole_process);
/* A task created: the child is in the parent's cgroup, unless
 * CLONE_INTO_CGROUP put it elsewhere. */
void snoop_cgroups_fork(struct snoop_cgroups *c, pid_t parent, pid_t child, uint64_t clone_flags);
/* A task's cgroup learned outside the events (tests, the scan). */
void snoop_cgroups_set(struct snoop_cgroups *c, pid_t tid, uint64_t id, const char *path, enum snoop_task_src src);

/* Fill t's cgroup fields (t->tid given); false when unknown. */
bool snoop_cgroups_get(struct snoop_cgroups *c, struct snoop_task *t);
/* 1: the task is in a target cgroup or below, 0: it is not, -1: unknown. */
int snoop_cgroups_match(struct snoop_cgroups *c, pid_t tid);
/* How many cgroups the cache holds (those no task points to are dropped as
 * the table fills: a long trace keeps what is live, not every cgroup seen). */
size_t snoop_cgroups_held(const struct snoop_cgroups *c);

/* From records of the events above. */
void snoop_cgroups_on_attach(struct snoop_cgroups *c, const struct snoop_record *r);
void snoop_cgroups_on_newtask(struct snoop_cgroups *c, const struct snoop_record *r);

/* ---- with a session ----------------------------------------------------- */

/*
 * The session's cgroup cache: set up by snoop_session_start() when
 * --cgroup or -C was given (NULL otherwise). The session records the
 * events above itself and drops, before any handler, the records of tasks
 * outside the --cgroup targets (and of tasks whose cgroup is unknown,
 * counted and said at the end): that filter runs in user space, see
 * snoop_session_start() in session.c for why not in the kernel.
 */
struct snoop_cgroups *snoop_session_cgroups(struct snoop_session *s);
/* Fill t's cgroup fields from the session's cache (nothing without it). */
void snoop_session_task_cgroup(struct snoop_session *s, struct snoop_task *t);
/* -C: the CGROUP cell of TID, after the time columns ("" without -C); the
 * header is written by snoop_session_put_time_header(). */
void snoop_session_put_cgroup(struct snoop_session *s, struct snoop_buf *b, pid_t tid);
/* -C: "cgroup", "cgroup_id", "cgroup_source" of TID (nothing without -C). */
void snoop_session_json_cgroup(struct snoop_session *s, struct snoop_json *j, pid_t tid);
/* The same two for a task whose cgroup fields are already filled (a line
 * printed after its record was handled: see snoop_task_cgroup_keep). */
void snoop_session_put_task_cgroup(struct snoop_session *s, struct snoop_buf *b, const struct snoop_task *t);
void snoop_session_json_task_cgroup(struct snoop_session *s, struct snoop_json *j, const struct snoop_task *t);

/*
 * A line held back to be printed later (execsnoop holds lines until a late
 * read is proven) must show the cgroup of when its record was handled: by
 * print time the task may have moved, and the cache may have dropped the
 * cgroup. Fill t with snoop_session_task_cgroup() when the record is
 * handled; keep copies t's strings into k (t then points there) when the
 * line is held. Out of memory: the cgroup becomes unknown, not wrong.
 */
struct snoop_cgroup_keep {
	char *path, *shortp;
};
void snoop_task_cgroup_keep(struct snoop_task *t, struct snoop_cgroup_keep *k);
void snoop_cgroup_keep_free(struct snoop_cgroup_keep *k);

/*
 * Counts keyed by cgroup (--by cgroup, --top -C): the cgroups seen get
 * small numbers, so that a count table keys by an int and prints the name
 * at the end. The key of TID's cgroup now: 0 when unknown (or without the
 * cache: neither --cgroup, -C nor opts.need_cgroup), -1 out of memory.
 * Two keys for one cgroup: as the kernel's events placed the task, and as
 * read late from /proc (the task may have moved since: its name ends with
 * '*', as in the CGROUP column).
 */
int snoop_session_cgroup_key(struct snoop_session *s, pid_t tid);
/* The key's name: the short path (snoop_cgroup_short), "?" for 0. Raw
 * bytes (escape them); valid until the session is closed. */
const char *snoop_session_cgroup_name(struct snoop_session *s, int key);
/* The key in JSON: "cgroup" (the full path, null for 0), "cgroup_id" and
 * "cgroup_late" (true: read late from /proc, the task may have moved). */
void snoop_session_json_cgroup_key(struct snoop_session *s, struct snoop_json *j, int key);
/* --top -C: TID's cgroup name as the first field of a key being built in
 * b (the name, then the NUL that separates it from the next field). */
void snoop_session_top_cgroup(struct snoop_session *s, struct snoop_buf *b, pid_t tid);

#endif
