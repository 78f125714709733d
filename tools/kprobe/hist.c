// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe -c through hist triggers: each probe's event gets a "hist:" trigger
 * in the session's instance and is not recorded at all; every tick reads
 * the event's hist file and adds what grew since the last read. The kernel
 * counts every hit, at any rate, where the user-space count loses what the
 * ring buffer cannot hold.
 *
 * Keys per --by:
 *   none   common_type: one row per probe
 *   pid    common_pid (the TID, as the user-space count uses)
 *   comm   __comm (the probe's $comm fetch arg, the task's name at the
 *          hit) where the probe has it; a tracepoint has no such field:
 *          common_pid.execname, summed per name here (the name is the one
 *          the task had at its first hit)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <snoop/hist.h>

#include "kprobe.h"

static const char *by_key(struct kp *kp, struct kp_probe *p)
{
	switch (kp->o->by) {
	case KP_BY_PID:
		return "common_pid";
	case KP_BY_COMM:
		return p->comm_field ? KP_COMM_ARG : "common_pid.execname";
	default:
		return NULL;
	}
}

/* The triggers a probe gets; their number. */
static int probe_tabs(struct kp *kp, struct kp_probe *p, struct kp_tab tab[2])
{
	const char *by = by_key(kp, p);
	const struct kp_field *f = p->hist_field;
	int n = 0;

	if (!f && kp->o->stacks) {
		tab[0].kind = KP_TAB_STACK;
		snprintf(tab[0].keys, sizeof(tab[0].keys), "%s", kp_stack_key(kp));
		return 1;
	}
	if (!f) {
		tab[0].kind = KP_TAB_COUNT;
		snprintf(tab[0].keys, sizeof(tab[0].keys), "%s", by ? by : "common_type");
		return 1;
	}
	tab[n].kind = KP_TAB_VALUES;
	if (kp->o->linear)
		snprintf(tab[n].keys, sizeof(tab[n].keys), "%s%s%s.buckets=%llu", by ? by : "", by ? "," : "", f->name,
			 (unsigned long long)kp->o->lin_step);
	else
		snprintf(tab[n].keys, sizeof(tab[n].keys), "%s%s%s.log2", by ? by : "", by ? "," : "", f->name);
	n++;
	if (f->kind == KP_SIGNED) {
		tab[n].kind = KP_TAB_NEG;
		snprintf(tab[n].keys, sizeof(tab[n].keys), "%s", by ? by : "common_type");
		n++;
	}
	return n;
}

const char *kp_hist_why_not(struct kp *kp)
{
	const struct snoop_opts *c = &kp->a.common;

	if (kp->o->user_count)
		return "--user-count";
	if (!kp->o->count && !kp->o->hist_field && !kp->o->latency && !c->top)
		return "";
	if (c->pid || c->tid || c->comm)
		return "-p, -L and -n filter records, not hist triggers";
	if (c->max_events)
		return "-M stops at a hit, which a hist trigger cannot";
	if (kp->o->by == KP_BY_CGROUP)
		return "--by cgroup: a hist trigger has no cgroup key";
	if (c->top && c->print_cgroup)
		return "-C: a hist trigger has no cgroup key";
	for (int i = 0; i < kp->nprobes; i++)
		if (!snoop_hist_supported(kp->probes[i].ev))
			return "the kernel has no hist triggers (CONFIG_HIST_TRIGGERS)";
	if (kp->o->latency && !snoop_session_features(kp->a.s)->dynamic_events)
		return "the kernel has no dynamic_events for a synthetic event";
	return NULL;
}

/* The probes whose tables are read: the user's, or --latency's synthetic
 * event alone. */
static int hist_nprobes(struct kp *kp)
{
	return kp->o->latency ? 1 : kp->nprobes;
}

static struct kp_probe *hist_probe(struct kp *kp, int i)
{
	return kp->o->latency ? &kp->lat_probe : &kp->probes[i];
}

/* The probe's filter for its trigger: the trigger sees every hit, before
 * the event's own filter, so it carries the same condition. */
static void trigger_filter(struct kp_probe *p, const struct kp_tab *t, struct snoop_buf *f)
{
	if (p->def->filter[0])
		snoop_buf_printf(f, "(%s) && ", p->def->filter);
	snoop_buf_printf(f, "common_pid != %d", (int)getpid());
	if (p->hist_field && p->hist_field->kind == KP_SIGNED)
		snoop_buf_printf(f, " && %s %s 0", p->hist_field->name, t->kind == KP_TAB_NEG ? "<" : ">=");
}

int kp_hist_add(struct kp_probe *p, const struct kp_tab *tab, bool keyed)
{
	struct snoop_buf spec, f;
	int r;

	snoop_buf_init(&spec);
	snoop_buf_init(&f);
	snoop_buf_printf(&spec, "keys=%s:vals=hitcount", tab->keys);
	if (keyed)
		snoop_buf_printf(&spec, ":size=%d", KP_HIST_SIZE_KEYED);
	trigger_filter(p, tab, &f);
	r = snoop_hist_trigger(p->ev, snoop_buf_cstr(&spec), snoop_buf_cstr(&f));
	snoop_buf_free(&spec);
	snoop_buf_free(&f);
	return r;
}

int kp_hist_setup(struct kp *kp)
{
	const char *why = kp_hist_why_not(kp);

	kp->hist_path = false;
	if (kp->a.common.top)
		return 0; /* top.c's own triggers */
	if (why && kp->o->count && kp->o->stacks) {
		snoop_err(kp->a.s, "stack counts (-c -s) are made in the kernel and need hist triggers%s%s; "
			  "kprobe -s prints each hit's stack instead", *why ? ": " : "", why);
		return KP_EXIT_UNAVAILABLE;
	}
	if (why) {
		if (*why && kp->a.common.verbose)
			snoop_warn(kp->a.s, "%s in user space, one record per hit: %s",
				   kp->o->hist_field || kp->o->latency ? "histogram" : "counting", why);
		return 0;
	}
	if (kp->o->latency) {
		int r = kp_latency_kernel_setup(kp);

		if (r)
			return r;
	}
	for (int i = 0; i < hist_nprobes(kp); i++) {
		struct kp_probe *p = hist_probe(kp, i);
		struct kp_tab tab[2];
		int ntab = probe_tabs(kp, p, tab);

		for (int k = 0; k < ntab; k++)
			if (kp_hist_add(p, &tab[k], kp->o->by != KP_BY_NONE || tab[k].kind == KP_TAB_VALUES) < 0)
				return 1;
	}
	kp->hist_path = true;
	if (kp->a.common.verbose)
		snoop_warn(kp->a.s, "%s in the kernel: hist triggers on each probe, read every %s",
			   kp->o->hist_field || kp->o->latency ? "histogram" : "counting",
			   kp->o->interval > 0 ? "interval" : "run's end");
	/* The triggers count from their creation: what they saw before the
	 * start is the baseline. */
	return kp_hist_collect(kp) < 0 ? 1 : 0;
}

/* One row of a probe's table as (pid, comm, bucket) of the count table. */
static int row_key(struct kp *kp, struct kp_probe *p, const struct kp_tab *tab, const struct snoop_hist_row *row,
		   pid_t *pid, const char **comm, size_t *commlen, int64_t *bucket)
{
	int vk = kp->o->by != KP_BY_NONE ? 1 : 0;
	unsigned int e;
	uint64_t v;
	int ipid;

	*pid = 0;
	*comm = "";
	*commlen = 0;
	*bucket = tab->kind == KP_TAB_NEG ? KP_BUCKET_NEG : 0;
	if (tab->kind == KP_TAB_VALUES) {
		if (kp->o->linear) {
			if (snoop_hist_key_bucket(row->key[vk], &v) < 0)
				return -1;
			*bucket = (int64_t)(v / kp->o->lin_step);
		} else {
			if (snoop_hist_key_log2(row->key[vk], &e) < 0)
				return -1;
			*bucket = e;
		}
	}
	switch (kp->o->by) {
	case KP_BY_PID:
		if (snoop_hist_key_u64(row->key[0], &v) < 0)
			return -1;
		*pid = (pid_t)v;
		return 0;
	case KP_BY_COMM:
		if (p->comm_field) {
			*comm = row->key[0];
			*commlen = strlen(row->key[0]);
			return 0;
		}
		return snoop_hist_key_execname(row->key[0], comm, commlen, &ipid);
	default:
		return 0;
	}
}

/* Add the rows of one of p's tables to now. 0, or -1 (message printed). */
static int collect_tab(struct kp *kp, struct kp_probe *p, const struct kp_tab *tab, struct kp_counts *now,
		      uint64_t *dropped)
{
	struct snoop_hist_table t;
	char prefix[256];
	int ret = 0;

	if (tab->kind == KP_TAB_STACK)
		return 0;
	snprintf(prefix, sizeof(prefix), "hist:keys=%s:", tab->keys);
	if (snoop_hist_read(p->ev, prefix, &t) < 0)
		return -1;
	for (size_t r = 0; r < t.nrows && !ret; r++) {
		const char *comm;
		size_t commlen;
		int64_t bucket;
		pid_t pid;

		if (row_key(kp, p, tab, &t.rows[r], &pid, &comm, &commlen, &bucket) < 0) {
			snoop_err(kp->a.s, "unexpected key '%s' in the hist of %s", t.rows[r].key[0], p->event);
			ret = -1;
		} else if (kp_counts_add(now, p->idx, pid, comm, commlen, bucket, t.rows[r].hitcount) < 0) {
			kp_fail_oom(kp);
			ret = -1;
		}
	}
	*dropped += t.dropped;
	snoop_hist_table_free(&t);
	return ret;
}

int kp_hist_collect(struct kp *kp)
{
	struct kp_counts now = { 0 };

	for (int i = 0; i < hist_nprobes(kp); i++) {
		struct kp_probe *p = hist_probe(kp, i);
		struct kp_tab tab[2];
		int ntab = probe_tabs(kp, p, tab);
		uint64_t dropped = 0;

		for (int k = 0; k < ntab; k++)
			if (collect_tab(kp, p, &tab[k], &now, &dropped) < 0)
				goto fail;
		if (dropped > p->hist_dropped)
			snoop_warn(kp->a.s, "%s: %llu hits not counted: the kernel's table (%d keys) is full",
				   p->event, (unsigned long long)(dropped - p->hist_dropped), KP_HIST_SIZE_KEYED);
		p->hist_dropped = dropped;
	}
	/* What grew since the last read goes to the printed counts; the
	 * first read is the baseline. */
	for (size_t k = 0; k < now.cap; k++) {
		struct kp_count *c = &now.slot[k];
		uint64_t before;

		if (!c->used)
			continue;
		before = kp_counts_get(&kp->hist_prev, c->probe, c->pid, c->comm, c->bucket);
		if (c->n <= before || !kp->started_counting)
			continue;
		if (kp_counts_add(&kp->counts, c->probe, c->pid, c->comm, strlen(c->comm), c->bucket, c->n - before) < 0) {
			kp_fail_oom(kp);
			goto fail;
		}
		kp->hits += c->n - before;
		hist_probe(kp, c->probe)->hits += c->n - before;
	}
	kp->started_counting = true;
	kp_counts_free(&kp->hist_prev);
	kp->hist_prev = now;
	return 0;
fail:
	kp_counts_free(&now);
	kp->failed = true;
	snoop_session_stop(kp->a.s);
	return -1;
}
