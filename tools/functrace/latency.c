// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace --latency FUNC... and --slower-than DURATION (funclatency,
 * funcslower): how long each call of FUNC took, from a kprobe on its entry
 * to a kretprobe on its return, both in the session's group (removed with
 * it, and by the reaper or the next sweep after a kill -9).
 *
 * The entry and return records are paired per TID in user space (pair.h),
 * one table per function: a task runs one call of a function at a time,
 * unless it recurses; a recursive call's outer entry is then dropped as
 * "exit not seen" and its return finds nothing, and both are counted in
 * the summary instead of making a wrong duration. A loss between entry and
 * return splits the pair the same way.
 *
 * --latency: a log2 histogram of microseconds per function, at the end and
 * every -i seconds (each interval's own calls). --slower-than: one line per
 * call that took that long or longer.
 *
 * Not done yet: the in-kernel path (a synthetic event fed by onmatch on the
 * kretprobe, hist trigger on it: lib/hist.c), where the kernel has hist
 * triggers; and -s with --slower-than.
 */
#include <stdlib.h>
#include <string.h>

#include <snoop/hist.h>
#include <snoop/pair.h>

#include "functrace.h"

#define FT_LAT_BUCKETS 64

struct ft_lat_func {
	struct functrace *ft;
	const char *name;             /* the PATTERN: a function name */
	struct snoop_pairs *pairs;
	uint64_t hist[FT_LAT_BUCKETS]; /* this interval's, by log2 of usecs */
	uint64_t calls;                /* this interval's */
};

struct ft_lat {
	struct ft_lat_func *f;
	size_t n;
};

static void on_entry(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct ft_lat_func *f = ctx;

	if (!snoop_pairs_enter(f->pairs, r->pid, r->ts, snoop_session_loss_seq(s)))
		snoop_session_fail(s, "out of memory pairing calls of %s", f->name);
}

static void print_slow(struct ft_lat_func *f, const struct snoop_record *r, uint64_t ns)
{
	struct functrace *ft = f->ft;
	struct snoop_buf *b = snoop_session_out(ft->s);

	if (ft->o->common.json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		ft_json_task(ft, &j, r);
		snoop_json_cstr(&j, "function", f->name);
		snoop_json_uint(&j, "duration_ns", ns);
		snoop_json_end(&j);
		return;
	}
	snoop_session_put_time(ft->s, b, r->ts);
	ft_put_task(ft, b, r);
	snoop_buf_printf(b, "%12llu.%03llu  %s\n", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000),
			 f->name);
	ft->printed++;
}

static void on_return(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct ft_lat_func *f = ctx;
	struct functrace *ft = f->ft;
	struct snoop_pair_slot *e = snoop_pairs_exit(f->pairs, r->pid, snoop_session_loss_seq(s));
	uint64_t ns;

	ft->calls++;
	if (!e || r->ts < e->ts)
		return;
	ns = r->ts - e->ts;
	/* -n: by the task's name, known from the sched events (a kprobe
	 * record has no comm). */
	if (!ft_comm_ok(ft, r->pid))
		return;
	f->hist[snoop_log2_bucket(ns / 1000)]++;
	f->calls++;
	if (ft->o->slower_than && ns >= ft->o->slower_than)
		print_slow(f, r, ns);
}

/* One function's histogram: "[lo, hi] count |bar|" per log2 bucket of
 * usecs, from the first to the last non-empty one. */
static void print_hist(struct functrace *ft, struct ft_lat_func *f)
{
	struct snoop_buf *b = snoop_session_out(ft->s);
	struct snoop_pair_stats st;
	int lo = -1, hi = -1;
	uint64_t max = 0;

	snoop_pairs_get_stats(f->pairs, &st);
	for (int e = 0; e < FT_LAT_BUCKETS; e++) {
		if (!f->hist[e])
			continue;
		if (lo < 0)
			lo = e;
		hi = e;
		if (f->hist[e] > max)
			max = f->hist[e];
	}
	snoop_buf_printf(b, "%s latency (usecs): %llu call%s\n", f->name, (unsigned long long)f->calls,
			 f->calls == 1 ? "" : "s");
	for (int e = lo; lo >= 0 && e <= hi; e++) {
		unsigned long long first = e == 0 ? 0 : (1ULL << (e - 1)) + 1, last = 1ULL << e;
		size_t mark = b->len;
		int bar = (int)((f->hist[e] * 40 + max - 1) / max);

		snoop_buf_printf(b, "[%llu, %llu]", first, last);
		snoop_buf_pad(b, mark, 26);
		snoop_buf_printf(b, " %-8llu |%.*s%*s|\n", (unsigned long long)f->hist[e], bar,
				 "****************************************", 40 - bar, "");
	}
	/* What could not be paired is said, never folded into a bucket. */
	if (st.no_entry || st.no_exit || st.split || st.evicted)
		snoop_buf_printf(b, "  not paired so far: %llu returns without their entry, %llu entries without their "
				 "return (recursion or loss), %llu split by a loss\n",
				 (unsigned long long)st.no_entry, (unsigned long long)(st.no_exit + st.evicted),
				 (unsigned long long)st.split);
}

static void on_tick(struct snoop_session *s, bool final, void *ctx)
{
	struct functrace *ft = ctx;
	struct ft_lat *l = ft->lat;

	(void)final;
	if (!ft->o->latency)
		return;
	if (ft->o->interval > 0)
		snoop_buf_printf(snoop_session_out(s), "\n");
	for (size_t i = 0; i < l->n; i++) {
		print_hist(ft, &l->f[i]);
		memset(l->f[i].hist, 0, sizeof(l->f[i].hist));
		l->f[i].calls = 0;
	}
	snoop_session_flush(s);
}

int functrace_latency_setup(struct functrace *ft)
{
	struct functrace_opts *o = ft->o;
	struct ft_lat *l = calloc(1, sizeof(*l));
	char name[64];

	if (!l || !(l->f = calloc(o->ninc, sizeof(*l->f)))) {
		free(l);
		snoop_err(ft->s, "out of memory");
		return -1;
	}
	ft->lat = l;
	for (size_t i = 0; i < o->ninc; i++) {
		struct ft_lat_func *f = &l->f[l->n++];

		f->ft = ft;
		f->name = o->inc[i].arg;
		f->pairs = snoop_pairs_new(sizeof(struct snoop_pair_slot), 0, NULL, NULL);
		if (!f->pairs) {
			snoop_err(ft->s, "out of memory");
			return -1;
		}
		snprintf(name, sizeof(name), "lat%zu_entry", i);
		if (!snoop_session_kprobe(ft->s, name, f->name, NULL, false, on_entry, f))
			return -1;
		snprintf(name, sizeof(name), "lat%zu_return", i);
		if (!snoop_session_kprobe(ft->s, name, f->name, NULL, true, on_return, f))
			return -1;
	}
	if (ft_comms_track(ft->comms, ft->s) < 0)
		return -1;
	snoop_session_on_tick(ft->s, o->interval, on_tick, ft);
	return 0;
}

void functrace_latency_header(struct functrace *ft)
{
	struct snoop_buf *b = snoop_session_out(ft->s);

	if (ft->o->common.json || !ft->o->header || !ft->o->slower_than)
		return;
	snoop_session_put_time_header(ft->s, b);
	snoop_buf_printf(b, "%-16s %-7s %-3s %16s  %s\n", "COMM", "PID", "CPU", "DURATION(us)", "FUNCTION");
}

void functrace_latency_free(struct functrace *ft)
{
	struct ft_lat *l = ft->lat;

	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		snoop_pairs_free(l->f[i].pairs);
	free(l->f);
	free(l);
	ft->lat = NULL;
}
