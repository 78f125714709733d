// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe's output: a line (or JSON object) per hit with every field of the
 * event typed as its fetch type says, the kernel's own text with -r,
 * symbolised stacks with -s, and the count table with -c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-seq.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/tracefs.h>

#include "kprobe.h"

/* Fields the kernel adds to every probe event: not the user's. */
static bool hidden_field(const char *name)
{
	return !strncmp(name, "common_", 7) || !strcmp(name, "__probe_ip") || !strcmp(name, "__probe_func") ||
	       !strcmp(name, "__probe_ret_ip") || !strcmp(name, KP_COMM_ARG);
}

/* "u32", "s64", "x16": a kprobe fetch type as the format file names it. */
static bool fetch_type(const char *type, char c)
{
	return type[0] == c && (!strcmp(type + 1, "8") || !strcmp(type + 1, "16") || !strcmp(type + 1, "32") ||
				!strcmp(type + 1, "64"));
}

/* A signed C type by name: syscall tracepoints declare "int dfd" as an
 * 8-byte field with signed:0, so the flag alone does not tell. */
static bool c_signed(const char *t)
{
	static const char *const names[] = { "int", "long", "short", "long long", "signed char", "pid_t",
					     "ssize_t", "loff_t", "off_t", "s8", "s16", "s32", "s64", NULL };

	if (!strncmp(t, "const ", 6))
		t += 6;
	for (int i = 0; names[i]; i++)
		if (!strcmp(t, names[i]))
			return true;
	return false;
}

/* The C type's own width when the field is wider ("int" in 8 bytes). */
static int c_width(const char *t)
{
	if (!strncmp(t, "const ", 6))
		t += 6;
	if (!strcmp(t, "int") || !strcmp(t, "unsigned int") || !strcmp(t, "pid_t"))
		return 4;
	if (!strcmp(t, "short") || !strcmp(t, "unsigned short"))
		return 2;
	return 0;
}

static void kind_from_def(const struct kp_probe *p, struct kp_field *k)
{
	const struct snoop_probe_def *d = p->def;

	if (d->kind == SNOOP_PROBE_TRACEPOINT || k->kind == KP_STRING)
		return;
	for (int i = 0; i < d->nargs; i++) {
		const char *t = d->args[i].type;

		if (strcmp(d->args[i].name, k->name))
			continue;
		/* No type: the kernel's default x64/x32, unless the kernel
		 * typed a BTF name itself (then its format is right). */
		if (!t[0] && p->kernel_btf)
			return;
		if (!t[0] || t[0] == 'x')
			k->kind = KP_HEX;
		else if (t[0] == 's' && t[1] != 'y')
			k->kind = KP_SIGNED;
		else if (t[0] == 'u' || t[0] == 'b')
			k->kind = KP_UNSIGNED;
		else if (!strcmp(t, "symbol"))
			k->kind = KP_SYMBOL;
		else if (!strcmp(t, "char"))
			k->kind = KP_CHAR;
		return;
	}
}

int kp_fields_prepare(struct kp_probe *p)
{
	struct tep_event *e = snoop_event_tep(p->ev);
	struct tep_format_field *f;
	int n = 0;

	for (f = e->format.fields; f; f = f->next)
		n++;
	p->fields = calloc((size_t)n + 1, sizeof(*p->fields));
	if (!p->fields) {
		snoop_err(p->kp->a.s, "out of memory");
		return -1;
	}
	for (f = e->format.fields; f; f = f->next) {
		struct kp_field *k = &p->fields[p->nfields];
		const char *t = f->type;
		bool array = (f->flags & TEP_FIELD_IS_ARRAY) && !(f->flags & TEP_FIELD_IS_DYNAMIC);

		if (!strcmp(f->name, KP_COMM_ARG))
			p->comm_field = f;
		if (hidden_field(f->name))
			continue;
		k->f = f;
		k->name = f->name;
		if ((f->flags & (TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC)) && strstr(t, "char"))
			k->kind = KP_STRING;
		else if (array && strstr(t, "char") && !strstr(t, "*"))
			k->kind = KP_STRING;
		else if (!strcmp(t, "symbol"))
			k->kind = KP_SYMBOL;
		else if (!strcmp(t, "char"))
			k->kind = KP_CHAR;
		else if (fetch_type(t, 'x') || strchr(t, '*'))
			k->kind = KP_HEX;
		else if (fetch_type(t, 's') || (f->flags & TEP_FIELD_IS_SIGNED) || c_signed(t))
			k->kind = KP_SIGNED;
		else
			k->kind = KP_UNSIGNED;
		/* A probe's format names x types as u types (the print fmt
		 * has the hex): the definition is what says hex or not. */
		kind_from_def(p, k);
		if (!array && c_width(t) && c_width(t) < f->size)
			k->width = c_width(t);
		if (array && k->kind != KP_STRING && f->arraylen > 0) {
			k->elem_size = f->size / (int)f->arraylen;
			k->kind = k->kind == KP_HEX ? KP_ARRAY_HEX : k->kind == KP_SIGNED ? KP_ARRAY_SIGNED
											 : KP_ARRAY_UNSIGNED;
		}
		p->nfields++;
	}
	return 0;
}

static uint64_t elem_u64(const struct snoop_record *r, const struct tep_format_field *f, int i, int size)
{
	struct tep_format_field e = *f;

	e.offset = f->offset + i * size;
	e.size = size;
	return snoop_field_u64(r, &e);
}

static int64_t elem_s64(const struct snoop_record *r, const struct tep_format_field *f, int i, int size)
{
	struct tep_format_field e = *f;

	e.offset = f->offset + i * size;
	e.size = size;
	return snoop_field_s64(r, &e);
}

uint64_t kp_field_u64(const struct snoop_record *r, const struct kp_field *k)
{
	return k->width ? elem_u64(r, k->f, 0, k->width) : snoop_field_u64(r, k->f);
}

int64_t kp_field_s64(const struct snoop_record *r, const struct kp_field *k)
{
	return k->width ? elem_s64(r, k->f, 0, k->width) : snoop_field_s64(r, k->f);
}

/* The task's name: from the probe's own $comm (the name at the hit), else
 * (tracepoints) the session's task cache, which says when its value was
 * read late from /proc. Kept raw: printed through the escaper. */
static void hit_task(struct kp_probe *p, const struct snoop_record *r, struct snoop_task *t)
{
	const char *c = NULL;
	size_t n = 0;

	if (p->comm_field)
		c = snoop_field_str(r, p->comm_field, &n);
	if (c || !p->kp->tasks) {
		memset(t, 0, sizeof(*t));
		t->tid = r->pid;
		if (c) {
			n = n < sizeof(t->comm) - 1 ? n : sizeof(t->comm) - 1;
			memcpy(t->comm, c, n);
			t->comm_src = SNOOP_TASK_EVENT;
		}
		return;
	}
	snoop_tasks_get(p->kp->tasks, r->pid, t);
	if (t->comm_src == SNOOP_TASK_UNKNOWN && !r->pid) {
		snprintf(t->comm, sizeof(t->comm), "<idle>");
		t->comm_src = SNOOP_TASK_EVENT;
	}
}

/* The name as --top, -c --by comm and the histograms key it: "?" when
 * unknown, a late one with its mark. */
static const char *task_label(const struct snoop_task *t, char buf[SNOOP_COMM_LEN + 1], size_t *n)
{
	if (t->comm_src == SNOOP_TASK_UNKNOWN)
		snprintf(buf, SNOOP_COMM_LEN + 1, "?");
	else
		snprintf(buf, SNOOP_COMM_LEN + 1, "%s%s", t->comm, t->comm_src == SNOOP_TASK_PROC ? "*" : "");
	*n = strlen(buf);
	return buf;
}

static void put_symbol(struct kp *kp, struct snoop_buf *b, uint64_t addr)
{
	uint64_t off = 0;
	const struct snoop_ksym *sym;

	if (!kp->ksyms)
		kp->ksyms = snoop_ksym_load(NULL);
	sym = kp->ksyms ? snoop_ksym_lookup(kp->ksyms, addr, &off) : NULL;
	if (!sym) {
		snoop_buf_printf(b, "0x%" PRIx64, addr);
		return;
	}
	/* Symbol names come from kallsyms, modules included: escape. */
	snoop_escape_text(b, sym->name, strlen(sym->name));
	snoop_buf_printf(b, "+0x%" PRIx64, off);
	if (sym->module) {
		snoop_buf_adds(b, " [");
		snoop_escape_text(b, sym->module, strlen(sym->module));
		snoop_buf_addc(b, ']');
	}
}

static void text_field(struct kp *kp, struct snoop_buf *b, const struct snoop_record *r, const struct kp_field *k)
{
	const char *s;
	size_t n;

	switch (k->kind) {
	case KP_STRING:
		s = snoop_field_str(r, k->f, &n);
		if (!s) {
			snoop_buf_adds(b, "(fault)");
			break;
		}
		snoop_buf_addc(b, '"');
		snoop_escape_text(b, s, n);
		snoop_buf_addc(b, '"');
		break;
	case KP_SYMBOL:
		put_symbol(kp, b, snoop_field_u64(r, k->f));
		break;
	case KP_CHAR: {
		char c = (char)snoop_field_u64(r, k->f);

		snoop_buf_addc(b, '\'');
		snoop_escape_text(b, &c, 1);
		snoop_buf_addc(b, '\'');
		break;
	}
	case KP_HEX:
		snoop_buf_printf(b, "0x%" PRIx64, snoop_field_u64(r, k->f));
		break;
	case KP_SIGNED:
		snoop_buf_printf(b, "%" PRId64, kp_field_s64(r, k));
		break;
	case KP_UNSIGNED:
		snoop_buf_printf(b, "%" PRIu64, kp_field_u64(r, k));
		break;
	case KP_ARRAY_SIGNED:
	case KP_ARRAY_UNSIGNED:
	case KP_ARRAY_HEX:
		snoop_buf_addc(b, '{');
		for (int i = 0; i < (int)k->f->arraylen; i++) {
			if (i)
				snoop_buf_addc(b, ',');
			if (k->kind == KP_ARRAY_SIGNED)
				snoop_buf_printf(b, "%" PRId64, elem_s64(r, k->f, i, k->elem_size));
			else
				snoop_buf_printf(b, k->kind == KP_ARRAY_HEX ? "0x%" PRIx64 : "%" PRIu64,
						 elem_u64(r, k->f, i, k->elem_size));
		}
		snoop_buf_addc(b, '}');
		break;
	}
}

void kp_text_field(struct kp *kp, struct snoop_buf *b, const struct snoop_record *r, const struct kp_field *k)
{
	text_field(kp, b, r, k);
}

static void json_field(struct kp *kp, struct snoop_json *j, const struct snoop_record *r, const struct kp_field *k)
{
	struct snoop_buf tmp;
	const char *s;
	size_t n;

	switch (k->kind) {
	case KP_STRING:
		s = snoop_field_str(r, k->f, &n);
		snoop_json_str(j, k->name, s, s ? n : 0); /* null when it faulted */
		break;
	case KP_SYMBOL:
	case KP_HEX:
	case KP_CHAR:
		/* Hex stays a string ("0x1f"): the fetch type asked for hex,
		 * and 64-bit addresses do not fit a double. */
		snoop_buf_init(&tmp);
		if (k->kind == KP_CHAR) {
			char c = (char)snoop_field_u64(r, k->f);

			snoop_json_str(j, k->name, &c, 1);
		} else {
			if (k->kind == KP_SYMBOL)
				put_symbol(kp, &tmp, snoop_field_u64(r, k->f));
			else
				snoop_buf_printf(&tmp, "0x%" PRIx64, snoop_field_u64(r, k->f));
			snoop_json_str(j, k->name, tmp.data, tmp.len);
		}
		snoop_buf_free(&tmp);
		break;
	case KP_SIGNED:
		snoop_json_int(j, k->name, kp_field_s64(r, k));
		break;
	case KP_UNSIGNED:
		snoop_json_uint(j, k->name, kp_field_u64(r, k));
		break;
	case KP_ARRAY_SIGNED:
	case KP_ARRAY_UNSIGNED:
	case KP_ARRAY_HEX:
		snoop_json_array_begin(j, k->name);
		for (int i = 0; i < (int)k->f->arraylen; i++)
			snoop_json_array_int(j, k->kind == KP_ARRAY_SIGNED ? elem_s64(r, k->f, i, k->elem_size)
									  : (int64_t)elem_u64(r, k->f, i, k->elem_size));
		snoop_json_array_end(j);
		break;
	}
}

/* The kernel's own rendering of the event (its print fmt), perf-tools'
 * look: "  COMM-PID  [CPU] SECONDS: EVENT: INFO". */
static void raw_line(struct kp_probe *p, struct snoop_buf *b, const struct snoop_record *r, const char *comm,
		     size_t commlen)
{
	struct tep_event *e = snoop_event_tep(p->ev);
	struct tep_record rec = { 0 };
	struct trace_seq seq;
	size_t mark = b->len;

	rec.ts = r->ts;
	rec.size = r->size;
	rec.data = (void *)r->data;
	rec.cpu = r->cpu;
	trace_seq_init(&seq);
	tep_print_event(e->tep, &seq, &rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&seq);
	/* Right-aligned comm, as in the kernel's trace file. */
	for (size_t w = commlen; w < 16; w++)
		snoop_buf_addc(b, ' ');
	snoop_escape_text(b, comm, commlen);
	snoop_buf_printf(b, "-%-7d [%03d] %" PRIu64 ".%06" PRIu64 ": %s: ", r->pid, r->cpu, r->ts / 1000000000u,
			 (r->ts % 1000000000u) / 1000u, p->event);
	(void)mark;
	{
		/* Our hidden comm arg is the last one: not part of the
		 * user's probe, so not of its text. */
		size_t len = seq.len;
		char *c = p->comm_field ? strstr(seq.buffer, " " KP_COMM_ARG "=") : NULL;

		if (c)
			len = (size_t)(c - seq.buffer);
		snoop_escape_text(b, seq.buffer, len);
	}
	snoop_buf_addc(b, '\n');
	trace_seq_destroy(&seq);
}

/* Out of memory while tracing: end the run through the usual teardown,
 * with exit status 1 (main checks kp->failed). */
void kp_fail_oom(struct kp *kp)
{
	if (!kp->failed)
		snoop_err(kp->a.s, "out of memory");
	kp->failed = true;
	snoop_session_stop(kp->a.s);
}

static void count_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		      size_t commlen)
{
	pid_t key = kp->o->by == KP_BY_PID ? r->pid : 0;

	/* --by cgroup: the cgroup's key in the pid slot (its name at print). */
	if (kp->o->by == KP_BY_CGROUP && (key = snoop_session_cgroup_key(kp->a.s, r->pid)) < 0)
		kp_fail_oom(kp);
	else if (kp_counts_add(&kp->counts, p->idx, key, comm, kp->o->by == KP_BY_COMM ? commlen : 0, 0, 1) < 0)
		kp_fail_oom(kp);
}

static struct kp_pending *pending_of(struct kp *kp, int cpu)
{
	return cpu >= 0 && cpu < kp->npending ? &kp->pending[cpu] : NULL;
}

/* Write out a hit held for its stack (closing its JSON object). */
static void pending_flush(struct kp *kp, struct kp_pending *pd)
{
	struct snoop_buf *out = snoop_session_out(kp->a.s);

	if (!pd->used)
		return;
	if (kp->a.common.json)
		snoop_json_end(&pd->j);
	snoop_buf_add(out, pd->line.data, pd->line.len);
	snoop_buf_reset(&pd->line);
	pd->used = false;
}

void kp_on_hit(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct kp_probe *p = ctx;
	struct kp *kp = p->kp;
	struct snoop_buf *b = snoop_session_out(s);
	struct kp_pending *pd = NULL;
	char cbuf[SNOOP_COMM_LEN + 1];
	struct snoop_task t;
	size_t commlen;
	const char *comm;

	if (p->tasks_feed && kp->tasks)
		p->tasks_feed(kp->tasks, r);
	/* -M: records already read when it was reached are not hits. */
	if (!snoop_session_count_event(s))
		return;
	kp->hits++;
	p->hits++;
	hit_task(p, r, &t);
	comm = task_label(&t, cbuf, &commlen);
	if (kp->a.table) {
		kp_top_hit(kp, p, r, comm, commlen);
		return;
	}
	if (kp->o->latency) {
		kp_latency_hit(kp, p, r, comm, commlen);
		return;
	}
	if (kp->o->hist_field) {
		kp_histogram_hit(kp, p, r, comm, commlen);
		return;
	}
	if (kp->o->count) {
		count_hit(kp, p, r, comm, commlen);
		return;
	}
	if (kp->o->stacks) {
		pd = pending_of(kp, r->cpu);
		if (pd) {
			pending_flush(kp, pd);
			b = &pd->line;
			pd->used = true;
		}
	}
	if (kp->o->raw) {
		raw_line(p, b, r, comm, commlen);
		return;
	}
	if (kp->a.common.json) {
		struct snoop_json local, *j = pd ? &pd->j : &local;
		struct snoop_json args;

		snoop_json_begin(j, b);
		snoop_session_json_time(s, j, r->ts);
		snoop_session_json_cgroup(s, j, r->pid);
		if (t.comm_src == SNOOP_TASK_UNKNOWN)
			snoop_json_null(j, "comm");
		else
			snoop_json_str(j, "comm", t.comm, strlen(t.comm));
		/* Where the name came from: the probe's $comm and the kernel's
		 * records are the hit's; "proc" was read after it. */
		snoop_json_cstr(j, "comm_source", snoop_task_src_name(t.comm_src));
		snoop_json_int(j, "pid", r->pid);
		snoop_json_int(j, "cpu", r->cpu);
		snoop_json_cstr(j, "event", p->event);
		snoop_json_cstr(j, "probe", p->text);
		/* One nested object for the fields, so that a field named
		 * like a fixed member (pid, comm) cannot clash with it. */
		snoop_json_key(j, "fields");
		snoop_json_begin(&args, b);
		for (int i = 0; i < p->nfields; i++)
			json_field(kp, &args, r, &p->fields[i]);
		snoop_buf_addc(b, '}');
		if (!pd)
			snoop_json_end(j);
		return;
	}
	{
		size_t mark;

		snoop_session_put_time(s, b, r->ts);
		snoop_session_put_cgroup(s, b, r->pid);
		snoop_col_comm(b, &t, 16);
		snoop_buf_printf(b, "%7d %3d ", r->pid, r->cpu);
		mark = b->len;
		snoop_buf_adds(b, p->event);
		snoop_buf_pad(b, mark, 20);
		for (int i = 0; i < p->nfields; i++) {
			snoop_buf_printf(b, " %s=", p->fields[i].name);
			text_field(kp, b, r, &p->fields[i]);
		}
		snoop_buf_addc(b, '\n');
	}
}

void kp_on_stack(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct kp *kp = ctx;
	struct kp_pending *pd = pending_of(kp, r->cpu);
	int64_t n = snoop_field_s64(r, kp->f_stack_size);
	int off, max;

	(void)s;
	/* A stack whose hit was not printed (-M reached, or the stack of
	 * another event): nothing to attach it to. */
	if (!pd || !pd->used || !kp->f_stack_caller)
		return;
	off = kp->f_stack_caller->offset;
	max = (r->size - off) / 8;
	/* size is the entry count on current kernels; the array in the
	 * record holds exactly that many. */
	if (n < 0 || n > max)
		n = max;
	if (kp->a.common.json)
		snoop_json_key(&pd->j, "stack"), snoop_buf_addc(&pd->line, '[');
	for (int64_t i = 0; i < n; i++) {
		uint64_t a;

		memcpy(&a, (const char *)r->data + off + i * 8, 8);
		if (!a || a == ~0ull)
			continue;
		if (kp->a.common.json) {
			struct snoop_buf t;

			snoop_buf_init(&t);
			put_symbol(kp, &t, a);
			if (pd->line.data[pd->line.len - 1] != '[')
				snoop_buf_addc(&pd->line, ',');
			snoop_buf_addc(&pd->line, '"');
			snoop_escape_json(&pd->line, t.data, t.len);
			snoop_buf_addc(&pd->line, '"');
			snoop_buf_free(&t);
		} else {
			snoop_buf_adds(&pd->line, "    => ");
			put_symbol(kp, &pd->line, a);
			snoop_buf_addc(&pd->line, '\n');
		}
	}
	if (kp->a.common.json)
		snoop_buf_addc(&pd->line, ']');
	pending_flush(kp, pd);
}

void kp_on_batch(struct snoop_session *s, void *ctx)
{
	struct kp *kp = ctx;

	(void)s;
	/* Stack records follow their hit in the same CPU buffer, so they are
	 * in the same batch: what is still held has no stack coming. */
	for (int i = 0; i < kp->npending; i++)
		pending_flush(kp, &kp->pending[i]);
}

static int cmp_count(const void *a, const void *b)
{
	const struct kp_count *x = a, *y = b;

	if (x->probe != y->probe)
		return x->probe - y->probe;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

void kp_on_tick(struct snoop_session *s, bool final, void *ctx)
{
	struct kp *kp = ctx;
	struct snoop_buf *b = snoop_session_out(s);
	struct kp_count *rows;
	size_t n = 0;

	if (kp->hist_path && kp_hist_collect(kp) < 0)
		return;
	if (kp->nhit_path && kp_nhit_collect(kp) < 0)
		return;
	if (kp->o->stacks) {
		/* -c -s: the stacks of the whole run, at its end. */
		if (final)
			kp_stacks_print(kp);
		return;
	}
	if (kp->o->hist_field || kp->o->latency) {
		kp_histogram_print(kp, final);
		return;
	}
	/* Every probe gets a row, hits or not: a zero is an answer too. */
	if (kp->o->by == KP_BY_NONE)
		for (int i = 0; i < kp->nprobes; i++)
			if (kp_counts_add(&kp->counts, i, 0, "", 0, 0, 0) < 0) {
				kp_fail_oom(kp);
				return;
			}
	rows = calloc(kp->counts.n + 1, sizeof(*rows));
	if (!rows) {
		kp_fail_oom(kp);
		return;
	}
	for (size_t k = 0; k < kp->counts.cap; k++)
		if (kp->counts.slot[k].used)
			rows[n++] = kp->counts.slot[k];
	qsort(rows, n, sizeof(*rows), cmp_count);
	if (!kp->a.common.json) {
		if (kp->o->interval > 0) {
			snoop_buf_adds(b, final ? "\n--- final interval" : "\n---");
			if (kp->a.common.time_rel || kp->a.common.time_wall) {
				snoop_buf_addc(b, ' ');
				snoop_session_put_time(s, b, snoop_now_ns(CLOCK_MONOTONIC));
			}
			snoop_buf_addc(b, '\n');
		}
		snoop_buf_printf(b, "%-24s ", "EVENT");
		if (kp->o->by == KP_BY_COMM)
			snoop_buf_printf(b, "%-16s ", "COMM");
		else if (kp->o->by == KP_BY_PID)
			snoop_buf_printf(b, "%7s ", "PID");
		else if (kp->o->by == KP_BY_CGROUP)
			snoop_buf_printf(b, "%-*s ", SNOOP_CGROUP_WIDTH, "CGROUP");
		snoop_buf_printf(b, "%10s\n", "COUNT");
	}
	for (size_t i = 0; i < n; i++) {
		struct kp_probe *p = &kp->probes[rows[i].probe];

		if (kp->a.common.json) {
			struct snoop_json j;

			snoop_json_begin(&j, b);
			snoop_json_cstr(&j, "type", "count");
			snoop_session_json_time(s, &j, snoop_now_ns(CLOCK_MONOTONIC));
			snoop_json_cstr(&j, "event", p->event);
			snoop_json_cstr(&j, "probe", p->text);
			if (kp->o->by == KP_BY_COMM)
				snoop_json_str(&j, "comm", rows[i].comm, strlen(rows[i].comm));
			else if (kp->o->by == KP_BY_PID)
				snoop_json_int(&j, "pid", rows[i].pid);
			else if (kp->o->by == KP_BY_CGROUP)
				snoop_session_json_cgroup_key(s, &j, rows[i].pid);
			snoop_json_uint(&j, "count", rows[i].n);
			snoop_json_bool(&j, "final", final);
			snoop_json_end(&j);
		} else {
			size_t mark = b->len;

			snoop_buf_adds(b, p->event);
			snoop_buf_pad(b, mark, 24);
			snoop_buf_addc(b, ' ');
			if (kp->o->by == KP_BY_COMM) {
				mark = b->len;
				snoop_escape_text(b, rows[i].comm, strlen(rows[i].comm));
				snoop_buf_pad(b, mark, 16);
				snoop_buf_addc(b, ' ');
			} else if (kp->o->by == KP_BY_PID) {
				snoop_buf_printf(b, "%7d ", rows[i].pid);
			} else if (kp->o->by == KP_BY_CGROUP) {
				const char *cg = snoop_session_cgroup_name(s, rows[i].pid);

				mark = b->len;
				snoop_escape_text(b, cg, strlen(cg));
				snoop_buf_pad(b, mark, SNOOP_CGROUP_WIDTH);
				snoop_buf_addc(b, ' ');
			}
			snoop_buf_printf(b, "%10" PRIu64 "\n", rows[i].n);
		}
	}
	free(rows);
	/* Interval counts, like funccount: each print starts from zero. */
	if (kp->o->interval > 0)
		kp_counts_clear(&kp->counts);
}
