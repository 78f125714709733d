// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe --latency t:syscalls:sys_enter_NAME: how long each call of a system
 * call took, from its entry tracepoint to its exit tracepoint in the same
 * task, as a log2 histogram of microseconds (histogram.c prints it).
 *
 * In the kernel where it has hist triggers and synthetic events: the entry
 * saves common_timestamp.usecs per pid in a variable, the exit computes
 * the difference and fires the session's synthetic event <group>_lat with
 * it (onmatch), and a hist trigger on that event makes the histogram. Only
 * the synthetic event is global; the triggers live in the instance.
 *
 * Elsewhere in user space: both tracepoints are recorded and paired per
 * TID. A loss may split a pair: every open entry is then forgotten, so a
 * latency is never made from an exit and the wrong entry.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/hist.h>

#include "kprobe.h"

/* Open entries by TID: open addressing, grown at half full. */
struct kp_lat_open {
	pid_t tid;     /* 0: free */
	uint64_t ts;
};

static struct kp_lat_open *slot(struct kp_lat_open *t, size_t cap, pid_t tid)
{
	size_t h = ((size_t)tid * 2654435761u) & (cap - 1);

	while (t[h].tid && t[h].tid != tid)
		h = (h + 1) & (cap - 1);
	return &t[h];
}

static int put(struct kp *kp, pid_t tid, uint64_t ts)
{
	struct kp_lat_open *s;

	if (kp->lat_n * 2 >= kp->lat_cap) {
		size_t ncap = kp->lat_cap ? kp->lat_cap * 2 : 1024;
		struct kp_lat_open *nt = calloc(ncap, sizeof(*nt));

		if (!nt)
			return -1;
		for (size_t i = 0; i < kp->lat_cap; i++)
			if (kp->lat_open[i].tid)
				*slot(nt, ncap, kp->lat_open[i].tid) = kp->lat_open[i];
		free(kp->lat_open);
		kp->lat_open = nt;
		kp->lat_cap = ncap;
	}
	s = slot(kp->lat_open, kp->lat_cap, tid);
	if (!s->tid)
		kp->lat_n++;
	s->tid = tid;
	s->ts = ts;
	return 0;
}

/* Remove tid's open entry (backward-shift deletion keeps the probe chains
 * whole); its time in *ts. False when there is none. */
static bool take(struct kp *kp, pid_t tid, uint64_t *ts)
{
	size_t cap = kp->lat_cap, i, j;
	struct kp_lat_open *t = kp->lat_open;

	if (!cap)
		return false;
	i = (size_t)(slot(t, cap, tid) - t);
	if (!t[i].tid)
		return false;
	*ts = t[i].ts;
	t[i].tid = 0;
	kp->lat_n--;
	for (j = (i + 1) & (cap - 1); t[j].tid; j = (j + 1) & (cap - 1)) {
		size_t home = ((size_t)t[j].tid * 2654435761u) & (cap - 1);

		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			t[i] = t[j];
			t[j].tid = 0;
			i = j;
		}
	}
	return true;
}

void kp_latency_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		    size_t commlen)
{
	uint64_t seq = snoop_session_loss_seq(kp->a.s), ts;
	int64_t bucket;

	if (seq != kp->lat_loss_seq) {
		kp->lat_loss_seq = seq;
		if (kp->lat_cap)
			memset(kp->lat_open, 0, kp->lat_cap * sizeof(*kp->lat_open));
		kp->lat_n = 0;
	}
	if (p->idx == 0) {
		if (put(kp, r->pid, r->ts) < 0)
			kp_fail_oom(kp);
		return;
	}
	if (!take(kp, r->pid, &ts) || r->ts < ts)
		return;
	bucket = kp_log2_bucket((r->ts - ts) / 1000);
	if (kp_counts_add(&kp->counts, 0, kp->o->by == KP_BY_PID ? r->pid : 0, comm,
			  kp->o->by == KP_BY_COMM ? commlen : 0, bucket, 1) < 0)
		kp_fail_oom(kp);
}

/*
 * The entry's and exit's triggers, from the session's arm hook: once the
 * instance is set up, before tracing goes on. Triggers that read
 * common_timestamp written before the start's writes (tracing_on,
 * buffer_percent, trace_clock) gave the first latencies of a run wrong on
 * 6.1 and 6.12 (2^64, or none); written here, none was wrong in the VM
 * tests. Such a trigger also sets the instance's trace_clock to its clock=
 * (global by default): mono, the session's.
 */
static int arm(struct snoop_session *s, void *ctx)
{
	struct kp *kp = ctx;
	struct kp_probe *enter = &kp->probes[0], *exit = &kp->probes[1];

	(void)s;
	return snoop_hist_latency_pair(enter->ev, exit->ev, kp->lat_probe.ev, "0", enter->def->filter);
}

/* The kernel path, before the start: the synthetic event (its histogram's
 * trigger is hist.c's); the entry and exit are read by triggers only. */
int kp_latency_kernel_setup(struct kp *kp)
{
	struct kp_probe *lat = &kp->lat_probe;

	lat->ev = snoop_hist_synth(kp->a.s, "lat", "u64 lat", NULL, NULL);
	if (!lat->ev)
		return 1;
	lat->kp = kp;
	lat->idx = 0;
	lat->text = kp->probes[0].text;
	lat->def = kp->lat_def;
	snprintf(lat->event, sizeof(lat->event), "%s", snoop_event_name(lat->ev));
	if (kp_fields_prepare(lat) < 0)
		return 1;
	for (int k = 0; k < lat->nfields; k++)
		if (!strcmp(lat->fields[k].name, "lat"))
			lat->hist_field = &lat->fields[k];
	if (!lat->hist_field) {
		snoop_err(kp->a.s, "the synthetic event %s has no field lat", lat->event);
		return 1;
	}
	snoop_hist_trigger_only(kp->probes[0].ev);
	snoop_hist_trigger_only(kp->probes[1].ev);
	snoop_session_on_arm(kp->a.s, arm, kp);
	return 0;
}

void kp_latency_free(struct kp *kp)
{
	free(kp->lat_open);
	free(kp->lat_probe.fields);
	free(kp->lat_def);
}
