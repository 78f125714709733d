// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Containers by cgroup, the cache: TID -> cgroup, fed by the kernel's
 * records, fork inheritance and a scan of the hierarchy at start
 * (include/snoop/cgroup.h says why in that order). Hierarchies, paths and
 * short names are cgroup_path.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/session.h>
#include <snoop/tracefs.h>

#include "internal.h"

/* clone3(2): the child starts in the cgroup args.cgroup names (v2 only). */
#define CLONE_INTO_CGROUP_FLAG 0x200000000ull
/* A cgroup tree deeper than this is not walked further by the scan. */
#define SCAN_DEPTH 32

/* ---- the cache ------------------------------------------------------------ */

struct cg_node {            /* a cgroup: ID -> path */
	uint64_t id;        /* 0: free */
	char *path;
	char *shortp;       /* snoop_cgroup_short(path), made on first use */
	signed char inside; /* in a target or below: 1, 0, or -1 not computed */
	bool used;          /* prune(): a task entry points here */
};

struct cg_task {            /* a task: TID -> cgroup */
	pid_t tid;          /* 0: free */
	bool tried;         /* /proc was read for it (unknown stays unknown) */
	enum snoop_task_src src;
	uint64_t id;
};

struct snoop_cgroups {
	struct snoop_cgroup_hier h;
	char *proc_dir;
	struct cg_node *nodes;
	size_t ncap, nused;
	struct cg_task *tasks;
	size_t tcap, tused;
	char *targets[SNOOP_CGROUP_MAX];
	uint64_t target_ids[SNOOP_CGROUP_MAX];
	int ntargets;
	uint64_t root_id;   /* the mount's root: where PID 0 (the idle task) is */
	struct cg_task idle;
};

static size_t hash64(uint64_t v, size_t cap)
{
	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

struct snoop_cgroups *snoop_cgroups_new(const struct snoop_cgroup_hier *h, const char *proc_dir)
{
	struct snoop_cgroups *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->h = *h;
	c->ncap = 256;
	c->tcap = 4096;
	c->nodes = calloc(c->ncap, sizeof(*c->nodes));
	c->tasks = calloc(c->tcap, sizeof(*c->tasks));
	c->proc_dir = proc_dir ? strdup(proc_dir) : NULL;
	if (!c->nodes || !c->tasks || (proc_dir && !c->proc_dir)) {
		snoop_cgroups_free(c);
		return NULL;
	}
	return c;
}

void snoop_cgroups_free(struct snoop_cgroups *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->nodes && i < c->ncap; i++) {
		free(c->nodes[i].path);
		free(c->nodes[i].shortp);
	}
	for (int i = 0; i < c->ntargets; i++)
		free(c->targets[i]);
	free(c->nodes);
	free(c->tasks);
	free(c->proc_dir);
	free(c);
}

static struct cg_node *node_find(struct snoop_cgroups *c, uint64_t id)
{
	size_t i = hash64(id, c->ncap);

	while (c->nodes[i].id && c->nodes[i].id != id)
		i = (i + 1) & (c->ncap - 1);
	return &c->nodes[i];
}

/*
 * Rehash into a table of cap slots. From PRUNE_FROM slots on, a node no
 * task entry points to is dropped first (keep: the root, and the id being
 * put): cgroup IDs are never reused, so on a box where containers come and
 * go the table would otherwise grow with every cgroup ever seen. What stays
 * is bounded by the task table (TIDs are reused), and a dropped cgroup's
 * path comes back with the next event or /proc read that names it.
 */
#define PRUNE_FROM 4096

static int node_rehash(struct snoop_cgroups *c, uint64_t keep)
{
	struct cg_node *old = c->nodes, *nn;
	size_t oldcap = c->ncap, live = c->nused, cap;
	bool prune = oldcap >= PRUNE_FROM;

	if (prune) {
		for (size_t i = 0; i < oldcap; i++)
			old[i].used = old[i].id == keep || old[i].id == c->root_id;
		for (size_t i = 0; i < c->tcap; i++)
			if (c->tasks[i].tid && c->tasks[i].id)
				node_find(c, c->tasks[i].id)->used = true;
		if (c->idle.id)
			node_find(c, c->idle.id)->used = true;
		live = 0;
		for (size_t i = 0; i < oldcap; i++)
			live += old[i].id && old[i].used;
	}
	/* Double unless pruning left the table at most a quarter full. */
	cap = (live + 1) * 4 > oldcap ? oldcap * 2 : oldcap;
	nn = calloc(cap, sizeof(*nn));
	if (!nn)
		return -1;
	c->nodes = nn;
	c->ncap = cap;
	c->nused = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].id)
			continue;
		if (prune && !old[i].used) {
			free(old[i].path);
			free(old[i].shortp);
			continue;
		}
		*node_find(c, old[i].id) = old[i];
		c->nused++;
	}
	free(old);
	return 0;
}

/* The node of id, created (path copied) when new; NULL on out of memory.
 * A known node takes a new path: the cgroup was renamed, or an event's
 * path replaces what /proc said. */
static struct cg_node *node_put(struct snoop_cgroups *c, uint64_t id, const char *path, size_t len)
{
	struct cg_node *nd;

	if (!id)
		return NULL;
	if ((c->nused + 1) * 2 > c->ncap && node_rehash(c, id))
		return NULL;
	nd = node_find(c, id);
	if (nd->id && nd->path && (!path || (strlen(nd->path) == len && !memcmp(nd->path, path, len))))
		return nd;
	if (path) {
		char *p = strndup(path, len);

		if (!p)
			return nd->id ? nd : NULL;
		free(nd->path);
		free(nd->shortp);
		nd->path = p;
		nd->shortp = NULL;
		nd->inside = -1;
	}
	if (!nd->id) {
		nd->id = id;
		nd->inside = -1;
		c->nused++;
	}
	return nd;
}

static struct cg_task *task_find(struct snoop_cgroups *c, pid_t tid)
{
	size_t i = hash64((uint64_t)(uint32_t)tid, c->tcap);

	while (c->tasks[i].tid && c->tasks[i].tid != tid)
		i = (i + 1) & (c->tcap - 1);
	return &c->tasks[i];
}

/* The entry of tid, created when new; NULL on out of memory. Entries are
 * never dropped: a TID's next life starts with a fork event that
 * overwrites it. */
static struct cg_task *task_put(struct snoop_cgroups *c, pid_t tid)
{
	struct cg_task *k;

	if ((c->tused + 1) * 2 > c->tcap) {
		struct cg_task *old = c->tasks, *nt = calloc(c->tcap * 2, sizeof(*nt));
		size_t oldcap = c->tcap;

		if (!nt)
			return NULL;
		c->tasks = nt;
		c->tcap *= 2;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].tid)
				*task_find(c, old[i].tid) = old[i];
		free(old);
	}
	k = task_find(c, tid);
	if (!k->tid) {
		k->tid = tid;
		c->tused++;
	}
	return k;
}

void snoop_cgroups_set(struct snoop_cgroups *c, pid_t tid, uint64_t id, const char *path, enum snoop_task_src src)
{
	struct cg_task *k;

	if (tid <= 0 || (path && !node_put(c, id, path, strlen(path))))
		return;
	k = task_put(c, tid);
	if (!k)
		return;
	k->id = id;
	k->src = id ? src : SNOOP_TASK_UNKNOWN;
	k->tried = false;
}

int snoop_cgroups_add_target(struct snoop_cgroups *c, const char *rel, uint64_t id)
{
	if (c->ntargets >= SNOOP_CGROUP_MAX || !(c->targets[c->ntargets] = strdup(rel)))
		return -1;
	c->target_ids[c->ntargets++] = id;
	for (size_t i = 0; i < c->ncap; i++)
		c->nodes[i].inside = -1;
	return 0;
}

static bool node_inside(struct snoop_cgroups *c, struct cg_node *nd)
{
	if (nd->inside >= 0)
		return nd->inside;
	nd->inside = 0;
	for (int i = 0; i < c->ntargets && !nd->inside; i++) {
		size_t tl = strlen(c->targets[i]);

		if (nd->id == c->target_ids[i])
			nd->inside = 1;
		else if (nd->path && (!strcmp(c->targets[i], "/") ||
				      (!strncmp(nd->path, c->targets[i], tl) && (nd->path[tl] == '/' || !nd->path[tl]))))
			nd->inside = 1;
	}
	return nd->inside;
}

/* ---- the scan ------------------------------------------------------------- */

static void scan_dir(struct snoop_cgroups *c, char *path, size_t plen, size_t mntlen, int depth)
{
	char rel[PATH_MAX], *txt;
	struct dirent *de;
	uint64_t id;
	DIR *d;

	if (!snoop_cgroup_dir_id(path, &id))
		return;
	snoop_cgroup_join_rel(&c->h, path + mntlen, rel, sizeof(rel));
	if (!node_put(c, id, rel, strlen(rel)))
		return;
	if (plen == mntlen)
		c->root_id = id;
	/* TIDs: cgroup.threads in v2 (all threads, threaded or not), tasks in v1. */
	snprintf(path + plen, PATH_MAX - plen, "/%s", c->h.v2 ? "cgroup.threads" : "tasks");
	txt = snoop_read_file(path, NULL);
	path[plen] = '\0';
	for (char *p = txt; p && *p;) {
		long tid = strtol(p, &p, 10);
		struct cg_task *k;

		if (tid > 0 && (k = task_put(c, (pid_t)tid))) {
			/* An event read before the scan knows better. */
			if (k->src != SNOOP_TASK_EVENT) {
				k->id = id;
				k->src = SNOOP_TASK_START;
			}
		}
		while (*p == '\n')
			p++;
		if (*p && (*p < '0' || *p > '9'))
			break;
	}
	free(txt);
	if (depth >= SCAN_DEPTH || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || plen + nl + 2 >= PATH_MAX)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, de->d_name, nl + 1);
		scan_dir(c, path, plen + 1 + nl, mntlen, depth + 1);
		path[plen] = '\0';
	}
	closedir(d);
}

int snoop_cgroups_scan(struct snoop_cgroups *c)
{
	char path[PATH_MAX];
	size_t l = strlen(c->h.mnt);
	uint64_t id;

	if (!snoop_cgroup_dir_id(c->h.mnt, &id))
		return -1;
	memcpy(path, c->h.mnt, l + 1);
	scan_dir(c, path, l, l, 0);
	return 0;
}

/* ---- events --------------------------------------------------------------- */

static bool proc_is_leader(struct snoop_cgroups *c, pid_t pid)
{
	char path[512], *txt, *p;
	bool leader;

	if (!c->proc_dir)
		return false;
	snprintf(path, sizeof(path), "%s/%d/status", c->proc_dir, (int)pid);
	txt = snoop_read_file(path, NULL);
	leader = txt && (p = strstr(txt, "\nTgid:")) && atoi(p + 6) == pid;
	free(txt);
	return leader;
}

void snoop_cgroups_attach(struct snoop_cgroups *c, int hier, uint64_t id, const char *path, size_t len, pid_t pid,
			  bool whole_process)
{
	struct cg_task *k;
	char dir[512];
	struct dirent *de;
	DIR *d;

	if (hier != c->h.id || pid <= 0 || !node_put(c, id, path, len))
		return;
	if ((k = task_put(c, pid))) {
		k->id = id;
		k->src = SNOOP_TASK_EVENT;
	}
	/*
	 * The record names the process's leader when cgroup.procs was written
	 * (the threads moved with it) and the thread for a v1 tasks file; it
	 * does not say which. A leader stands for its process here: its
	 * threads, as /proc lists them now, move too.
	 */
	if (!whole_process || !c->proc_dir || !proc_is_leader(c, pid))
		return;
	snprintf(dir, sizeof(dir), "%s/%d/task", c->proc_dir, (int)pid);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid > 0 && tid != pid && (k = task_put(c, (pid_t)tid))) {
			k->id = id;
			k->src = SNOOP_TASK_EVENT;
		}
	}
	if (d)
		closedir(d);
}

/* What /proc/TID/cgroup says of the hierarchy: 0 when nothing. */
static uint64_t from_proc(struct snoop_cgroups *c, pid_t tid)
{
	char path[PATH_MAX], *txt;
	uint64_t id = 0;

	if (!c->proc_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%d/cgroup", c->proc_dir, (int)tid);
	txt = snoop_read_file(path, NULL);
	for (char *l = txt; l && *l;) {
		char *e = strchr(l, '\n'), *p;

		if (e)
			*e = '\0';
		if (atoi(l) == c->h.id && (p = strchr(l, ':')) && (p = strchr(p + 1, ':')) && p[1] == '/') {
			/* The path is relative to our cgroup namespace's root,
			 * which is the mount's root for us. */
			size_t rl = strlen(c->h.root);
			const char *below = p + 1;
			char rel[PATH_MAX];

			if (rl > 1 && !strncmp(below, c->h.root, rl))
				below += rl;
			snprintf(path, sizeof(path), "%s%s", c->h.mnt, below);
			if (snoop_cgroup_dir_id(path, &id)) {
				snoop_cgroup_join_rel(&c->h, below, rel, sizeof(rel));
				if (!node_put(c, id, rel, strlen(rel)))
					id = 0;
			}
			break;
		}
		l = e ? e + 1 : NULL;
	}
	free(txt);
	return id;
}

static struct cg_task *lookup(struct snoop_cgroups *c, pid_t tid)
{
	struct cg_task *k;

	if (tid <= 0) {
		/* The idle task (interrupts on an idle CPU) is in the root; TID
		 * 0 is the table's "free", so it has an entry of its own. */
		c->idle.id = c->root_id;
		c->idle.src = c->root_id ? SNOOP_TASK_START : SNOOP_TASK_UNKNOWN;
		return tid == 0 ? &c->idle : NULL;
	}
	k = task_find(c, tid);
	if (k->tid && (k->src || k->tried))
		return k;
	k = task_put(c, tid);
	if (!k)
		return NULL;
	k->tried = true;
	k->id = from_proc(c, tid);
	k->src = k->id ? SNOOP_TASK_PROC : SNOOP_TASK_UNKNOWN;
	return k;
}

void snoop_cgroups_fork(struct snoop_cgroups *c, pid_t parent, pid_t child, uint64_t clone_flags)
{
	struct cg_task *p, *k;
	uint64_t id = 0;
	enum snoop_task_src src = SNOOP_TASK_UNKNOWN;

	if (child <= 0)
		return;
	/* No event says where clone3 put the child: /proc will, marked. */
	if (!(c->h.v2 && (clone_flags & CLONE_INTO_CGROUP_FLAG))) {
		p = lookup(c, parent);
		if (p && p->src) {
			id = p->id;
			src = p->src == SNOOP_TASK_PROC ? SNOOP_TASK_PROC : SNOOP_TASK_EVENT;
		}
	}
	k = task_put(c, child);
	if (!k)
		return;
	k->id = id;
	k->src = src;
	k->tried = false;
}

bool snoop_cgroups_get(struct snoop_cgroups *c, struct snoop_task *t)
{
	struct cg_task *k = lookup(c, t->tid);
	struct cg_node *nd;

	t->cgroup_id = 0;
	t->cgroup = NULL;
	t->cgroup_short = NULL;
	t->cgroup_src = SNOOP_TASK_UNKNOWN;
	if (!k || !k->src)
		return false;
	nd = node_find(c, k->id);
	if (!nd->id || !nd->path)
		return false;
	/* The column's short form, once per cgroup, not per line. */
	if (!nd->shortp) {
		char buf[256];

		snoop_cgroup_short(nd->path, buf, sizeof(buf));
		nd->shortp = strdup(buf);
	}
	t->cgroup_id = k->id;
	t->cgroup = nd->path;
	t->cgroup_short = nd->shortp;
	t->cgroup_src = k->src;
	return true;
}

int snoop_cgroups_match(struct snoop_cgroups *c, pid_t tid)
{
	struct cg_task *k = lookup(c, tid);
	struct cg_node *nd;

	if (!k || !k->src)
		return -1;
	nd = node_find(c, k->id);
	if (!nd->id)
		return -1;
	return node_inside(c, nd);
}

size_t snoop_cgroups_held(const struct snoop_cgroups *c)
{
	return c->nused;
}

void snoop_cgroups_on_attach(struct snoop_cgroups *c, const struct snoop_record *r)
{
	struct tep_format_field *fr = snoop_event_field(r->ev, "dst_root"), *fi = snoop_event_field(r->ev, "dst_id"),
				*fp = snoop_event_field(r->ev, "dst_path"), *fpid = snoop_event_field(r->ev, "pid");
	const char *path;
	size_t len = 0;

	if (!fr || !fi || !fp || !fpid)
		return;
	path = snoop_field_str(r, fp, &len);
	if (!path)
		return;
	snoop_cgroups_attach(c, (int)snoop_field_s64(r, fr), snoop_field_u64(r, fi), path, len,
			     (pid_t)snoop_field_s64(r, fpid), true);
}

void snoop_cgroups_on_newtask(struct snoop_cgroups *c, const struct snoop_record *r)
{
	struct tep_format_field *fp = snoop_event_field(r->ev, "pid"), *ff = snoop_event_field(r->ev, "clone_flags");

	if (fp && ff)
		snoop_cgroups_fork(c, r->pid, (pid_t)snoop_field_s64(r, fp), snoop_field_u64(r, ff));
}
