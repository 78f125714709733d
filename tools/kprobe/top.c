// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe --top: hits as a live table. A row is a probe; with --by comm or
 * --by pid, a probe and a task; with --by FIELD, a probe and a value of one
 * of its fields (a file name, a flags word, a return value...), which is
 * what ad-hoc tracing usually wants to count.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/output.h>
#include <snoop/top.h>

#include "kprobe.h"

/* Bytes of a field value kept in the key: a path or a string argument is
 * told apart well before that, and 10,000 keys stay small. */
#define VALUE_MAX 256

/* 0, KP_EXIT_USAGE (a probe without the --by field) or -1. */
int kp_top_setup(struct kp *kp, int argc, char **argv)
{
	static const struct snoop_top_col count = { "COUNT", 10, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
		procs = { "PROCS", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_DISTINCT },
		lastpid = { "LAST PID", 8, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		pid = { "PID", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		comm = { "COMM", 16, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		probe_rest = { "PROBE", 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		probe = { "PROBE", 24, SNOOP_TOP_TEXT, SNOOP_TOP_SUM };
	struct snoop_top_col cols[6] = { count };
	int n = 1;

	switch (kp->o->by) {
	case KP_BY_NONE:
		cols[n++] = procs;
		cols[n++] = lastpid;
		cols[n++] = probe_rest;
		break;
	case KP_BY_COMM:
		cols[n++] = comm;
		cols[n++] = probe_rest;
		break;
	case KP_BY_PID:
		cols[n++] = pid;
		cols[n++] = comm;
		cols[n++] = probe_rest;
		break;
	case KP_BY_FIELD:
		cols[n++] = procs;
		cols[n++] = probe;
		/* The field's name as the column's: checked to be an
		 * identifier when parsed, so it is plain ASCII. */
		cols[n] = (struct snoop_top_col){ kp->o->by_field, 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM };
		n++;
		for (int i = 0; i < kp->nprobes; i++) {
			struct kp_probe *p = &kp->probes[i];

			p->top_field = NULL;
			for (int k = 0; k < p->nfields; k++)
				if (!strcmp(p->fields[k].name, kp->o->by_field))
					p->top_field = &p->fields[k];
			if (!p->top_field) {
				snoop_err(kp->s, "--by %s: probe %s has no field %s (kprobe -v shows its fields)",
					  kp->o->by_field, p->event, kp->o->by_field);
				return KP_EXIT_USAGE;
			}
		}
		break;
	}
	kp->top_ncols = n;
	snoop_buf_init(&kp->top_key);
	snoop_buf_init(&kp->top_val);
	kp->top = snoop_top_new(cols, n, kp->o->top.max_keys);
	if (!kp->top)
		return -1;
	return snoop_top_attach(kp->top, kp->s, &kp->o->top, argc, argv);
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

void kp_top_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		size_t commlen)
{
	struct snoop_buf *key = &kp->top_key;
	struct snoop_top_row *row;
	uint16_t idx = (uint16_t)p->idx;
	int32_t pid = r->pid;
	const int last = kp->top_ncols - 1;

	if (commlen > 15)
		commlen = 15;
	snoop_buf_reset(key);
	snoop_buf_add(key, &idx, sizeof(idx));
	switch (kp->o->by) {
	case KP_BY_NONE:
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
		snoop_buf_reset(&kp->top_val);
		field_value(kp, p, r, &kp->top_val);
		snoop_buf_add(key, kp->top_val.data, kp->top_val.len);
		break;
	}
	row = snoop_top_hit(kp->top, key->data, key->len);
	if (!row)
		return; /* paused */
	switch (kp->o->by) {
	case KP_BY_NONE:
		snoop_top_num(kp->top, row, 1, pid);
		snoop_top_num(kp->top, row, 2, pid);
		break;
	case KP_BY_FIELD:
		snoop_top_num(kp->top, row, 1, pid);
		break;
	default:
		break;
	}
	if (snoop_top_row_count(row) != 1)
		return;
	/* A new row: say what it is. */
	switch (kp->o->by) {
	case KP_BY_NONE:
		snoop_top_text(kp->top, row, last, p->event, strlen(p->event));
		break;
	case KP_BY_COMM:
		snoop_top_text(kp->top, row, 1, comm, commlen);
		snoop_top_text(kp->top, row, last, p->event, strlen(p->event));
		break;
	case KP_BY_PID:
		snoop_top_num(kp->top, row, 1, pid);
		snoop_top_text(kp->top, row, 2, comm, commlen);
		snoop_top_text(kp->top, row, last, p->event, strlen(p->event));
		break;
	case KP_BY_FIELD:
		snoop_top_text(kp->top, row, 2, p->event, strlen(p->event));
		snoop_top_text(kp->top, row, last, kp->top_val.data, kp->top_val.len);
		break;
	}
}
