// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opensnoop's per-thread state, every table of fixed size so that memory
 * stays bounded whatever the workload (a fork bomb of openers included):
 *
 *  - opens in flight: one slot per TID, direct-mapped. A thread has at
 *    most one open in flight, so a colliding TID only evicts an entry
 *    whose exit is overdue (counted, shown with -v). An entry that leaves
 *    the table without its exit is still reported, without a result.
 *  - TID -> TGID for the threads alive at the start (a scan of /proc) and
 *    those created since (task:task_newtask, CLONE_THREAD), so that a
 *    thread gone by the time its opens are printed still gets its process.
 *  - TID -> UID/TGID read from /proc, cached for a second.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <snoop/tracefs.h>

#include "opensnoop.h"

#define ENTRY_SLOTS 4096u
#define THREAD_SLOTS 16384u
#define PROC_SLOTS 4096u
#define TGID_SLOTS 65536u
#define PROC_TTL_NS 1000000000ull

/* Every table, allocated once before tracing starts: a handler never has
 * to deal with a failed allocation of one. */
int opensnoop_tables_init(struct opensnoop *x)
{
	x->entries = calloc(ENTRY_SLOTS, sizeof(*x->entries));
	x->threads = calloc(THREAD_SLOTS, sizeof(*x->threads));
	x->procs = calloc(PROC_SLOTS, sizeof(*x->procs));
	x->tgids = calloc(TGID_SLOTS, sizeof(*x->tgids));
	if (!x->entries || !x->threads || !x->procs || !x->tgids) {
		snoop_err(x->s, "out of memory");
		return -1;
	}
	return 0;
}

/* A copy of a path (no NUL inside its n bytes). Out of memory: NULL, the
 * session stopped with exit status 1, the path shown as missing. */
char *opensnoop_dup(struct opensnoop *x, const char *p, size_t n)
{
	char *d = strndup(p, n);

	if (d)
		return d;
	if (!x->oom)
		snoop_err(x->s, "out of memory: stopping");
	x->oom = true;
	snoop_session_stop(x->s);
	return NULL;
}

void opensnoop_entry_clear(struct open_entry *e)
{
	free(e->path);
	free(e->kpath);
	memset(e, 0, sizeof(*e));
}

static struct open_entry *entry_slot(struct opensnoop *x, pid_t tid)
{
	return &x->entries[(unsigned int)tid % ENTRY_SLOTS];
}

struct open_entry *opensnoop_entry_get(struct opensnoop *x, pid_t tid, bool create)
{
	struct open_entry *e = entry_slot(x, tid);

	if (e->tid == tid)
		return e;
	if (!create)
		return NULL;
	return opensnoop_entry_new(x, tid);
}

struct open_entry *opensnoop_entry_new(struct opensnoop *x, pid_t tid)
{
	struct open_entry *e = entry_slot(x, tid);

	if (e->tid && e->tid != tid)
		x->entry_evicted++;
	if (e->tid && e->entered)
		opensnoop_report_no_exit(x, e);
	opensnoop_entry_clear(e);
	e->tid = tid;
	e->sys = -1;
	return e;
}

void opensnoop_entries_flush(struct opensnoop *x)
{
	if (!x->entries)
		return;
	for (size_t i = 0; i < ENTRY_SLOTS; i++) {
		if (x->entries[i].tid && x->entries[i].entered)
			opensnoop_report_no_exit(x, &x->entries[i]);
		opensnoop_entry_clear(&x->entries[i]);
	}
}

void opensnoop_thread_note(struct opensnoop *x, pid_t tid, pid_t tgid, const char *comm, size_t commlen)
{
	struct thread_slot *t;

	t = &x->threads[(unsigned int)tid % THREAD_SLOTS];
	t->tid = tid;
	t->tgid = tgid;
	commlen = comm ? strnlen(comm, commlen < 15 ? commlen : 15) : 0;
	memcpy(t->comm, comm ? comm : "", commlen);
	t->comm[commlen] = '\0';
	t->comm_ok = comm != NULL;
}

void opensnoop_comm_changed(struct opensnoop *x, pid_t tid, const char *comm, size_t commlen)
{
	struct thread_slot *t = x->threads ? &x->threads[(unsigned int)tid % THREAD_SLOTS] : NULL;

	if (!t || t->tid != tid)
		return;
	t->comm_ok = comm != NULL;
	if (comm) {
		commlen = strnlen(comm, commlen < 15 ? commlen : 15);
		memcpy(t->comm, comm, commlen);
		t->comm[commlen] = '\0';
	}
}

void opensnoop_comm_exec(struct opensnoop *x, pid_t pid, pid_t old_pid, const char *comm, size_t commlen)
{
	/* A non-leader thread that execs takes over the leader's TID: its old
	 * TID is gone. */
	if (old_pid != pid)
		opensnoop_comm_changed(x, old_pid, NULL, 0);
	/* After the exec PID is its thread group's leader: noted even when
	 * no slot knew it (task_newtask filtered out by -n), so that its
	 * opens get the new name after it is gone. Unknown: /proc is asked at
	 * the next open; the name the exec's task_rename gave (the kernel
	 * reports the exec's renaming too, but with the old comm, so -n drops
	 * it) is kept for when the process is gone by then. */
	if (comm)
		opensnoop_thread_note(x, pid, pid, comm, commlen);
	else
		opensnoop_comm_changed(x, pid, NULL, 0);
}

/* Called once tracing is on: threads created before the scan are in it,
 * the ones created after come through task_newtask. */
void opensnoop_threads_scan(struct opensnoop *x)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *t;
	char path[64];

	if (!proc)
		return;
	while ((p = readdir(proc))) {
		pid_t tgid = (pid_t)strtol(p->d_name, NULL, 10);

		if (tgid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)tgid);
		if (!(task = opendir(path)))
			continue;
		while ((t = readdir(task))) {
			pid_t tid = (pid_t)strtol(t->d_name, NULL, 10);

			if (tid > 0)
				opensnoop_thread_note(x, tid, tgid, NULL, 0);
		}
		closedir(task);
	}
	closedir(proc);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* /proc/TID/status works for any thread, listed in /proc or not. */
static struct proc_slot *proc_get(struct opensnoop *x, pid_t tid)
{
	struct proc_slot *p;
	uint64_t now = now_ns();
	char path[64], *s, *l;

	p = &x->procs[(unsigned int)tid % PROC_SLOTS];
	if (p->tid == tid && now - p->when < PROC_TTL_NS)
		return p;
	p->tid = tid;
	p->when = now;
	p->tgid = 0;
	p->uid = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	s = snoop_read_file(path, NULL);
	if (!s)
		return p;
	if ((l = strstr(s, "\nTgid:")))
		p->tgid = (pid_t)strtol(l + 6, NULL, 10);
	if ((l = strstr(s, "\nUid:")))
		p->uid = strtol(l + 5, NULL, 10);
	free(s);
	return p;
}

pid_t opensnoop_tgid(struct opensnoop *x, pid_t tid)
{
	if (x->threads) {
		struct thread_slot *t = &x->threads[(unsigned int)tid % THREAD_SLOTS];

		if (t->tid == tid)
			return t->tgid;
	}
	return proc_get(x, tid)->tgid;
}

/*
 * The kernel's own TID -> TGID map (saved_tgids), which the session's
 * options/record-tgid fills as tasks are scheduled: it still holds a thread
 * that is gone, and one whose task_newtask -n filtered out. Read again only
 * when the last read is older than the event (a later read would not know
 * more about it): at most once per batch of records of gone threads.
 */
pid_t opensnoop_saved_tgid(struct opensnoop *x, pid_t tid, uint64_t ts)
{
	char path[512], *s, *line, *save = NULL;
	struct tgid_slot *t;

	if (!x->record_tgid)
		return 0;
	t = &x->tgids[(unsigned int)tid % TGID_SLOTS];
	if (t->tid == tid)
		return t->tgid;
	if (x->tgids_read > ts)
		return 0;
	x->tgids_read = now_ns();
	snprintf(path, sizeof(path), "%s/saved_tgids", snoop_session_tracing_dir(x->s));
	s = snoop_read_file(path, NULL);
	if (!s)
		return 0;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int p, g;

		if (sscanf(line, "%d %d", &p, &g) == 2 && p > 0 && g > 0) {
			x->tgids[(unsigned int)p % TGID_SLOTS].tid = p;
			x->tgids[(unsigned int)p % TGID_SLOTS].tgid = g;
		}
	}
	free(s);
	return t->tid == tid ? t->tgid : 0;
}

/* Credentials are per thread, but the C library keeps a process's
 * threads in step (setxid broadcast): ask the process when the thread is
 * gone. */
long opensnoop_uid(struct opensnoop *x, pid_t tid)
{
	long uid = proc_get(x, tid)->uid;
	pid_t tgid;

	if (uid < 0 && (tgid = opensnoop_tgid(x, tid)) > 0 && tgid != tid)
		uid = proc_get(x, tgid)->uid;
	return uid;
}

void opensnoop_proc_comm(struct opensnoop *x, pid_t tid, char comm[16])
{
	char path[64], *s;
	size_t n;

	struct thread_slot *t = x->threads ? &x->threads[(unsigned int)tid % THREAD_SLOTS] : NULL;

	if (t && t->tid != tid)
		t = NULL;
	/*
	 * On the tracepoint path this runs for every open: reading /proc each
	 * time cost ~8 us per event and lost most events of an open loop
	 * (bench/RESULTS.md). A thread's comm changes only at exec and rename,
	 * which sched_process_exec and task_rename report (x->comm_cache), so
	 * the name read once stays right until one of them says otherwise.
	 */
	if (x->comm_cache && t && t->comm_ok) {
		memcpy(comm, t->comm, 16);
		return;
	}
	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	s = snoop_read_file(path, &n);
	if (!s) {
		/* Gone: the name it was born with (threads rarely rename). */
		if (t)
			memcpy(comm, t->comm, 16);
		return;
	}
	/* The kernel ends the file with a newline; comm may hold one too. */
	if (n && s[n - 1] == '\n')
		n--;
	if (n > 15)
		n = 15;
	memcpy(comm, s, n);
	comm[n] = '\0';
	free(s);
	if (x->comm_cache && t) {
		memcpy(t->comm, comm, 16);
		t->comm_ok = true;
	}
}
