// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe --hist FIELD: a histogram of a numeric field per probe (and per
 * comm or pid with --by), log2 by default, linear with --linear MIN,MAX,STEP,
 * printed every -i interval and at the end as rows of range, count and bar,
 * the way bpftrace prints hist() and lhist().
 *
 * The buckets are the kernel's, so that both paths give the same table:
 * the hist trigger's FIELD.log2 puts v in 2^e with e = ceil(log2(v)) (0 and
 * 1 in 2^0), i.e. bucket e holds (2^(e-1), 2^e]; FIELD.buckets=STEP puts v
 * in v / STEP. Both take the value as unsigned, so a signed field's
 * negative values are counted apart, in both paths.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include <snoop/hist.h>

#include "kprobe.h"

#define BAR_WIDTH 40

int kp_histogram_setup(struct kp *kp)
{
	const char *f = kp->o->hist_field;

	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];

		p->hist_field = NULL;
		for (int k = 0; k < p->nfields; k++)
			if (!strcmp(p->fields[k].name, f))
				p->hist_field = &p->fields[k];
		if (!p->hist_field) {
			snoop_err(kp->a.s, "--hist %s: probe %s has no field %s (kprobe -v shows its fields)", f, p->event, f);
			return KP_EXIT_USAGE;
		}
		switch (p->hist_field->kind) {
		case KP_SIGNED:
		case KP_UNSIGNED:
		case KP_HEX:
			/* A tracepoint's pointer (const char * filename)
			 * is a number to the kernel, an address to a human. */
			if (!strchr(p->hist_field->f->type, '*'))
				break;
			snoop_err(kp->a.s, "--hist %s: field %s of probe %s is a pointer, not a number", f, f, p->event);
			return KP_EXIT_USAGE;
		default:
			snoop_err(kp->a.s, "--hist %s: field %s of probe %s is not a number (a string, symbol or array)", f,
				  f, p->event);
			return KP_EXIT_USAGE;
		}
	}
	return 0;
}

int64_t kp_log2_bucket(uint64_t v)
{
	return snoop_log2_bucket(v);
}

void kp_histogram_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		      size_t commlen)
{
	const struct kp_field *k = p->hist_field;
	uint64_t v = kp_field_u64(r, k);
	int64_t bucket;

	if (k->kind == KP_SIGNED && kp_field_s64(r, k) < 0)
		bucket = KP_BUCKET_NEG;
	else if (kp->o->linear)
		bucket = (int64_t)(v / kp->o->lin_step);
	else
		bucket = kp_log2_bucket(v);
	if (kp_counts_add(&kp->counts, p->idx, kp->o->by == KP_BY_PID ? r->pid : 0, comm,
			  kp->o->by == KP_BY_COMM ? commlen : 0, bucket, 1) < 0)
		kp_fail_oom(kp);
}

static int cmp_row(const void *a, const void *b)
{
	const struct kp_count *x = a, *y = b;
	int c;

	if (x->probe != y->probe)
		return x->probe - y->probe;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	c = strcmp(x->comm, y->comm);
	if (c)
		return c;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* One printed row: its label's bounds, or below/above the --linear range. */
enum row_kind { ROW_NEG, ROW_BELOW, ROW_BUCKET, ROW_ABOVE };

struct hrow {
	enum row_kind kind;
	int64_t bucket;
	uint64_t n;
};

static void put_label(struct kp *kp, struct snoop_buf *b, const struct hrow *h, size_t width)
{
	size_t mark = b->len;
	uint64_t lo, hi;

	switch (h->kind) {
	case ROW_NEG:
		snoop_buf_adds(b, "< 0");
		break;
	case ROW_BELOW:
		snoop_buf_printf(b, "< %" PRIu64, kp->o->lin_min);
		break;
	case ROW_ABOVE:
		snoop_buf_printf(b, ">= %" PRIu64, kp->o->lin_max);
		break;
	case ROW_BUCKET:
		if (kp->o->linear) {
			lo = (uint64_t)h->bucket * kp->o->lin_step;
			snoop_buf_printf(b, "[%" PRIu64 ", %" PRIu64 "]", lo, lo + kp->o->lin_step - 1);
		} else if (h->bucket == 0) {
			snoop_buf_adds(b, "[0, 1]");
		} else if (h->bucket == 64) {
			snoop_buf_adds(b, "[2^63+1, 2^64-1]");
		} else {
			lo = (UINT64_C(1) << (h->bucket - 1)) + 1;
			hi = UINT64_C(1) << h->bucket;
			if (lo == hi)
				snoop_buf_printf(b, "[%" PRIu64 "]", lo);
			else
				snoop_buf_printf(b, "[%" PRIu64 ", %" PRIu64 "]", lo, hi);
		}
		break;
	}
	snoop_buf_pad(b, mark, width);
}

/* Rows of one (probe, pid, comm) group, from first to last non-empty
 * bucket with the empty ones between (a gap is an answer too). */
static size_t group_rows(struct kp *kp, const struct kp_count *c, size_t n, struct hrow *out)
{
	uint64_t neg = 0, below = 0, above = 0;
	int64_t first = INT64_MAX, last = INT64_MIN;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].n)
			continue;
		if (c[i].bucket == KP_BUCKET_NEG) {
			if (kp->o->linear)
				below += c[i].n;
			else
				neg += c[i].n;
		} else if (kp->o->linear && (uint64_t)c[i].bucket * kp->o->lin_step < kp->o->lin_min) {
			below += c[i].n;
		} else if (kp->o->linear && (uint64_t)c[i].bucket * kp->o->lin_step >= kp->o->lin_max) {
			above += c[i].n;
		} else {
			first = c[i].bucket < first ? c[i].bucket : first;
			last = c[i].bucket > last ? c[i].bucket : last;
		}
	}
	if (neg)
		out[m++] = (struct hrow){ ROW_NEG, 0, neg };
	if (below)
		out[m++] = (struct hrow){ ROW_BELOW, 0, below };
	for (int64_t k = first; first <= last && k <= last; k++) {
		uint64_t v = 0;

		for (size_t i = 0; i < n; i++)
			if (c[i].bucket == k)
				v += c[i].n;
		out[m++] = (struct hrow){ ROW_BUCKET, k, v };
	}
	if (above)
		out[m++] = (struct hrow){ ROW_ABOVE, 0, above };
	return m;
}

static void print_group(struct kp *kp, bool final, const struct kp_count *c, size_t n, int probe)
{
	struct snoop_buf *b = snoop_session_out(kp->a.s);
	struct kp_probe *p = &kp->probes[probe];
	struct hrow *rows;
	uint64_t max = 0;
	size_t m, span, width = 16;

	/* Rows: the buckets between the first and last seen, plus 3. */
	span = 4;
	if (n) {
		int64_t lo = INT64_MAX, hi = INT64_MIN;

		for (size_t i = 0; i < n; i++)
			if (c[i].bucket != KP_BUCKET_NEG) {
				lo = c[i].bucket < lo ? c[i].bucket : lo;
				hi = c[i].bucket > hi ? c[i].bucket : hi;
			}
		if (lo <= hi)
			span += (size_t)(hi - lo + 1);
	}
	rows = calloc(span, sizeof(*rows));
	if (!rows) {
		kp_fail_oom(kp);
		return;
	}
	m = group_rows(kp, c, n, rows);
	for (size_t i = 0; i < m; i++)
		max = rows[i].n > max ? rows[i].n : max;
	if (kp->a.common.json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		snoop_json_cstr(&j, "type", "hist");
		snoop_session_json_time(kp->a.s, &j, snoop_now_ns(CLOCK_MONOTONIC));
		snoop_json_cstr(&j, "event", p->event);
		snoop_json_cstr(&j, "probe", p->text);
		snoop_json_cstr(&j, "field", kp->o->latency ? "latency_us" : kp->o->hist_field);
		if (kp->o->by == KP_BY_COMM)
			snoop_json_str(&j, "comm", c ? c[0].comm : "", c ? strlen(c[0].comm) : 0);
		else if (kp->o->by == KP_BY_PID)
			snoop_json_int(&j, "pid", c ? c[0].pid : 0);
		snoop_json_cstr(&j, "scale", kp->o->linear ? "linear" : "log2");
		if (kp->o->linear)
			snoop_json_uint(&j, "step", kp->o->lin_step);
		/* log2: bucket e holds (2^(e-1), 2^e], e = 0 holds 0 and 1;
		 * linear: bucket lo holds [lo, lo + step). */
		snoop_json_array_begin(&j, kp->o->linear ? "lo" : "log2");
		for (size_t i = 0; i < m; i++)
			if (rows[i].kind == ROW_BUCKET)
				snoop_json_array_int(&j, kp->o->linear ? rows[i].bucket * (int64_t)kp->o->lin_step
								       : rows[i].bucket);
		snoop_json_array_end(&j);
		snoop_json_array_begin(&j, "count");
		for (size_t i = 0; i < m; i++)
			if (rows[i].kind == ROW_BUCKET)
				snoop_json_array_int(&j, (int64_t)rows[i].n);
		snoop_json_array_end(&j);
		for (size_t i = 0; i < m; i++)
			if (rows[i].kind != ROW_BUCKET)
				snoop_json_uint(&j, rows[i].kind == ROW_NEG ? "negative" : rows[i].kind == ROW_BELOW ? "below"
														   : "above",
						rows[i].n);
		snoop_json_bool(&j, "final", final);
		snoop_json_end(&j);
		free(rows);
		return;
	}
	if (kp->o->latency)
		snoop_buf_printf(b, "\n%s latency (usecs)",
				 p->event + (strncmp(p->event, "sys_enter_", 10) ? 0 : 10));
	else
		snoop_buf_printf(b, "\n%s %s", p->event, kp->o->hist_field);
	if (kp->o->by == KP_BY_COMM && c) {
		snoop_buf_adds(b, " comm ");
		snoop_escape_text(b, c[0].comm, strlen(c[0].comm));
	} else if (kp->o->by == KP_BY_PID && c) {
		snoop_buf_printf(b, " pid %d", (int)c[0].pid);
	}
	snoop_buf_adds(b, m ? ":\n" : ": no hits\n");
	/* The label column as wide as this histogram's widest. */
	for (size_t i = 0, mark = b->len; i < m; i++) {
		put_label(kp, b, &rows[i], 0);
		width = b->len - mark > width ? b->len - mark : width;
		b->len = mark;
	}
	for (size_t i = 0; i < m; i++) {
		size_t bar = max ? (size_t)((rows[i].n * BAR_WIDTH + max - 1) / max) : 0;

		put_label(kp, b, &rows[i], width);
		snoop_buf_printf(b, " %10" PRIu64 " |", rows[i].n);
		for (size_t k = 0; k < BAR_WIDTH; k++)
			snoop_buf_addc(b, k < bar ? '@' : ' ');
		snoop_buf_adds(b, "|\n");
	}
	free(rows);
}

void kp_histogram_print(struct kp *kp, bool final)
{
	struct snoop_buf *b = snoop_session_out(kp->a.s);
	struct kp_count *rows;
	size_t n = 0;

	rows = calloc(kp->counts.n + 1, sizeof(*rows));
	if (!rows) {
		kp_fail_oom(kp);
		return;
	}
	for (size_t k = 0; k < kp->counts.cap; k++)
		if (kp->counts.slot[k].used && kp->counts.slot[k].n)
			rows[n++] = kp->counts.slot[k];
	qsort(rows, n, sizeof(*rows), cmp_row);
	if (!kp->a.common.json && kp->o->interval > 0) {
		snoop_buf_adds(b, final ? "\n--- final interval" : "\n---");
		if (kp->a.common.time_rel || kp->a.common.time_wall) {
			snoop_buf_addc(b, ' ');
			snoop_session_put_time(kp->a.s, b, snoop_now_ns(CLOCK_MONOTONIC));
		}
		snoop_buf_addc(b, '\n');
	}
	/* Every probe gets its histogram, hits or not: "no hits" is an
	 * answer too (with --by, only the keys seen have one). */
	for (int probe = 0, i = 0; probe < (kp->o->latency ? 1 : kp->nprobes); probe++) {
		size_t from = (size_t)i;

		while ((size_t)i < n && rows[i].probe == probe)
			i++;
		if ((size_t)i == from) {
			if (kp->o->by == KP_BY_NONE)
				print_group(kp, final, NULL, 0, probe);
			continue;
		}
		for (size_t g = from; g < (size_t)i;) {
			size_t e = g;

			while (e < (size_t)i && rows[e].pid == rows[g].pid && !strcmp(rows[e].comm, rows[g].comm))
				e++;
			print_group(kp, final, &rows[g], e - g, probe);
			g = e;
		}
	}
	free(rows);
	if (kp->o->interval > 0)
		kp_counts_clear(&kp->counts);
}
