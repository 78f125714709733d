// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --cgroup and -C in a session: the events that feed the cgroup cache
 * (snoop/cgroup.h), the start state, the filter, the CGROUP column.
 *
 * Why the --cgroup filter runs in user space and not on set_event_pid:
 * set_event_pid (with options/event-fork) would keep the cgroup's tasks at
 * the start and their children, but a task moved into the cgroup later is
 * not in it until the reader has seen its cgroup_attach_task record, and
 * what it does in between is never recorded; worse, set_event_pid filters
 * by the task that writes cgroup.procs, so the attach records written by a
 * shell, systemd or a container runtime outside the set would not be
 * recorded at all. So the kernel records every task's events (still
 * filtered by -p, -L, -n and each tool's own filters), and the records of
 * tasks outside the targets are dropped here, before any handler, from the
 * cgroup each task was in at the time of the record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/output.h>

#include "internal.h"

enum { CG_ATTACH, CG_TRANSFER, CG_NEWTASK };
static const char *const cg_sys[3] = { "cgroup", "cgroup", "task" };
static const char *const cg_name[3] = { "cgroup_attach_task", "cgroup_transfer_tasks", "task_newtask" };

static struct snoop_event *find_event(struct snoop_session *s, const char *system, const char *name)
{
	for (int i = 0; i < s->nevents; i++)
		if (!strcmp(s->events[i]->system, system) && !strcmp(s->events[i]->name, name))
			return s->events[i];
	return NULL;
}

int snoop_cgroup_session_setup(struct snoop_session *s)
{
	char *mi = snoop_read_file("/proc/self/mountinfo", NULL), *sc = snoop_read_file("/proc/self/cgroup", NULL);
	struct snoop_cgroup_hier h = { 0 }, h2;
	char rel[4096], err[256], filter[64];
	uint64_t id;
	int ret = -1;

	for (int i = 0; i < 3; i++)
		s->cg_ids[i] = -1;
	if (!s->opts.ncgroups && !s->opts.print_cgroup && !s->opts.need_cgroup) {
		free(mi);
		free(sc);
		return 0;
	}
	if (!mi || !sc) {
		snoop_err(s, "--cgroup/-C: cannot read /proc/self/mountinfo or /proc/self/cgroup");
		goto out;
	}
	if (!s->opts.ncgroups && snoop_cgroup_default(mi, sc, &h) < 0) {
		snoop_err(s, "-C: no cgroup hierarchy is mounted");
		goto out;
	}
	for (int i = 0; i < s->opts.ncgroups; i++) {
		if (snoop_cgroup_resolve(mi, sc, s->opts.cgroups[i], &h2, rel, sizeof(rel), &id, err, sizeof(err)) < 0) {
			char q[96];

			snoop_err(s, "--cgroup '%s': %s", snoop_arg_quote(q, sizeof(q), s->opts.cgroups[i]), err);
			goto out;
		}
		if (i == 0) {
			h = h2;
			if (!(s->cgroups = snoop_cgroups_new(&h, "/proc")))
				break;
		}
		if (h2.id != h.id) {
			snoop_err(s, "--cgroup paths in two hierarchies (%s and %s) cannot be combined", h.name, h2.name);
			goto out;
		}
		if (snoop_cgroups_add_target(s->cgroups, rel, id) < 0)
			break;
	}
	if (!s->cgroups)
		s->cgroups = snoop_cgroups_new(&h, "/proc");
	if (!s->cgroups) {
		snoop_err(s, "out of memory");
		goto out;
	}
	s->cg_filter = s->opts.ncgroups > 0;
	if (s->tasks)
		snoop_tasks_set_cgroups(s->tasks, s->cgroups);
	for (int i = 0; i < 3; i++) {
		struct snoop_event *ev = find_event(s, cg_sys[i], cg_name[i]);

		if (!ev && !(ev = snoop_session_tracepoint_opt(s, cg_sys[i], cg_name[i], NULL, NULL))) {
			if (s->failed)
				goto out;
			/* transfer_tasks is v1 cpuset's only: without it nothing moves that way. */
			if (i == CG_TRANSFER)
				continue;
			snoop_err(s, "--cgroup/-C: the kernel has no event %s:%s to follow tasks between cgroups",
				  cg_sys[i], cg_name[i]);
			goto out;
		}
		/* -n is about the traced tasks, not about who moves them or
		 * who forked them: `-n cat` must still see bash fork the cat
		 * (the task cache, if it records forks too, only learns more).
		 * Other hierarchies' moves are noise. A tool's own cgroup event
		 * (kprobe t:cgroup:...) keeps its filters. */
		if (i == CG_NEWTASK) {
			ev->no_comm_filter = true;
		} else if (!ev->fn) {
			ev->no_comm_filter = true;
			snprintf(filter, sizeof(filter), "dst_root == %d", h.id);
			if (snoop_event_filter(ev, filter) < 0)
				goto out;
		}
		s->cg_ev[i] = ev;
		s->cg_ids[i] = ev->id;
	}
	if (s->opts.verbose)
		snoop_warn(s, "cgroups of the %s hierarchy (mounted at %s)%s", h.name, h.mnt,
			   s->cg_filter ? "; --cgroup filters in user space" : "");
	ret = 0;
out:
	free(mi);
	free(sc);
	return ret;
}

void snoop_cgroup_session_scan(struct snoop_session *s)
{
	if (s->cgroups && snoop_cgroups_scan(s->cgroups) < 0)
		snoop_warn(s, "cannot read the cgroup tree: every task that existed before the trace is looked up "
			   "in /proc (marked '*')");
}

bool snoop_cgroup_session_pass(struct snoop_session *s, const struct snoop_pending *p, uint16_t type)
{
	struct snoop_record rec = { .data = p->data, .size = p->size, .cpu = p->cpu, .ts = p->ts };
	int m;

	memcpy(&rec.pid, (const char *)p->data + 4, sizeof(rec.pid));
	if (type == s->cg_ids[CG_NEWTASK]) {
		rec.ev = s->cg_ev[CG_NEWTASK];
		snoop_cgroups_on_newtask(s->cgroups, &rec);
	} else if (type == s->cg_ids[CG_ATTACH] || type == s->cg_ids[CG_TRANSFER]) {
		rec.ev = s->cg_ev[type == s->cg_ids[CG_ATTACH] ? CG_ATTACH : CG_TRANSFER];
		snoop_cgroups_on_attach(s->cgroups, &rec);
	}
	if (!s->cg_filter)
		return true;
	m = snoop_cgroups_match(s->cgroups, rec.pid);
	if (m > 0)
		return true;
	if (m < 0)
		s->cg_unknown++;
	else
		s->cg_dropped++;
	return false;
}

void snoop_cgroup_session_report(struct snoop_session *s)
{
	if (s->cgroups && s->opts.verbose)
		snoop_warn(s, "cgroups: %zu held at the end", snoop_cgroups_held(s->cgroups));
	if (!s->cg_filter)
		return;
	if (s->cg_unknown)
		snoop_warn(s, "--cgroup: %llu records of tasks whose cgroup could not be known (gone before they "
			   "were looked up) were dropped", (unsigned long long)s->cg_unknown);
	if (s->opts.verbose)
		snoop_warn(s, "--cgroup: %llu records of tasks in other cgroups dropped",
			   (unsigned long long)s->cg_dropped);
}

struct snoop_cgroups *snoop_session_cgroups(struct snoop_session *s)
{
	return s->cgroups;
}

void snoop_session_task_cgroup(struct snoop_session *s, struct snoop_task *t)
{
	if (s->cgroups)
		snoop_cgroups_get(s->cgroups, t);
}

void snoop_session_put_cgroup(struct snoop_session *s, struct snoop_buf *b, pid_t tid)
{
	struct snoop_task t = { .tid = tid };

	if (!s->opts.print_cgroup)
		return;
	snoop_session_task_cgroup(s, &t);
	snoop_col_cgroup(b, &t, SNOOP_CGROUP_WIDTH);
}

void snoop_session_json_cgroup(struct snoop_session *s, struct snoop_json *j, pid_t tid)
{
	struct snoop_task t = { .tid = tid };

	if (!s->opts.print_cgroup)
		return;
	snoop_session_task_cgroup(s, &t);
	snoop_json_cgroup(j, &t);
}

void snoop_session_put_task_cgroup(struct snoop_session *s, struct snoop_buf *b, const struct snoop_task *t)
{
	if (s->opts.print_cgroup)
		snoop_col_cgroup(b, t, SNOOP_CGROUP_WIDTH);
}

void snoop_session_json_task_cgroup(struct snoop_session *s, struct snoop_json *j, const struct snoop_task *t)
{
	if (s->opts.print_cgroup)
		snoop_json_cgroup(j, t);
}

void snoop_task_cgroup_keep(struct snoop_task *t, struct snoop_cgroup_keep *k)
{
	k->path = t->cgroup ? strdup(t->cgroup) : NULL;
	k->shortp = t->cgroup_short ? strdup(t->cgroup_short) : NULL;
	if ((t->cgroup && !k->path) || (t->cgroup_short && !k->shortp)) {
		snoop_cgroup_keep_free(k);
		t->cgroup_id = 0;
		t->cgroup_src = SNOOP_TASK_UNKNOWN;
	}
	t->cgroup = k->path;
	t->cgroup_short = k->shortp;
}

void snoop_cgroup_keep_free(struct snoop_cgroup_keep *k)
{
	free(k->path);
	free(k->shortp);
	k->path = k->shortp = NULL;
}

/* One cgroup as a count key: the cache's ID and how it was learned. */
struct snoop_cgroup_key {
	uint64_t id;
	bool late;
	char name[256];  /* short, with the mark */
	char *path;      /* in full, for JSON */
};

int snoop_session_cgroup_key(struct snoop_session *s, pid_t tid)
{
	struct snoop_task t = { .tid = tid };
	struct snoop_cgroup_key *k;
	bool late;

	if (!s->cgroups || !snoop_cgroups_get(s->cgroups, &t) || t.cgroup_src == SNOOP_TASK_UNKNOWN || !t.cgroup)
		return 0;
	late = t.cgroup_src == SNOOP_TASK_PROC;
	/* A handful of cgroups in a run: a linear search on the ID is enough. */
	for (int i = 0; i < s->cg_nkeys; i++)
		if (s->cg_keys[i].id == t.cgroup_id && s->cg_keys[i].late == late)
			return i + 1;
	if (s->cg_nkeys == s->cg_capkeys) {
		int ncap = s->cg_capkeys ? s->cg_capkeys * 2 : 16;

		k = realloc(s->cg_keys, (size_t)ncap * sizeof(*k));
		if (!k)
			return -1;
		s->cg_keys = k;
		s->cg_capkeys = ncap;
	}
	k = &s->cg_keys[s->cg_nkeys];
	if (!(k->path = strdup(t.cgroup)))
		return -1;
	k->id = t.cgroup_id;
	k->late = late;
	if (t.cgroup_short)
		snprintf(k->name, sizeof(k->name) - 1, "%s", t.cgroup_short);
	else
		snoop_cgroup_short(t.cgroup, k->name, sizeof(k->name) - 1);
	if (late)
		strcat(k->name, "*");
	return ++s->cg_nkeys;
}

const char *snoop_session_cgroup_name(struct snoop_session *s, int key)
{
	return key > 0 && key <= s->cg_nkeys ? s->cg_keys[key - 1].name : "?";
}

void snoop_session_json_cgroup_key(struct snoop_session *s, struct snoop_json *j, int key)
{
	const struct snoop_cgroup_key *k = key > 0 && key <= s->cg_nkeys ? &s->cg_keys[key - 1] : NULL;

	snoop_json_cstr(j, "cgroup", k ? k->path : NULL);
	if (k)
		snoop_json_uint(j, "cgroup_id", k->id);
	else
		snoop_json_null(j, "cgroup_id");
	snoop_json_bool(j, "cgroup_late", k && k->late);
}

void snoop_cgroup_session_free(struct snoop_session *s)
{
	for (int i = 0; i < s->cg_nkeys; i++)
		free(s->cg_keys[i].path);
	free(s->cg_keys);
	s->cg_keys = NULL;
	s->cg_nkeys = s->cg_capkeys = 0;
}

void snoop_session_top_cgroup(struct snoop_session *s, struct snoop_buf *b, pid_t tid)
{
	int key = snoop_session_cgroup_key(s, tid);

	/* Out of memory: the row goes under "?", which is not a lie. */
	snoop_buf_adds(b, snoop_session_cgroup_name(s, key < 0 ? 0 : key));
	snoop_buf_addc(b, '\0');
}
