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

/* Keys per table: a pid or comm per entry. The kernel drops a hit whose key
 * finds no room (counted as Dropped: reported). */
#define KP_HIST_SIZE_KEYED 8192

static const char *hist_keys(struct kp *kp, struct kp_probe *p)
{
	switch (kp->o->by) {
	case KP_BY_PID:
		return "common_pid";
	case KP_BY_COMM:
		return p->comm_field ? KP_COMM_ARG : "common_pid.execname";
	default:
		return "common_type";
	}
}

/* Why the kernel path cannot be used, NULL when it can. */
static const char *why_not(struct kp *kp)
{
	const struct snoop_opts *c = &kp->o->common;

	if (kp->o->user_count)
		return "--user-count";
	if (!kp->o->count || c->top)
		return "";
	if (c->pid || c->tid || c->comm)
		return "-p, -L and -n filter records, not hist triggers";
	if (c->max_events)
		return "-M stops at a hit, which a hist trigger cannot";
	for (int i = 0; i < kp->nprobes; i++)
		if (!snoop_hist_supported(kp->probes[i].ev))
			return "the kernel has no hist triggers (CONFIG_HIST_TRIGGERS)";
	return NULL;
}

/* The probe's filter for its trigger: the trigger sees every hit, before
 * the event's own filter, so it carries the same condition. */
static void trigger_filter(struct kp_probe *p, struct snoop_buf *f)
{
	if (p->def->filter[0])
		snoop_buf_printf(f, "(%s) && ", p->def->filter);
	snoop_buf_printf(f, "common_pid != %d", (int)getpid());
}

int kp_hist_setup(struct kp *kp)
{
	const char *why = why_not(kp);

	kp->hist_path = false;
	if (why) {
		if (*why && kp->o->common.verbose)
			snoop_warn(kp->s, "counting in user space, one record per hit: %s", why);
		return 0;
	}
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];
		struct snoop_buf spec, f;
		int r;

		snoop_buf_init(&spec);
		snoop_buf_init(&f);
		snoop_buf_printf(&spec, "keys=%s:vals=hitcount", hist_keys(kp, p));
		if (kp->o->by != KP_BY_NONE)
			snoop_buf_printf(&spec, ":size=%d", KP_HIST_SIZE_KEYED);
		trigger_filter(p, &f);
		r = snoop_hist_trigger(p->ev, snoop_buf_cstr(&spec), snoop_buf_cstr(&f));
		snoop_buf_free(&spec);
		snoop_buf_free(&f);
		if (r < 0)
			return 1;
	}
	kp->hist_path = true;
	if (kp->o->common.verbose)
		snoop_warn(kp->s, "counting in the kernel: a hist trigger on each probe, read every %s",
			   kp->o->interval > 0 ? "interval" : "run's end");
	/* The triggers count from their creation: what they saw before the
	 * start is the baseline. */
	return kp_hist_collect(kp) < 0 ? 1 : 0;
}

/* One row of p's table as (pid, comm) of the count table. */
static int row_key(struct kp *kp, struct kp_probe *p, const struct snoop_hist_row *row, pid_t *pid,
		   const char **comm, size_t *commlen)
{
	uint64_t v;
	int ipid;

	*pid = 0;
	*comm = "";
	*commlen = 0;
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

int kp_hist_collect(struct kp *kp)
{
	struct kp_counts now = { 0 };
	int ret = -1;

	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];
		struct snoop_hist_table t;
		char prefix[128];

		snprintf(prefix, sizeof(prefix), "hist:keys=%s:", hist_keys(kp, p));
		if (snoop_hist_read(p->ev, prefix, &t) < 0)
			goto out;
		for (size_t r = 0; r < t.nrows; r++) {
			const char *comm;
			size_t commlen;
			pid_t pid;

			if (row_key(kp, p, &t.rows[r], &pid, &comm, &commlen) < 0) {
				snoop_err(kp->s, "unexpected key '%s' in the hist of %s", t.rows[r].key[0],
					  p->event);
				snoop_hist_table_free(&t);
				goto out;
			}
			if (kp_counts_add(&now, i, pid, comm, commlen, t.rows[r].hitcount) < 0) {
				snoop_hist_table_free(&t);
				kp_fail_oom(kp);
				goto out;
			}
		}
		if (t.dropped > p->hist_dropped)
			snoop_warn(kp->s, "%s: %llu hits not counted: the kernel's table (%d keys) is full",
				   p->event, (unsigned long long)(t.dropped - p->hist_dropped), KP_HIST_SIZE_KEYED);
		p->hist_dropped = t.dropped;
		snoop_hist_table_free(&t);
	}
	/* What grew since the last read goes to the printed counts. */
	for (size_t k = 0; k < now.cap; k++) {
		struct kp_count *c = &now.slot[k];
		uint64_t before;

		if (!c->used)
			continue;
		before = kp_counts_get(&kp->hist_prev, c->probe, c->pid, c->comm);
		if (c->n <= before)
			continue;
		if (kp->started_counting) {
			if (kp_counts_add(&kp->counts, c->probe, c->pid, c->comm, strlen(c->comm), c->n - before) < 0) {
				kp_fail_oom(kp);
				goto out;
			}
			kp->hits += c->n - before;
			kp->probes[c->probe].hits += c->n - before;
		}
	}
	kp->started_counting = true;
	kp_counts_free(&kp->hist_prev);
	kp->hist_prev = now;
	return 0;
out:
	kp_counts_free(&now);
	kp->failed = true;
	snoop_session_stop(kp->s);
	return ret;
}
