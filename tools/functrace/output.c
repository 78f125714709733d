// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace's records and how they are printed: a line per call (function
 * tracer), entry and exit lines with durations (function_graph), or counts
 * per function (-c), which do no symbol lookup or formatting per call and
 * so keep up with rates that a line per call cannot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event-parse.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/output.h>

#include "functrace.h"

/* -s: a record whose kernel_stack record has not been read yet. */
struct ft_pending {
	bool used;
	bool aged;       /* survived one batch end without its stack */
	struct snoop_record r;
	unsigned char data[64];
	ft_emit_fn emit; /* what prints it, with what and v */
	void *what;
	uint64_t v;
};

/* ---- symbols (sym.c) ---------------------------------------------------- */

static void put_sym(struct functrace *ft, struct snoop_buf *b, uint64_t addr, bool offset)
{
	ft_put_sym(ft->ksyms, b, addr, offset);
}

static void json_sym(struct functrace *ft, struct snoop_json *j, const char *key, const char *modkey,
		     uint64_t addr)
{
	ft_json_sym(ft->ksyms, j, key, modkey, addr);
}

void ft_put_task(struct functrace *ft, struct snoop_buf *b, const struct snoop_record *r)
{
	struct snoop_task t;

	ft_task(ft, r->pid, &t);
	snoop_session_put_cgroup(ft->s, b, r->pid);
	snoop_col_comm(b, &t, 16);
	/* The kernel's task ID, 0 for the idle task, and the CPU. */
	snoop_buf_printf(b, "%-7d %-3d ", r->pid, r->cpu);
}

void ft_json_task(struct functrace *ft, struct snoop_json *j, const struct snoop_record *r)
{
	struct snoop_task t;

	ft_task(ft, r->pid, &t);
	snoop_session_json_time(ft->s, j, r->ts);
	snoop_session_json_cgroup(ft->s, j, r->pid);
	snoop_json_str(j, "comm", t.comm, strlen(t.comm));
	snoop_json_int(j, "pid", r->pid);
	snoop_json_int(j, "cpu", r->cpu);
}

void ft_put_stack(struct functrace *ft, struct snoop_buf *b, const uint64_t *callers, int depth)
{
	for (int i = 0; i < depth; i++) {
		snoop_buf_adds(b, "\t=> ");
		put_sym(ft, b, callers[i], true);
		snoop_buf_addc(b, '\n');
	}
}

void ft_json_stack(struct functrace *ft, struct snoop_json *j, const uint64_t *callers, int depth)
{
	snoop_json_array_begin(j, "stack");
	for (int i = 0; i < depth; i++)
		ft_json_stack_entry(ft->ksyms, j, callers[i]);
	snoop_json_array_end(j);
}

void functrace_print_header(struct functrace *ft)
{
	struct snoop_buf *b = snoop_session_out(ft->s);

	if (ft->o->a.common.json || !ft->o->header || ft->o->count)
		return;
	snoop_session_put_time_header(ft->s, b);
	if (ft->o->ngraph && ft->o->no_durations)
		snoop_buf_printf(b, "%-16s %-7s %-3s %s\n", "COMM", "PID", "CPU", "FUNCTION");
	else if (ft->o->graph || ft->o->ngraph)
		snoop_buf_printf(b, "%-16s %-7s %-3s %12s  %s\n", "COMM", "PID", "CPU", "DURATION(us)", "FUNCTION");
	else
		snoop_buf_printf(b, "%-16s %-7s %-3s %s\n", "COMM", "PID", "CPU", "FUNCTION <- CALLER");
	snoop_session_flush(ft->s);
}

/* ---- function tracer: a line per call ---------------------------------- */

static void emit_call(struct functrace *ft, const struct snoop_record *r, void *what, uint64_t v,
		      const uint64_t *callers, int depth)
{
	struct snoop_buf *b = snoop_session_out(ft->s);
	uint64_t ip = snoop_field_u64(r, ft->f_ip), parent = snoop_field_u64(r, ft->f_parent);

	(void)what;
	(void)v;
	if (!snoop_session_count_event(ft->s))
		return; /* -M reached */
	ft->printed++;
	if (ft->o->a.common.json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		ft_json_task(ft, &j, r);
		json_sym(ft, &j, "func", "module", ip);
		json_sym(ft, &j, "caller", "caller_module", parent);
		if (ft->o->stack)
			ft_json_stack(ft, &j, callers, depth);
		snoop_json_end(&j);
		return;
	}
	snoop_session_put_time(ft->s, b, r->ts);
	ft_put_task(ft, b, r);
	put_sym(ft, b, ip, false);
	snoop_buf_adds(b, " <- ");
	put_sym(ft, b, parent, false);
	snoop_buf_addc(b, '\n');
	ft_put_stack(ft, b, callers, depth);
}

static struct ft_pending *pending_of(struct functrace *ft, int cpu)
{
	if (cpu >= ft->npending) {
		struct ft_pending *np = realloc(ft->pending, sizeof(*np) * (size_t)(cpu + 1));

		if (!np) {
			/* Ends the run through the session's teardown. */
			snoop_err(ft->s, "out of memory");
			return NULL;
		}
		memset(np + ft->npending, 0, sizeof(*np) * (size_t)(cpu + 1 - ft->npending));
		ft->pending = np;
		ft->npending = cpu + 1;
	}
	return &ft->pending[cpu];
}

/* Its stack did not come: printed without one. */
static void flush_pending(struct functrace *ft, struct ft_pending *p)
{
	if (!p->used)
		return;
	p->used = false;
	p->emit(ft, &p->r, p->what, p->v, NULL, 0);
}

void ft_hold(struct functrace *ft, const struct snoop_record *r, ft_emit_fn emit, void *what, uint64_t v)
{
	/* The kernel writes the stack as the next record of the same CPU:
	 * hold the record until it comes. */
	struct ft_pending *p = pending_of(ft, r->cpu);

	if (!p)
		return;
	flush_pending(ft, p);
	if ((size_t)r->size > sizeof(p->data)) {
		emit(ft, r, what, v, NULL, 0);
		return;
	}
	memcpy(p->data, r->data, (size_t)r->size);
	p->r = *r;
	p->r.data = p->data;
	p->used = true;
	p->aged = false;
	p->emit = emit;
	p->what = what;
	p->v = v;
}

static void on_function(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct functrace *ft = ctx;

	(void)s;
	ft->calls++;
	if (!ft_comm_ok(ft, r->pid))
		return;
	if (!ft->o->stack)
		emit_call(ft, r, NULL, 0, NULL, 0);
	else
		ft_hold(ft, r, emit_call, NULL, 0);
}

static void on_stack(struct snoop_session *s, const struct snoop_record *st, void *ctx)
{
	struct functrace *ft = ctx;
	struct ft_pending *p = pending_of(ft, st->cpu);
	uint64_t callers[FT_STACK_MAX];
	int depth = 0;

	(void)s;
	if (!p || !p->used || p->r.pid != st->pid)
		return; /* the stack of a call filtered out by -n (or lost) */
	p->used = false;
	if (ft->f_st_caller) {
		/* The array is as long as the record, "size" says how much of
		 * it is used; the format's [8] is only nominal. */
		int64_t n = snoop_field_s64(st, ft->f_st_size);
		int off = ft->f_st_caller->offset;
		int room = (st->size - off) / 8;

		if (n > room)
			n = room;
		for (int i = 0; i < n && depth < FT_STACK_MAX; i++) {
			uint64_t a;

			memcpy(&a, (const char *)st->data + off + 8 * i, 8);
			if (a == 0 || a == ~0ull) /* end marker of older kernels */
				break;
			/* FTRACE_TRAMPOLINE_MARKER (INT_MAX): the frame of the
			 * ftrace trampoline, i.e. of the tracer itself. */
			if (a == 0x7fffffff)
				continue;
			callers[depth++] = a;
		}
	}
	p->emit(ft, &p->r, p->what, p->v, callers, depth);
}

static void on_batch(struct snoop_session *s, void *ctx)
{
	struct functrace *ft = ctx;

	(void)s;
	/* A call whose stack did not come within a whole batch lost it. */
	for (int i = 0; i < ft->npending; i++) {
		struct ft_pending *p = &ft->pending[i];

		if (p->used && p->aged)
			flush_pending(ft, p);
		else if (p->used)
			p->aged = true;
	}
}

int ft_stack_events(struct functrace *ft)
{
	struct snoop_event *ev = snoop_session_format_event(ft->s, "ftrace", "kernel_stack", on_stack, ft);

	if (!ev)
		return -1;
	ft->f_st_size = snoop_event_field(ev, "size");
	ft->f_st_caller = snoop_event_field(ev, "caller");
	snoop_session_on_batch(ft->s, on_batch, ft);
	return 0;
}

/* ---- function_graph: entry and exit ------------------------------------ */

static void graph_line(struct functrace *ft, const struct snoop_record *r, bool exit)
{
	struct snoop_buf *b = snoop_session_out(ft->s);
	uint64_t func = snoop_field_u64(r, exit ? ft->f_gx_func : ft->f_g_func);
	unsigned int depth = (unsigned int)snoop_field_u64(r, exit ? ft->f_gx_depth : ft->f_g_depth);
	int64_t dur = -1;

	ft->calls++;
	if (!ft_comm_ok(ft, r->pid))
		return;
	if (exit && ft->f_gx_calltime && ft->f_gx_rettime) {
		uint64_t c = snoop_field_u64(r, ft->f_gx_calltime), t = snoop_field_u64(r, ft->f_gx_rettime);

		if (t >= c)
			dur = (int64_t)(t - c);
	}
	if (!snoop_session_count_event(ft->s))
		return; /* -M reached: a line is an event, entry or exit */
	ft->printed++;
	if (ft->o->a.common.json) {
		struct snoop_json j;

		snoop_json_begin(&j, b);
		ft_json_task(ft, &j, r);
		snoop_json_cstr(&j, "type", exit ? "exit" : "entry");
		json_sym(ft, &j, "func", "module", func);
		snoop_json_int(&j, "depth", depth);
		if (exit) {
			if (dur >= 0)
				snoop_json_int(&j, "duration_ns", dur);
			else
				snoop_json_null(&j, "duration_ns");
		}
		snoop_json_end(&j);
		return;
	}
	snoop_session_put_time(ft->s, b, r->ts);
	ft_put_task(ft, b, r);
	if (exit && dur >= 0)
		snoop_buf_printf(b, "%12.3f  ", (double)dur / 1000.0);
	else
		snoop_buf_printf(b, "%12s  ", "");
	if (depth > 32)
		depth = 32;
	for (unsigned int i = 0; i < depth; i++)
		snoop_buf_adds(b, "  ");
	if (exit) {
		snoop_buf_adds(b, "} ");
		put_sym(ft, b, func, false);
	} else {
		put_sym(ft, b, func, false);
		snoop_buf_adds(b, "() {");
	}
	snoop_buf_addc(b, '\n');
}

static void on_graph_entry(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)s;
	graph_line(ctx, r, false);
}

static void on_graph_exit(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)s;
	graph_line(ctx, r, true);
}

/* ---- -c: counts ---------------------------------------------------------- */

struct count_slot {
	uint64_t ip;     /* 0: empty */
	int pid;         /* --by pid */
	int cg;          /* --by cgroup, -C: snoop_session_cgroup_key() */
	char comm[16];   /* --by comm, and the name shown with --by pid */
	uint64_t n;
};

struct ft_counts {
	struct count_slot *slots;
	size_t cap, used;
	uint64_t total;
};

static uint64_t count_hash(const struct count_slot *k)
{
	uint64_t h = k->ip * 0x9e3779b97f4a7c15ull ^ (uint64_t)(unsigned int)k->pid * 0xc2b2ae3d27d4eb4full ^
		     (uint64_t)(unsigned int)k->cg * 0x165667b19e3779f9ull;

	for (int i = 0; i < 16 && k->comm[i]; i++)
		h = (h ^ (unsigned char)k->comm[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static bool count_same(const struct count_slot *a, const struct count_slot *b)
{
	return a->ip == b->ip && a->pid == b->pid && a->cg == b->cg && strncmp(a->comm, b->comm, 16) == 0;
}

static int count_insert(struct ft_counts *c, const struct count_slot *k, uint64_t n);

/* Twice the room; -1 (the table as it was) when out of memory. */
static int count_grow(struct ft_counts *c)
{
	struct count_slot *old = c->slots;
	size_t oldcap = c->cap, newcap = c->cap ? c->cap * 2 : 1024;
	struct count_slot *nv = calloc(newcap, sizeof(*nv));

	if (!nv)
		return -1;
	c->slots = nv;
	c->cap = newcap;
	c->used = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].ip)
			count_insert(c, &old[i], old[i].n); /* room enough: cannot fail */
	free(old);
	return 0;
}

static int count_insert(struct ft_counts *c, const struct count_slot *k, uint64_t n)
{
	size_t i;

	if ((c->used + 1) * 2 > c->cap && count_grow(c) < 0)
		return -1;
	for (i = count_hash(k) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct count_slot *sl = &c->slots[i];

		if (!sl->ip) {
			*sl = *k;
			sl->n = n;
			c->used++;
			return 0;
		}
		if (count_same(sl, k)) {
			sl->n += n;
			return 0;
		}
	}
}

static void on_count(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct functrace *ft = ctx;
	struct count_slot k = { .ip = snoop_field_u64(r, ft->f_ip) };

	ft->calls++;
	if (!ft_comm_ok(ft, r->pid) || !k.ip || !snoop_session_count_event(s))
		return;
	if (ft->o->a.table) {
		functrace_top_hit(ft, k.ip, r->pid);
		return;
	}
	if (ft_by_comm(ft->o)) {
		/* The name as it was at the call: the task may exec later. */
		struct snoop_task t;

		ft_task(ft, r->pid, &t);
		memcpy(k.comm, t.comm, sizeof(k.comm));
		k.pid = ft->o->by == FT_BY_PID ? r->pid : 0;
	}
	if (ft->o->by_cgroup && (k.cg = snoop_session_cgroup_key(s, r->pid)) < 0) {
		snoop_err(s, "out of memory counting calls");
		return;
	}
	if (count_insert(ft->counts, &k, 1) < 0) {
		snoop_err(s, "out of memory counting calls");
		return;
	}
	ft->counts->total++;
}

struct sorted {
	const struct count_slot *sl;
	const char *name;
};

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int c;

	if (x->sl->n != y->sl->n)
		return x->sl->n < y->sl->n ? 1 : -1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->sl->cg != y->sl->cg)
		return x->sl->cg - y->sl->cg;
	return x->sl->pid - y->sl->pid;
}

static void print_counts(struct snoop_session *s, bool final, void *ctx)
{
	struct functrace *ft = ctx;
	struct ft_counts *c = ft->counts;
	struct snoop_buf *b = snoop_session_out(s);
	uint64_t now_ns = snoop_now_ns(CLOCK_MONOTONIC);
	struct sorted *v;
	size_t n = 0;

	v = calloc(c->used ? c->used : 1, sizeof(*v));
	if (!v) {
		snoop_err(s, "out of memory printing the counts");
		return;
	}
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slots[i].ip)
			continue;
		v[n].sl = &c->slots[i];
		{
			const struct snoop_ksym *k = snoop_ksym_lookup(ft->ksyms, c->slots[i].ip, NULL);

			v[n].name = k ? k->name : "?";
		}
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_sorted);
	/* The last, partial interval (Ctrl-C, -d) is shown only if it
	 * counted something; without -i the totals are always shown. */
	if (final && ft->o->interval > 0 && n == 0 && ft->interval_no > 0) {
		free(v);
		return;
	}

	if (ft->o->a.common.json) {
		for (size_t i = 0; i < n; i++) {
			struct snoop_json j;

			snoop_json_begin(&j, b);
			snoop_json_cstr(&j, "type", "count");
			snoop_session_json_time(s, &j, now_ns);
			snoop_json_int(&j, "interval", ft->interval_no);
			snoop_json_bool(&j, "final", final);
			json_sym(ft, &j, "func", "module", v[i].sl->ip);
			if (ft->o->by_cgroup)
				snoop_session_json_cgroup_key(s, &j, v[i].sl->cg);
			if (ft->o->by == FT_BY_PID)
				snoop_json_int(&j, "pid", v[i].sl->pid);
			if (ft_by_comm(ft->o))
				snoop_json_str(&j, "comm", v[i].sl->comm, strnlen(v[i].sl->comm, 16));
			snoop_json_uint(&j, "count", v[i].sl->n);
			snoop_json_end(&j);
		}
	} else {
		if (ft->o->interval > 0) {
			time_t t = time(NULL);
			struct tm tm;
			char tb[32];

			localtime_r(&t, &tm);
			strftime(tb, sizeof(tb), "%H:%M:%S", &tm);
			snoop_buf_printf(b, "%s%s\n", ft->interval_no ? "\n" : "", tb);
		}
		if (ft->o->by_cgroup)
			snoop_buf_printf(b, "%-*s ", SNOOP_CGROUP_WIDTH, "CGROUP");
		if (ft->o->by == FT_BY_PID)
			snoop_buf_printf(b, "%-16s %-7s ", "COMM", "PID");
		else if (ft->o->by == FT_BY_COMM)
			snoop_buf_printf(b, "%-16s ", "COMM");
		snoop_buf_printf(b, "%-40s %12s\n", "FUNC", "COUNT");
		for (size_t i = 0; i < n; i++) {
			const struct count_slot *sl = v[i].sl;
			size_t mark = b->len;

			if (ft->o->by_cgroup) {
				const char *cg = snoop_session_cgroup_name(s, sl->cg);

				snoop_escape_text(b, cg, strlen(cg));
				snoop_buf_pad(b, mark, SNOOP_CGROUP_WIDTH);
				snoop_buf_addc(b, ' ');
				mark = b->len;
			}
			if (ft_by_comm(ft->o)) {
				snoop_escape_text(b, sl->comm, strnlen(sl->comm, 16));
				snoop_buf_pad(b, mark, 16);
				snoop_buf_addc(b, ' ');
			}
			if (ft->o->by == FT_BY_PID)
				snoop_buf_printf(b, "%-7d ", sl->pid);
			mark = b->len;
			put_sym(ft, b, sl->ip, false);
			snoop_buf_pad(b, mark, 40);
			snoop_buf_printf(b, " %12llu\n", (unsigned long long)sl->n);
		}
	}
	free(v);
	/* Each interval counts afresh, like funccount. */
	memset(c->slots, 0, c->cap * sizeof(*c->slots));
	c->used = 0;
	c->total = 0;
	ft->interval_no++;
}

/* ---- declaring the records ---------------------------------------------- */

int ft_graph_events(struct functrace *ft, snoop_handler_fn on_entry, snoop_handler_fn on_exit)
{
	struct snoop_event *ev;

	ev = snoop_session_format_event(ft->s, "ftrace", "funcgraph_entry", on_entry, ft);
	if (!ev)
		return -1;
	ft->f_g_func = snoop_event_field(ev, "func");
	ft->f_g_depth = snoop_event_field(ev, "depth");
	ev = snoop_session_format_event(ft->s, "ftrace", "funcgraph_exit", on_exit, ft);
	if (!ev)
		return -1;
	ft->f_gx_func = snoop_event_field(ev, "func");
	ft->f_gx_depth = snoop_event_field(ev, "depth");
	ft->f_gx_calltime = snoop_event_field(ev, "calltime");
	ft->f_gx_rettime = snoop_event_field(ev, "rettime");
	return 0;
}

int functrace_output_init(struct functrace *ft)
{
	struct snoop_event *ev;

	if (ft->o->ngraph)
		return 0; /* graph.c declares its records */
	if (ft->o->graph)
		return ft_graph_events(ft, on_graph_entry, on_graph_exit);
	ev = snoop_session_format_event(ft->s, "ftrace", "function", ft->o->count ? on_count : on_function, ft);
	if (!ev)
		return -1;
	ft->f_ip = snoop_event_field(ev, "ip");
	ft->f_parent = snoop_event_field(ev, "parent_ip");
	if (ft->o->count) {
		ft->counts = calloc(1, sizeof(*ft->counts));
		if (!ft->counts || count_grow(ft->counts) < 0) {
			snoop_err(ft->s, "out of memory");
			return -1;
		}
		snoop_session_on_tick(ft->s, ft->o->interval, print_counts, ft);
	}
	if (ft->o->stack)
		return ft_stack_events(ft);
	return 0;
}

void functrace_output_free(struct functrace *ft)
{
	if (ft->counts)
		free(ft->counts->slots);
	free(ft->counts);
	free(ft->pending);
}

void functrace_finish(struct functrace *ft)
{
	/* Calls still waiting for a stack at the end: print them without. */
	for (int i = 0; i < ft->npending; i++)
		flush_pending(ft, &ft->pending[i]);
	if (ft->graph)
		functrace_graph_finish(ft);
	snoop_session_flush(ft->s);
}
