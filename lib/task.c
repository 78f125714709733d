// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Task identity: TID -> TGID and comm, learned from the session's own
 * records first, then from the kernel's saved tables, then from /proc.
 * See include/snoop/task.h for why that order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/cgroup.h>
#include <snoop/session.h>
#include <snoop/task.h>
#include <snoop/tracefs.h>

/* What the cache knows of a task's real UID. It is kept only while the
 * cache follows every change of it (snoop_tasks_follow_uid()): a UID is
 * copied at fork, kept across exec (a set-user-ID program changes the
 * effective UID, not the real one) and changed only by setuid(),
 * setreuid() and setresuid(). */
enum uid_state {
	UID_NONE = 0, /* read the task's own /proc */
	UID_KNOWN,    /* uid */
	UID_GONE,     /* the kernel said the task is gone: until a fork reuses its TID */
};

struct task_slot {
	struct snoop_task t;     /* first: a struct snoop_task * is its slot; t.tid 0: free */
	enum uid_state uid_state;
	uint32_t uid_gen;        /* snoop_tasks.uid_gen when set: a loss since voids it */
	long uid;                /* UID_KNOWN */
};

struct snoop_tasks {
	struct task_slot *slots;
	size_t nslots;
	char *proc_dir, *tracing_dir;
	/* The kernel's saved_* tables are read as a whole and kept until a
	 * lookup misses them: one read per batch of new tasks, not per TID. */
	char *saved_cmdlines, *saved_tgids;
	struct snoop_tasks_stats st;
	struct snoop_cgroups *cgroups; /* the session's, not ours to free */
	bool follow_uid;
	uint32_t uid_gen;
};

const char *snoop_task_src_name(enum snoop_task_src src)
{
	switch (src) {
	case SNOOP_TASK_EVENT:
		return "event";
	case SNOOP_TASK_SAVED:
		return "saved";
	case SNOOP_TASK_PROC:
		return "proc";
	case SNOOP_TASK_START:
		return "start";
	default:
		return NULL;
	}
}

struct snoop_tasks *snoop_tasks_new(size_t slots, const char *proc_dir, const char *tracing_dir)
{
	struct snoop_tasks *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nslots = slots ? slots : 8192;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	t->proc_dir = proc_dir ? strdup(proc_dir) : NULL;
	t->tracing_dir = tracing_dir ? strdup(tracing_dir) : NULL;
	if (!t->slots || (proc_dir && !t->proc_dir) || (tracing_dir && !t->tracing_dir)) {
		snoop_tasks_free(t);
		return NULL;
	}
	return t;
}

void snoop_tasks_free(struct snoop_tasks *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->proc_dir);
	free(t->tracing_dir);
	free(t->saved_cmdlines);
	free(t->saved_tgids);
	free(t);
}

static struct snoop_task *slot_of(struct snoop_tasks *t, pid_t tid)
{
	return &t->slots[(size_t)(unsigned int)tid % t->nslots].t;
}

static struct task_slot *slot_x(struct snoop_task *k)
{
	return (struct task_slot *)k;
}

static void slot_clear(struct snoop_task *k)
{
	memset(slot_x(k), 0, sizeof(struct task_slot));
}

/* The slot of TID, taken over (cleared) when another TID had it. */
static struct snoop_task *slot_take(struct snoop_tasks *t, pid_t tid)
{
	struct snoop_task *k = slot_of(t, tid);

	if (k->tid != tid) {
		slot_clear(k);
		k->tid = tid;
	}
	return k;
}

static void set_comm(struct snoop_task *k, const char *comm, size_t len, enum snoop_task_src src)
{
	len = strnlen(comm, len < SNOOP_COMM_LEN - 1 ? len : SNOOP_COMM_LEN - 1);
	memcpy(k->comm, comm, len);
	k->comm[len] = '\0';
	k->comm_src = src;
}

void snoop_tasks_note(struct snoop_tasks *t, pid_t tid, pid_t tgid, const char *comm, size_t len)
{
	struct snoop_task *k;

	if (tid <= 0)
		return;
	k = slot_take(t, tid);
	if (tgid > 0) {
		k->tgid = tgid;
		k->tgid_src = SNOOP_TASK_EVENT;
	}
	if (comm)
		set_comm(k, comm, len, SNOOP_TASK_EVENT);
}

static long uid_of(struct snoop_tasks *t, pid_t tid);

/*
 * The new task K's credentials are a copy of its creator's at the fork: K
 * gets PARENT's UID, read from /proc first when the cache does not have
 * it. That read is once per creator that was there before the trace (the
 * creators the trace saw start have inherited theirs), not per child: a
 * shell's or a server's children cost nothing more.
 */
static void uid_inherit(struct snoop_tasks *t, pid_t parent, struct snoop_task *k)
{
	long uid;

	/* (Same slot: the cache can keep one of the two.) */
	if (!t->follow_uid || slot_of(t, parent) == k || (uid = uid_of(t, parent)) < 0)
		return;
	*slot_x(k) = (struct task_slot){ .t = *k, .uid_state = UID_KNOWN, .uid_gen = t->uid_gen, .uid = uid };
}

void snoop_tasks_fork(struct snoop_tasks *t, pid_t parent, pid_t child, bool thread, const char *comm,
		      size_t len)
{
	struct snoop_task *p, *k;
	pid_t tgid = child;
	enum snoop_task_src src = SNOOP_TASK_EVENT;

	if (child <= 0)
		return;
	/* A thread's process is its creator's, and a new process's parent is
	 * its creator's process: known only as well as the creator's is. */
	p = slot_of(t, parent);
	if (p->tid != parent)
		p = NULL;
	if (thread) {
		tgid = p ? p->tgid : 0;
		src = p ? p->tgid_src : SNOOP_TASK_UNKNOWN;
	}
	k = slot_take(t, child);
	slot_clear(k);
	k->tid = child;
	uid_inherit(t, parent, k);
	k->tgid = tgid;
	k->tgid_src = tgid ? src : SNOOP_TASK_UNKNOWN;
	if (p && thread && p->ppid_src) {
		k->ppid = p->ppid;
		k->ppid_src = p->ppid_src;
	} else if (p && !thread && p->tgid_src) {
		k->ppid = p->tgid;
		k->ppid_src = p->tgid_src;
	}
	if (comm)
		set_comm(k, comm, len, SNOOP_TASK_EVENT);
}

void snoop_tasks_exec(struct snoop_tasks *t, pid_t pid, pid_t old_pid, const char *filename, size_t len)
{
	struct snoop_task *k;
	struct task_slot uid = { .uid_state = UID_NONE };
	size_t i, base = 0;

	if (old_pid > 0 && old_pid != pid) {
		/* A non-leader thread exec'd: it took the leader's TID, with
		 * its own credentials. */
		k = slot_of(t, old_pid);
		if (k->tid == old_pid) {
			uid = *slot_x(k);
			slot_clear(k);
		}
	}
	if (pid <= 0)
		return;
	k = slot_take(t, pid);
	if (old_pid > 0 && old_pid != pid) {
		slot_x(k)->uid_state = uid.uid_state;
		slot_x(k)->uid_gen = uid.uid_gen;
		slot_x(k)->uid = uid.uid;
	}
	k->tgid = pid;
	k->tgid_src = SNOOP_TASK_EVENT;
	/* fexecve and execveat(fd, "", AT_EMPTY_PATH) show as /dev/fd/N: the
	 * kernel named the task "N" before 6.14 and after the file's dentry
	 * since, so the event cannot say which: the fallbacks (saved_cmdlines,
	 * /proc, each marked by its source) must. */
	if (!filename || (len >= 8 && strncmp(filename, "/dev/fd/", 8) == 0)) {
		k->comm[0] = '\0';
		k->comm_src = SNOOP_TASK_UNKNOWN;
		return;
	}
	for (i = 0; i < len && filename[i]; i++)
		if (filename[i] == '/')
			base = i + 1;
	set_comm(k, filename + base, i - base, SNOOP_TASK_EVENT);
}

void snoop_tasks_rename(struct snoop_tasks *t, pid_t tid, const char *comm, size_t len)
{
	if (tid > 0 && comm)
		set_comm(slot_take(t, tid), comm, len, SNOOP_TASK_EVENT);
}

/* ---- fallbacks ----------------------------------------------------------- */

/* "PID VALUE\n" lines: VALUE of pid (the rest of the line), or NULL. */
static const char *table_find(const char *tab, pid_t pid, size_t *len)
{
	char key[16];
	int kl = snprintf(key, sizeof(key), "%d ", (int)pid);

	for (const char *l = tab; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t ll = e ? (size_t)(e - l) : strlen(l);

		if (ll > (size_t)kl && memcmp(l, key, (size_t)kl) == 0) {
			*len = ll - (size_t)kl;
			return l + kl;
		}
		l = e ? e + 1 : NULL;
	}
	return NULL;
}

static const char *saved_find(struct snoop_tasks *t, char **cache, const char *file, pid_t pid, size_t *len)
{
	char path[512];
	const char *v;

	if (!t->tracing_dir)
		return NULL;
	if (*cache && (v = table_find(*cache, pid, len)))
		return v;
	/* A miss: the table may have learned the task since it was read. */
	free(*cache);
	snprintf(path, sizeof(path), "%s/%s", t->tracing_dir, file);
	*cache = snoop_read_file(path, NULL);
	return *cache ? table_find(*cache, pid, len) : NULL;
}

static void from_saved(struct snoop_tasks *t, struct snoop_task *k)
{
	const char *v;
	size_t len;

	if (!k->comm_src) {
		v = saved_find(t, &t->saved_cmdlines, "saved_cmdlines", k->tid, &len);
		/* "<...>" is the kernel's word for "not saved". */
		if (v && !(len == 5 && memcmp(v, "<...>", 5) == 0))
			set_comm(k, v, len, SNOOP_TASK_SAVED);
	}
	if (!k->tgid_src) {
		v = saved_find(t, &t->saved_tgids, "saved_tgids", k->tid, &len);
		if (v && atoi(v) > 0) {
			k->tgid = atoi(v);
			k->tgid_src = SNOOP_TASK_SAVED;
		}
	}
}

static void from_proc(struct snoop_tasks *t, struct snoop_task *k)
{
	char path[512], *txt, *p;

	if (!t->proc_dir)
		return;
	/* /proc/TID/status answers for a thread too, even though only
	 * process IDs are listed in /proc. */
	snprintf(path, sizeof(path), "%s/%d/status", t->proc_dir, (int)k->tid);
	txt = snoop_read_file(path, NULL);
	if (!txt)
		return;
	if (!k->tgid_src && (p = strstr(txt, "\nTgid:")) && atoi(p + 6) > 0) {
		k->tgid = atoi(p + 6);
		k->tgid_src = SNOOP_TASK_PROC;
	}
	if (!k->ppid_src && (p = strstr(txt, "\nPPid:"))) {
		k->ppid = atoi(p + 6);
		k->ppid_src = SNOOP_TASK_PROC;
	}
	free(txt);
	if (!k->comm_src) {
		/* The comm file, not status's Name: (which escapes bytes). */
		snprintf(path, sizeof(path), "%s/%d/comm", t->proc_dir, (int)k->tid);
		txt = snoop_read_file(path, NULL);
		if (txt) {
			size_t n = strlen(txt);

			if (n && txt[n - 1] == '\n')
				n--;
			set_comm(k, txt, n, SNOOP_TASK_PROC);
			free(txt);
		}
	}
}

bool snoop_tasks_get(struct snoop_tasks *t, pid_t tid, struct snoop_task *out)
{
	struct snoop_task *k;

	memset(out, 0, sizeof(*out));
	out->tid = tid;
	if (tid <= 0)
		return false;
	k = slot_take(t, tid);
	if (!k->comm_src || !k->tgid_src)
		from_saved(t, k);
	if (!k->comm_src || !k->tgid_src)
		from_proc(t, k);
	switch (k->comm_src) {
	case SNOOP_TASK_EVENT:
		t->st.from_event++;
		break;
	case SNOOP_TASK_SAVED:
		t->st.from_saved++;
		break;
	case SNOOP_TASK_PROC:
		t->st.from_proc++;
		break;
	default:
		t->st.unknown++;
	}
	*out = *k;
	/* Kept by the cgroup cache, which forgets no task: not in the slot. */
	if (t->cgroups)
		snoop_cgroups_get(t->cgroups, out);
	return k->comm_src && k->tgid_src;
}

void snoop_tasks_set_cgroups(struct snoop_tasks *t, struct snoop_cgroups *c)
{
	t->cgroups = c;
}

bool snoop_tasks_get_ppid(struct snoop_tasks *t, pid_t tid, struct snoop_task *out)
{
	struct snoop_task *k;

	snoop_tasks_get(t, tid, out);
	if (tid <= 0)
		return false;
	k = slot_take(t, tid);
	if (!k->ppid_src) {
		/* Read /proc even though tgid and comm were known. */
		from_proc(t, k);
		*out = *k;
		if (t->cgroups)
			snoop_cgroups_get(t->cgroups, out);
	}
	return k->ppid_src != SNOOP_TASK_UNKNOWN;
}

void snoop_tasks_get_stats(const struct snoop_tasks *t, struct snoop_tasks_stats *st)
{
	*st = t->st;
}

/* ---- from records ------------------------------------------------------- */

#define CLONE_THREAD_FLAG 0x00010000ull

static struct tep_format_field *field(const struct snoop_record *r, const char *name)
{
	return snoop_event_field(r->ev, name);
}

void snoop_tasks_on_newtask(struct snoop_tasks *t, const struct snoop_record *r)
{
	struct tep_format_field *fp = field(r, "pid"), *fc = field(r, "comm"), *ff = field(r, "clone_flags");
	const char *comm;
	size_t len = 0;

	if (!fp || !ff)
		return;
	comm = fc ? snoop_field_str(r, fc, &len) : NULL;
	snoop_tasks_fork(t, r->pid, (pid_t)snoop_field_s64(r, fp), (snoop_field_u64(r, ff) & CLONE_THREAD_FLAG) != 0,
			 comm, len);
}

void snoop_tasks_on_exec(struct snoop_tasks *t, const struct snoop_record *r)
{
	struct tep_format_field *fp = field(r, "pid"), *fo = field(r, "old_pid"), *ff = field(r, "filename");
	const char *file;
	size_t len = 0;

	if (!fp)
		return;
	file = ff ? snoop_field_str(r, ff, &len) : NULL;
	snoop_tasks_exec(t, (pid_t)snoop_field_s64(r, fp), fo ? (pid_t)snoop_field_s64(r, fo) : 0, file, len);
}

void snoop_tasks_on_rename(struct snoop_tasks *t, const struct snoop_record *r)
{
	struct tep_format_field *fp = field(r, "pid"), *fc = field(r, "newcomm");
	const char *comm;
	size_t len = 0;

	if (!fp || !fc)
		return;
	comm = snoop_field_str(r, fc, &len);
	snoop_tasks_rename(t, (pid_t)snoop_field_s64(r, fp), comm, len);
}

#define UID_TASK_GONE (-2)

/* The real UID: the first number of the "Uid:" line of DIR/TID/status;
 * -1 unknown, UID_TASK_GONE when there is no such task (a zombie still
 * has its status). */
static long status_uid(const char *dir, pid_t tid)
{
	char path[512], buf[1024], *l;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/status", dir, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? UID_TASK_GONE : -1;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The Uid line comes ninth, after a name of at most 64 bytes (the
	 * kernel escapes comm): well inside the first read. A line cut by
	 * the end of the read would give a wrong number: none then. */
	l = strstr(buf, "\nUid:");
	if (!l || !strchr(l + 1, '\n'))
		return -1;
	return strtol(l + 5, NULL, 10);
}

long snoop_proc_uid(pid_t tid)
{
	long uid = tid > 0 ? status_uid("/proc", tid) : -1;

	return uid >= 0 ? uid : -1;
}

/* ---- real UIDs ------------------------------------------------------------ */

/*
 * TID's UID from /proc; -1 unknown, UID_TASK_GONE when the task is gone.
 * No kill(TID, 0) first, cheap as it is (0.08 us against 1.5 us for the
 * failed open): killsnoop would show it, as a signal 0 to the task, and
 * with the cache a read is rare.
 */
static long uid_read(struct snoop_tasks *t, pid_t tid)
{
	if (!t->proc_dir || tid <= 0)
		return -1;
	t->st.uid_proc_reads++;
	return status_uid(t->proc_dir, tid);
}

void snoop_tasks_follow_uid(struct snoop_tasks *t)
{
	t->follow_uid = true;
}

void snoop_tasks_setuid(struct snoop_tasks *t, pid_t tid)
{
	struct snoop_task *k = slot_of(t, tid);

	if (k->tid == tid)
		slot_x(k)->uid_state = UID_NONE;
}

void snoop_tasks_lost(struct snoop_tasks *t)
{
	/* The lost records may have held a fork, an exec or a set*uid(): no
	 * UID known before may be copied or kept. */
	t->uid_gen++;
}

/* TID's UID from the cache, else its /proc (then kept): -1 when unknown. */
static long uid_of(struct snoop_tasks *t, pid_t tid)
{
	struct snoop_task *k;
	long uid;

	if (!t->follow_uid)
		return uid_read(t, tid);
	k = slot_take(t, tid);
	if (slot_x(k)->uid_gen == t->uid_gen) {
		if (slot_x(k)->uid_state == UID_KNOWN)
			return slot_x(k)->uid;
		if (slot_x(k)->uid_state == UID_GONE)
			return -1;
	}
	uid = uid_read(t, tid);
	if (uid >= 0 || uid == UID_TASK_GONE) {
		slot_x(k)->uid_state = uid >= 0 ? UID_KNOWN : UID_GONE;
		slot_x(k)->uid_gen = t->uid_gen;
		slot_x(k)->uid = uid;
	}
	return uid >= 0 ? uid : -1;
}

long snoop_tasks_get_uid(struct snoop_tasks *t, pid_t tid, pid_t tgid)
{
	long uid;

	if (tid <= 0)
		return -1;
	/* No cache (a session without one, a test): /proc each time. */
	uid = t ? uid_of(t, tid) : snoop_proc_uid(tid);
	/* Credentials are per thread, but the C library keeps a process's
	 * threads in step (the setxid broadcast): ask the process when the
	 * thread is gone. */
	if (uid < 0 && tgid > 0 && tgid != tid)
		uid = t ? uid_of(t, tgid) : snoop_proc_uid(tgid);
	return uid;
}

static void on_setuid(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct tep_format_field *f = snoop_event_field(r->ev, "ret");

	(void)s;
	/* A failed call changed nothing. */
	if (!f || snoop_field_s64(r, f) == 0)
		snoop_tasks_setuid(ctx, r->pid);
}

int snoop_tasks_follow_setuid(struct snoop_tasks *t, struct snoop_session *s)
{
	static const char *const calls[] = { "sys_exit_setuid", "sys_exit_setreuid", "sys_exit_setresuid" };

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (!snoop_session_has_event(s, "syscalls", calls[i]))
			return 0; /* not followed: every lookup reads /proc */
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!snoop_session_tracepoint(s, "syscalls", calls[i], on_setuid, t))
			return -1;
	snoop_tasks_follow_uid(t);
	return 0;
}
