// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe --top: hits as a live table. A row is a probe; with --by comm or
 * --by pid, a probe and a task; with --by FIELD, a probe and a value of one
 * of its fields (a file name, a flags word, a return value...), which is
 * what ad-hoc tracing usually wants to count.
 *
 * Where the kernel has hist triggers, the table is fed from them: each
 * probe gets a trigger keyed by the task (and the field), and every refresh
 * adds what each key's count grew by since the last one, so no hit is lost
 * at any rate. Elsewhere (or with --user-count, or options a trigger cannot
 * honour) one record per hit, as before. The table is the same; on the
 * kernel path LAST PID is the busiest task of the last refresh interval
 * (the kernel keeps counts, not an order), which the man page says.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include <snoop/cgroup.h>
#include <snoop/hist.h>
#include <snoop/output.h>
#include <snoop/top.h>

#include "kprobe.h"

/* Bytes of a field value kept in the key: a path or a string argument is
 * told apart well before that, and 10,000 keys stay small. */
#define VALUE_MAX 256

void kp_top_columns(struct kp *kp)
{
	static const struct snoop_top_col count = { "COUNT", 10, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
		procs = { "PROCS", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_DISTINCT },
		lastpid = { "LAST PID", 8, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		pid = { "PID", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		comm = { "COMM", 16, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		probe_rest = { "PROBE", 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		probe = { "PROBE", 24, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		cgroup = { "CGROUP", 20, SNOOP_TOP_TEXT, SNOOP_TOP_SUM };
	struct snoop_top_col *cols = kp->top_cols;
	int n = 0;

	cols[n++] = count;
	if (kp->o->by == KP_BY_NONE || kp->o->by == KP_BY_FIELD)
		cols[n++] = procs;
	if (kp->o->by == KP_BY_NONE)
		cols[n++] = lastpid;
	if (kp->o->by == KP_BY_PID)
		cols[n++] = pid;
	if (kp->o->by == KP_BY_PID || kp->o->by == KP_BY_COMM)
		cols[n++] = comm;
	/* -C: the task's cgroup is part of the key (user space: main.c). */
	if (kp->a.common.print_cgroup)
		cols[n++] = cgroup;
	cols[n++] = kp->o->by == KP_BY_FIELD ? probe : probe_rest;
	/* The field's name as the column's: checked to be an identifier
	 * when parsed, so it is plain ASCII. */
	if (kp->o->by == KP_BY_FIELD)
		cols[n++] = (struct snoop_top_col){ kp->o->by_field, 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM };
	kp->tool.top_ncols = n;
}

static void top_feed(struct snoop_top *t, void *ctx);

void kp_top_started(struct kp *kp)
{
	struct snoop_top *t = kp->a.table;

	kp->top_col_procs = snoop_top_col_index(t, "PROCS");
	kp->top_col_last = snoop_top_col_index(t, "LAST PID");
	kp->top_col_pid = snoop_top_col_index(t, "PID");
	kp->top_col_comm = snoop_top_col_index(t, "COMM");
	kp->top_col_probe = snoop_top_col_index(t, "PROBE");
	kp->top_col_cgroup = snoop_top_col_index(t, "CGROUP");
	kp->top_col_value = kp->o->by == KP_BY_FIELD ? snoop_top_col_index(t, kp->o->by_field) : -1;
	if (kp->top_hist)
		snoop_top_on_feed(t, top_feed, kp);
}

/* The value of p's --by field as raw bytes: strings as the kernel fetched
 * them (the table escapes what it shows), numbers as kprobe prints them. */
static void field_value(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, struct snoop_buf *b)
{
	const struct kp_field *k = p->top_field;
	const char *s;
	size_t n;

	switch (k->kind) {
	case KP_STRING:
		s = snoop_field_str(r, k->f, &n);
		if (s)
			snoop_buf_add(b, s, n < VALUE_MAX ? n : VALUE_MAX);
		else
			snoop_buf_adds(b, "(fault)");
		break;
	case KP_CHAR:
		snoop_buf_addc(b, (char)snoop_field_u64(r, k->f));
		break;
	default:
		kp_text_field(kp, b, r, k);
		break;
	}
}

/* n hits of p by task tid named comm, with the field's value (--by FIELD)
 * in kp->top_val: their row (NULL while paused). */
static struct snoop_top_row *top_add(struct kp *kp, struct kp_probe *p, pid_t tid, const char *comm,
				     size_t commlen, uint64_t n)
{
	struct snoop_top *t = kp->a.table;
	struct snoop_buf *key = &kp->top_key;
	struct snoop_top_row *row;
	uint16_t idx = (uint16_t)p->idx;
	int32_t pid = tid, cg = 0;

	if (commlen > 15)
		commlen = 15;
	snoop_buf_reset(key);
	snoop_buf_add(key, &idx, sizeof(idx));
	if (kp->top_col_cgroup >= 0) {
		/* Out of memory: the hit goes under "?", which is not a lie. */
		cg = snoop_session_cgroup_key(kp->a.s, tid);
		if (cg < 0)
			cg = 0;
		snoop_buf_add(key, &cg, sizeof(cg));
	}
	switch (kp->o->by) {
	case KP_BY_NONE:
	case KP_BY_CGROUP: /* not with --top (main.c) */
		break;
	case KP_BY_PID:
		/* The name is part of the key: a task may exec. */
		snoop_buf_add(key, &pid, sizeof(pid));
		snoop_buf_add(key, comm, commlen);
		break;
	case KP_BY_COMM:
		snoop_buf_add(key, comm, commlen);
		break;
	case KP_BY_FIELD:
		snoop_buf_add(key, kp->top_val.data, kp->top_val.len);
		break;
	}
	row = snoop_top_add(t, key->data, key->len, n);
	if (!row)
		return NULL; /* paused */
	if (kp->top_col_procs >= 0)
		snoop_top_num(t, row, kp->top_col_procs, pid);
	if (snoop_top_row_count(row) != n)
		return row;
	/* A new row: say what it is. */
	snoop_top_text(t, row, kp->top_col_probe, p->event, strlen(p->event));
	if (kp->top_col_cgroup >= 0) {
		const char *name = snoop_session_cgroup_name(kp->a.s, cg);

		snoop_top_text(t, row, kp->top_col_cgroup, name, strlen(name));
	}
	if (kp->top_col_pid >= 0)
		snoop_top_num(t, row, kp->top_col_pid, pid);
	if (kp->top_col_comm >= 0)
		snoop_top_text(t, row, kp->top_col_comm, comm, commlen);
	if (kp->top_col_value >= 0)
		snoop_top_text(t, row, kp->top_col_value, kp->top_val.data, kp->top_val.len);
	return row;
}

void kp_top_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		size_t commlen)
{
	struct snoop_top_row *row;

	if (kp->o->by == KP_BY_FIELD) {
		snoop_buf_reset(&kp->top_val);
		field_value(kp, p, r, &kp->top_val);
	}
	row = top_add(kp, p, r->pid, comm, commlen, 1);
	if (row && kp->top_col_last >= 0)
		snoop_top_num(kp->a.table, row, kp->top_col_last, r->pid);
}

/* ---- fed from hist triggers ----------------------------------------------- */

/* The keys of p's trigger: the task always (PROCS, LAST PID, PID), its
 * name where the table shows it, the field with --by FIELD. */
static void top_tab(struct kp *kp, struct kp_probe *p, struct kp_tab *tab)
{
	const char *task = "common_pid";

	/* A tracepoint has no $comm: the kernel's saved name of the pid. */
	if ((kp->o->by == KP_BY_COMM || kp->o->by == KP_BY_PID) && !p->comm_field)
		task = "common_pid.execname";
	tab->kind = KP_TAB_COUNT;
	snprintf(tab->keys, sizeof(tab->keys), "%s%s%s", task,
		 kp->o->by == KP_BY_FIELD ? "," : (kp->o->by != KP_BY_NONE && p->comm_field) ? "," KP_COMM_ARG : "",
		 kp->o->by == KP_BY_FIELD ? p->top_field->name : "");
}

/* A numeric key as kprobe prints that field: the kernel prints every
 * number as u64, sign-extended from the field's type. */
static void numeric_value(struct kp *kp, const struct kp_field *k, uint64_t v)
{
	int64_t sv = (int64_t)v;

	snoop_buf_reset(&kp->top_val);
	if (k->width == 4 || (!k->width && k->f->size == 4))
		sv = (int32_t)v, v = (uint32_t)v;
	else if (k->width == 2 || (!k->width && k->f->size == 2))
		sv = (int16_t)v, v = (uint16_t)v;
	else if (!k->width && k->f->size == 1)
		sv = (int8_t)v, v = (uint8_t)v;
	if (k->kind == KP_SIGNED)
		snoop_buf_printf(&kp->top_val, "%" PRId64, sv);
	else if (k->kind == KP_HEX)
		snoop_buf_printf(&kp->top_val, "0x%" PRIx64, v);
	else
		snoop_buf_printf(&kp->top_val, "%" PRIu64, v);
}

/* One row of p's table: its task, name and value; 0, or -1 when the
 * kernel printed something else. */
static int row_task(struct kp *kp, struct kp_probe *p, const struct snoop_hist_row *row, pid_t *pid,
		    const char **comm, size_t *commlen, int64_t *value)
{
	uint64_t v;
	int ipid;

	*value = 0;
	*comm = "";
	*commlen = 0;
	if (!strchr(row->key[0], '[')) {
		if (snoop_hist_key_u64(row->key[0], &v) < 0)
			return -1;
		*pid = (pid_t)v;
	} else {
		if (snoop_hist_key_execname(row->key[0], comm, commlen, &ipid) < 0)
			return -1;
		*pid = ipid;
	}
	if (kp->o->by == KP_BY_FIELD) {
		if (!row->key[1] || snoop_hist_key_u64(row->key[1], &v) < 0)
			return -1;
		numeric_value(kp, p->top_field, v);
		*value = (int64_t)v;
	} else if (row->key[1]) {
		*comm = row->key[1];
		*commlen = strlen(row->key[1]);
	}
	return 0;
}

/* Each refresh: what every key grew by since the last one. The previous
 * totals are kept in kp->hist_prev (probe, pid, comm, and the field's
 * value as the bucket). LAST PID: the task with the most hits of the
 * interval (the kernel keeps no order). */
static void top_feed(struct snoop_top *t, void *ctx)
{
	struct kp *kp = ctx;
	struct kp_counts now = { 0 };

	(void)t;
	if (kp->failed)
		return;
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];
		struct snoop_hist_table tab;
		struct snoop_top_row *best = NULL;
		uint64_t best_n = 0;
		pid_t best_pid = 0;
		struct kp_tab kt;
		char prefix[256];

		top_tab(kp, p, &kt);
		snprintf(prefix, sizeof(prefix), "hist:keys=%s:", kt.keys);
		if (snoop_hist_read(p->ev, prefix, &tab) < 0)
			goto fail;
		for (size_t r = 0; r < tab.nrows; r++) {
			const struct snoop_hist_row *row = &tab.rows[r];
			const char *comm;
			size_t commlen;
			struct snoop_top_row *trow;
			char name[SNOOP_COMM_LEN];
			int64_t vkey;
			uint64_t before;
			pid_t pid;

			if (row_task(kp, p, row, &pid, &comm, &commlen, &vkey) < 0) {
				snoop_err(kp->a.s, "unexpected key '%s' in the hist of %s", row->key[0], p->event);
				snoop_hist_table_free(&tab);
				goto fail;
			}
			if (kp_counts_add(&now, i, pid, comm, commlen, vkey, row->hitcount) < 0) {
				snoop_hist_table_free(&tab);
				goto oom;
			}
			/* An execname key's comm is not NUL-terminated: the
			 * table's own copy, cut as it cuts. */
			snprintf(name, sizeof(name), "%.*s", (int)commlen, comm);
			before = kp_counts_get(&kp->hist_prev, i, pid, name, vkey);
			if (row->hitcount <= before || !kp->started_counting)
				continue;
			kp->hits += row->hitcount - before;
			trow = top_add(kp, p, pid, comm, commlen, row->hitcount - before);
			if (trow && row->hitcount - before > best_n)
				best = trow, best_n = row->hitcount - before, best_pid = pid;
		}
		if (best && kp->top_col_last >= 0)
			snoop_top_num(kp->a.table, best, kp->top_col_last, best_pid);
		if (tab.dropped > p->hist_dropped)
			snoop_warn(kp->a.s, "%s: %llu hits not counted: the kernel's table (%d keys) is full", p->event,
				   (unsigned long long)(tab.dropped - p->hist_dropped), KP_HIST_SIZE_KEYED);
		p->hist_dropped = tab.dropped;
		snoop_hist_table_free(&tab);
	}
	kp->started_counting = true;
	kp_counts_free(&kp->hist_prev);
	kp->hist_prev = now;
	return;
oom:
	kp_counts_free(&now);
	kp_fail_oom(kp);
	return;
fail:
	kp_counts_free(&now);
	kp->failed = true;
	snoop_session_stop(kp->a.s);
}

/* After kp_setup: every probe has the --by field; the triggers where the
 * kernel can count. 0, KP_EXIT_USAGE or 1. */
int kp_top_setup(struct kp *kp)
{
	const char *why;

	for (int i = 0; i < kp->nprobes && kp->o->by == KP_BY_FIELD; i++) {
		struct kp_probe *p = &kp->probes[i];

		p->top_field = NULL;
		for (int k = 0; k < p->nfields; k++)
			if (!strcmp(p->fields[k].name, kp->o->by_field))
				p->top_field = &p->fields[k];
		if (!p->top_field) {
			snoop_err(kp->a.s, "--by %s: probe %s has no field %s (kprobe -v shows its fields)",
				  kp->o->by_field, p->event, kp->o->by_field);
			return KP_EXIT_USAGE;
		}
	}
	snoop_buf_init(&kp->top_key);
	snoop_buf_init(&kp->top_val);
	why = kp_hist_why_not(kp);
	for (int i = 0; i < kp->nprobes && !why && kp->o->by == KP_BY_FIELD; i++) {
		enum kp_kind k = kp->probes[i].top_field->kind;

		/* The kernel prints string keys padded with spaces (the
		 * value's own trailing spaces lost) and symbols its own way. */
		if (k != KP_SIGNED && k != KP_UNSIGNED && k != KP_HEX)
			why = "--by a field that is not a number";
	}
	if (why) {
		if (kp->a.common.verbose)
			snoop_warn(kp->a.s, "--top counts in user space, one record per hit: %s", why);
		return 0;
	}
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_tab tab;

		top_tab(kp, &kp->probes[i], &tab);
		if (kp_hist_add(&kp->probes[i], &tab, true) < 0)
			return 1;
	}
	kp->top_hist = true;
	if (kp->a.common.verbose)
		snoop_warn(kp->a.s, "--top counts in the kernel: hist triggers on each probe, read at every refresh");
	/* The counts before the start are the baseline (read now). */
	top_feed(NULL, kp);
	return kp->failed ? 1 : 0;
}
