// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace --latency FUNC... and --slower-than DURATION (funclatency,
 * funcslower): how long each call of FUNC took, from a kprobe on its entry
 * to a kretprobe on its return, both in the session's group (removed with
 * it, and by the reaper or the next sweep after a kill -9).
 *
 * In the kernel where it has hist triggers and synthetic events (--latency
 * without -p, -L, -n, -M or --slower-than): the entry's trigger saves the
 * time per pid, the return's computes the duration and fires the session's
 * synthetic event <group>_lat<N> (lib/hist.c), whose hist trigger keyed by
 * lat.log2 is the histogram; no record goes through the ring buffer, and
 * only the synthetic events are global (removed with the session, by the
 * reaper or by the sweep).
 *
 * Elsewhere the entry and return records are paired per TID in user space (pair.h),
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
 * With -s, a stacktrace trigger on each return probe (in the session's
 * instance: it goes with it) makes the kernel write the stack after every
 * return record; the slow calls' are printed, the probe's own frames (the
 * kretprobe trampoline's) left out.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <snoop/hist.h>
#include <snoop/ksym.h>
#include <snoop/pair.h>

#include "functrace.h"

#define FT_LAT_BUCKETS 65 /* snoop_log2_bucket(): 0 to 64 */

struct ft_lat_func {
	struct functrace *ft;
	const char *name;             /* the PATTERN: a function name */
	struct snoop_pairs *pairs;
	uint64_t hist[FT_LAT_BUCKETS]; /* this interval's, by log2 of usecs */
	uint64_t calls;                /* this interval's */
	/* The kernel path: */
	struct snoop_event *entry, *ret, *synth;
	uint64_t seen[FT_LAT_BUCKETS]; /* the hist file's counts at the last read */
	uint64_t dropped;              /* its "Dropped" at the last read */
};

struct ft_lat {
	struct ft_lat_func *f;
	size_t n;
	bool kernel;                   /* histograms by hist triggers */
};

#define FT_LAT_KEYS "keys=lat.log2"

static void on_entry(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct ft_lat_func *f = ctx;

	if (!snoop_pairs_enter(f->pairs, r->pid, r->ts, snoop_session_loss_seq(s)))
		snoop_session_fail(s, "out of memory pairing calls of %s", f->name);
}

/* The frames above the function's caller that the return probe's own
 * machinery adds (kretprobe_trace_func ... arch_rethook_trampoline). */
static bool probe_frame(struct functrace *ft, uint64_t addr)
{
	static const char *const own[] = { "kretprobe_", "__kretprobe_", "rethook_", "arch_rethook_", "kprobe_",
					   "trace_", "ftrace_" };
	const struct snoop_ksym *k = snoop_ksym_lookup(ft->ksyms, addr, NULL);

	for (size_t i = 0; k && i < sizeof(own) / sizeof(own[0]); i++)
		if (!strncmp(k->name, own[i], strlen(own[i])))
			return true;
	return false;
}

static void print_slow(struct functrace *ft, const struct snoop_record *r, void *what, uint64_t ns,
		       const uint64_t *callers, int depth)
{
	struct ft_lat_func *f = what;
	struct snoop_buf *b = snoop_session_out(ft->s);

	while (depth > 0 && probe_frame(ft, callers[0])) {
		callers++;
		depth--;
	}
	if (!ft->o->a.common.json) {
		snoop_session_put_time(ft->s, b, r->ts);
		ft_put_task(ft, b, r);
		snoop_buf_printf(b, "%12llu.%03llu  %s\n", (unsigned long long)(ns / 1000),
				 (unsigned long long)(ns % 1000), f->name);
		ft_put_stack(ft, b, callers, depth);
	} else {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		ft_json_task(ft, &j, r);
		snoop_json_cstr(&j, "function", f->name);
		snoop_json_uint(&j, "duration_ns", ns);
		if (ft->o->stack)
			ft_json_stack(ft, &j, callers, depth);
		snoop_json_end(&j);
	}
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
	if (ft->o->slower_than && ns >= ft->o->slower_than) {
		if (ft->o->stack)
			ft_hold(ft, r, print_slow, f, ns);
		else
			print_slow(ft, r, f, ns, NULL, 0);
	}
}

/* One function's histogram: "[lo, hi] count |bar|" per log2 bucket of
 * usecs, from the first to the last non-empty one. */
static void print_hist(struct functrace *ft, struct ft_lat_func *f)
{
	struct snoop_buf *b = snoop_session_out(ft->s);
	struct snoop_pair_stats st;
	int lo = -1, hi = -1;
	uint64_t max = 0;

	memset(&st, 0, sizeof(st));
	if (f->pairs)
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

/* -j: one object per function and interval; bucket e (the "log2"
 * array) holds the calls of (2^(e-1), 2^e] microseconds. */
static void json_hist(struct functrace *ft, struct ft_lat_func *f, bool final)
{
	struct snoop_pair_stats st;
	struct snoop_json j;

	snoop_json_begin(&j, snoop_session_out(ft->s));
	snoop_json_cstr(&j, "type", "latency");
	snoop_session_json_time(ft->s, &j, snoop_now_ns(CLOCK_MONOTONIC));
	snoop_json_int(&j, "interval", ft->interval_no);
	snoop_json_bool(&j, "final", final);
	snoop_json_cstr(&j, "function", f->name);
	snoop_json_cstr(&j, "unit", "us");
	snoop_json_uint(&j, "calls", f->calls);
	snoop_json_array_begin(&j, "log2");
	for (int e = 0; e < FT_LAT_BUCKETS; e++)
		if (f->hist[e])
			snoop_json_array_int(&j, e);
	snoop_json_array_end(&j);
	snoop_json_array_begin(&j, "count");
	for (int e = 0; e < FT_LAT_BUCKETS; e++)
		if (f->hist[e])
			snoop_json_array_int(&j, (int64_t)f->hist[e]);
	snoop_json_array_end(&j);
	if (f->pairs) {
		/* Since the start, as in the text's "not paired" line. */
		snoop_pairs_get_stats(f->pairs, &st);
		snoop_json_uint(&j, "returns_without_entry", st.no_entry);
		snoop_json_uint(&j, "entries_without_return", st.no_exit + st.evicted);
		snoop_json_uint(&j, "split_by_loss", st.split);
	}
	snoop_json_end(&j);
}

/* The kernel path: this interval's calls are the hist file's counts less
 * those of the last read (the trigger counts from its creation). */
static int collect(struct functrace *ft, struct ft_lat_func *f)
{
	struct snoop_hist_table t;
	uint64_t now[FT_LAT_BUCKETS] = { 0 };
	int ret = 0;

	if (snoop_hist_read(f->synth, "hist:" FT_LAT_KEYS ":", &t) < 0)
		return -1;
	for (size_t r = 0; r < t.nrows; r++) {
		unsigned int e;

		if (snoop_hist_key_log2(t.rows[r].key[0], &e) < 0 || e >= FT_LAT_BUCKETS) {
			snoop_err(ft->s, "unexpected key '%s' in the hist of %s", t.rows[r].key[0], snoop_event_name(f->synth));
			ret = -1;
			break;
		}
		now[e] += t.rows[r].hitcount;
	}
	for (int e = 0; e < FT_LAT_BUCKETS && !ret; e++) {
		f->hist[e] = now[e] - f->seen[e];
		f->calls += f->hist[e];
		f->seen[e] = now[e];
	}
	if (!ret && t.dropped > f->dropped) {
		snoop_warn(ft->s, "%s: the kernel's table was full: %llu calls not counted", f->name,
			   (unsigned long long)(t.dropped - f->dropped));
		f->dropped = t.dropped;
	}
	snoop_hist_table_free(&t);
	return ret;
}

static void on_tick(struct snoop_session *s, bool final, void *ctx)
{
	struct functrace *ft = ctx;
	struct ft_lat *l = ft->lat;

	if (!ft->o->latency)
		return;
	if (ft->o->interval > 0 && !ft->o->a.common.json)
		snoop_buf_printf(snoop_session_out(s), "\n");
	for (size_t i = 0; i < l->n; i++) {
		if (l->kernel && collect(ft, &l->f[i]) < 0) {
			snoop_session_fail(s, "cannot read the histogram of %s", l->f[i].name);
			return;
		}
		if (ft->o->a.common.json)
			json_hist(ft, &l->f[i], final);
		else
			print_hist(ft, &l->f[i]);
		memset(l->f[i].hist, 0, sizeof(l->f[i].hist));
		l->f[i].calls = 0;
	}
	ft->interval_no++;
	snoop_session_flush(s);
}

/* Why the kernel path cannot be used, NULL when it can. */
static const char *why_not(struct functrace *ft)
{
	const struct snoop_opts *c = &ft->o->a.common;

	if (ft->o->user_space)
		return "--user-space";
	if (ft->o->slower_than)
		return "--slower-than prints each call";
	if (c->pid || c->tid || c->comm)
		return "-p, -L and -n filter records, not hist triggers";
	if (c->max_events)
		return "-M stops at a record, which a hist trigger cannot";
	if (!snoop_session_features(ft->s)->dynamic_events)
		return "the kernel has no dynamic_events for a synthetic event";
	for (size_t i = 0; i < ft->lat->n; i++)
		if (!snoop_hist_supported(ft->lat->f[i].entry))
			return "the kernel has no hist triggers (CONFIG_HIST_TRIGGERS)";
	return NULL;
}

/* From the session's arm hook: the pairs' triggers (see hist.h why not
 * earlier). */
static int arm(struct snoop_session *s, void *ctx)
{
	struct ft_lat *l = ctx;
	char tag[24];

	(void)s;
	for (size_t i = 0; i < l->n; i++) {
		snprintf(tag, sizeof(tag), "%zu", i);
		if (snoop_hist_latency_pair(l->f[i].entry, l->f[i].ret, l->f[i].synth, tag, NULL) < 0)
			return -1;
	}
	return 0;
}

static int kernel_setup(struct functrace *ft)
{
	struct ft_lat *l = ft->lat;
	char suffix[24];

	for (size_t i = 0; i < l->n; i++) {
		struct ft_lat_func *f = &l->f[i];

		snprintf(suffix, sizeof(suffix), "lat%zu", i);
		f->synth = snoop_hist_synth(ft->s, suffix, "u64 lat", NULL, NULL);
		if (!f->synth || snoop_hist_trigger(f->synth, FT_LAT_KEYS, NULL) < 0)
			return -1;
		snoop_hist_trigger_only(f->entry);
		snoop_hist_trigger_only(f->ret);
	}
	snoop_session_on_arm(ft->s, arm, l);
	l->kernel = true;
	return 0;
}

/* -s: the kernel's stack after each return record (kernel_stack). */
static int stack_triggers(struct functrace *ft)
{
	char file[256];

	for (size_t i = 0; i < ft->lat->n; i++) {
		struct snoop_event *ev = ft->lat->f[i].ret;

		snprintf(file, sizeof(file), "events/%s/%s/trigger", snoop_event_system(ev), snoop_event_name(ev));
		if (snoop_session_instance_write(ft->s, file, "stacktrace") < 0)
			return -1;
	}
	return ft_stack_events(ft);
}

int functrace_latency_setup(struct functrace *ft)
{
	const char *why;
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
		snprintf(name, sizeof(name), "lat%zu_entry", i);
		f->entry = snoop_session_kprobe(ft->s, name, f->name, NULL, false, on_entry, f);
		if (!f->entry)
			return -1;
		snprintf(name, sizeof(name), "lat%zu_return", i);
		f->ret = snoop_session_kprobe(ft->s, name, f->name, NULL, true, on_return, f);
		if (!f->ret)
			return -1;
	}
	why = why_not(ft);
	if (!why) {
		if (kernel_setup(ft) < 0)
			return -1;
		if (o->a.common.verbose)
			snoop_warn(ft->s, "histogram in the kernel: hist triggers and synthetic events, read every %s",
				   o->interval > 0 ? "interval" : "run's end");
	} else {
		if (o->a.common.verbose)
			snoop_warn(ft->s, "pairing in user space, one record per entry and return: %s", why);
		for (size_t i = 0; i < l->n; i++) {
			l->f[i].pairs = snoop_pairs_new(sizeof(struct snoop_pair_slot), 0, NULL, NULL);
			if (!l->f[i].pairs) {
				snoop_err(ft->s, "out of memory");
				return -1;
			}
		}
		if (ft_tasks_track(ft) < 0)
			return -1;
		if (o->stack && stack_triggers(ft) < 0)
			return -1;
	}
	snoop_session_on_tick(ft->s, o->interval, on_tick, ft);
	return 0;
}

void functrace_latency_header(struct functrace *ft)
{
	struct snoop_buf *b = snoop_session_out(ft->s);

	if (ft->o->a.common.json || !ft->o->header || !ft->o->slower_than)
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
