// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --top table: rows keyed by bytes, typed columns, aggregation, a bound
 * on the number of keys, sorting, the text filter and the text rendering.
 * No terminal here (top_view.c has it), so that all of this is unit-tested.
 *
 * Memory is bounded by max_keys rows. Evicting the smallest count keeps the
 * heavy hitters, which is what a top view is for; the rows that fell out are
 * not forgotten silently: their number and their events are shown.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/top.h>

#include "top_internal.h"

/* ---- options ------------------------------------------------------------ */

enum { OPT_TOP_MAX = 0x1100 };

/* Below this a full redraw per interval is busy work, not information. */
#define INTERVAL_MIN 0.1
#define KEYS_MAX 10000000L

static const struct argp_option top_options[] = {
	{ "interval", 'i', "SECONDS", 0,
	  "Refresh the --top table every SECONDS (default 1); a count mode prints every SECONDS", 0 },
	{ "top-max", OPT_TOP_MAX, "N", 0,
	  "Keys the --top table keeps (default 10000); the smallest counts make room", 0 },
	{ 0 }
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct snoop_top_opts *o = state->input;
	char q[96];
	long v;

	switch (key) {
	case ARGP_KEY_INIT:
		if (!o)
			argp_error(state, "internal error: no snoop_top_opts given to the --top parser");
		return 0;
	case 'i':
		if (snoop_parse_seconds(arg, &o->interval) < 0 || o->interval < INTERVAL_MIN)
			argp_error(state, "invalid interval '%s': expected seconds, at least %.1f",
				   snoop_arg_quote(q, sizeof(q), arg), INTERVAL_MIN);
		o->interval_given = true;
		return 0;
	case OPT_TOP_MAX:
		if (snoop_parse_long(arg, 1, KEYS_MAX, &v) < 0)
			argp_error(state, "invalid --top-max '%s': expected 1 to %ld",
				   snoop_arg_quote(q, sizeof(q), arg), KEYS_MAX);
		o->max_keys = (unsigned int)v;
		o->max_given = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp snoop_top_argp = {
	.options = top_options,
	.parser = top_parse,
};

double snoop_top_interval(const struct snoop_top_opts *o)
{
	return o && o->interval > 0 ? o->interval : SNOOP_TOP_DEFAULT_INTERVAL;
}

void snoop_top_opts_check(struct argp_state *state, const struct snoop_opts *common,
			  const struct snoop_top_opts *o)
{
	if (common->top)
		return;
	if (o->interval_given)
		argp_error(state, "-i/--interval needs --top");
	if (o->max_given)
		argp_error(state, "--top-max needs --top");
}

/* ---- hashing ------------------------------------------------------------ */

/* splitmix64's finaliser: spreads every input bit over the whole word, so
 * that both the bucket index (low bits) and the HLL rank (high bits) of
 * nearby values (PIDs) look independent. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then mixed */

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return mix64(h ^ n);
}

/* ---- the table ------------------------------------------------------------ */

struct snoop_top *snoop_top_new(const struct snoop_top_col *cols, int ncols, size_t max_keys)
{
	struct snoop_top *t;
	int rest = 0;

	if (ncols <= 0 || ncols > SNOOP_TOP_MAX_COLS) {
		fprintf(stderr, "snoop_top_new: %d columns (1 to %d)\n", ncols, SNOOP_TOP_MAX_COLS);
		return NULL;
	}
	for (int i = 0; i < ncols; i++) {
		if (!cols[i].name || cols[i].width < 0 ||
		    ((cols[i].kind == SNOOP_TOP_TEXT || cols[i].kind == SNOOP_TOP_KEY ||
		      cols[i].kind == SNOOP_TOP_COUNT) && cols[i].agg != SNOOP_TOP_SUM) ||
		    cols[i].agg > SNOOP_TOP_DISTINCT || cols[i].kind > SNOOP_TOP_KEY) {
			fprintf(stderr, "snoop_top_new: invalid column %d\n", i);
			return NULL;
		}
		rest += cols[i].width == 0;
	}
	if (rest > 1) {
		fprintf(stderr, "snoop_top_new: only one column can take the rest of the line\n");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	memcpy(t->cols, cols, sizeof(*cols) * (size_t)ncols);
	t->ncols = ncols;
	t->max_keys = max_keys ? max_keys : SNOOP_TOP_DEFAULT_KEYS;
	t->nbuckets = 64;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	snoop_buf_init(&t->scratch);
	return t;
}

static void row_free(struct snoop_top *t, struct snoop_top_row *r)
{
	for (int i = 0; i < t->ncols; i++)
		free(r->cells[i].p);
	free(r);
}

static void free_rows(struct snoop_top *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		row_free(t, t->heap[i]);
	t->nrows = 0;
	memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
}

void snoop_top_table_free(struct snoop_top *t)
{
	free_rows(t);
	free(t->buckets);
	free(t->heap);
	free(t->view);
	free(t->filter);
	snoop_buf_free(&t->scratch);
	free(t);
}

/* The eviction order: the smaller count first, then the one hit longest ago. */
static bool row_less(const struct snoop_top_row *a, const struct snoop_top_row *b)
{
	return a->count < b->count || (a->count == b->count && a->seq < b->seq);
}

static void heap_set(struct snoop_top *t, size_t i, struct snoop_top_row *r)
{
	t->heap[i] = r;
	r->heap = i;
}

static void sift_up(struct snoop_top *t, size_t i)
{
	struct snoop_top_row *r = t->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!row_less(r, t->heap[parent]))
			break;
		heap_set(t, i, t->heap[parent]);
		i = parent;
	}
	heap_set(t, i, r);
}

static void sift_down(struct snoop_top *t, size_t i)
{
	struct snoop_top_row *r = t->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= t->nrows)
			break;
		if (c + 1 < t->nrows && row_less(t->heap[c + 1], t->heap[c]))
			c++;
		if (!row_less(t->heap[c], r))
			break;
		heap_set(t, i, t->heap[c]);
		i = c;
	}
	heap_set(t, i, r);
}

static void unlink_hash(struct snoop_top *t, struct snoop_top_row *r)
{
	struct snoop_top_row **pp = &t->buckets[r->hash & (t->nbuckets - 1)];

	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
}

static void evict_min(struct snoop_top *t)
{
	struct snoop_top_row *r = t->heap[0];

	t->dropped_keys++;
	t->dropped_events += r->count;
	unlink_hash(t, r);
	t->nrows--;
	if (t->nrows) {
		heap_set(t, 0, t->heap[t->nrows]);
		sift_down(t, 0);
	}
	row_free(t, r);
}

/* Keep chains short: a table grows from 64 buckets as keys come, so that a
 * tool with few keys does not pay for the maximum up front. */
static void maybe_grow(struct snoop_top *t)
{
	struct snoop_top_row **nb;
	size_t n;

	if (t->nrows < t->nbuckets)
		return;
	n = t->nbuckets * 2;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < t->nrows; i++) {
		struct snoop_top_row *r = t->heap[i];

		r->next = nb[r->hash & (n - 1)];
		nb[r->hash & (n - 1)] = r;
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

/* Out of memory the table stops growing and says so (t->failed); the
 * view's tick ends the session with one line instead of an abort() that
 * would leave the instance behind. */
static bool grow_array(struct snoop_top *t, void *pp, size_t *cap, size_t want, size_t elem)
{
	void **p = pp;
	void *np;

	if (t->failed)
		return false;
	np = want <= SIZE_MAX / elem ? realloc(*p, want * elem) : NULL;
	if (!np) {
		t->failed = true;
		return false;
	}
	*p = np;
	*cap = want;
	return true;
}

struct snoop_top_row *snoop_top_add(struct snoop_top *t, const void *key, size_t len, uint64_t n)
{
	uint64_t h = hash_bytes(key, len);
	struct snoop_top_row *r;

	t->total_events += n;
	if (t->paused) {
		t->paused_events += n;
		return NULL;
	}
	t->events += n;
	for (r = t->buckets[h & (t->nbuckets - 1)]; r; r = r->next) {
		if (r->hash == h && r->keylen == len && !memcmp(r->key, key, len)) {
			r->count += n;
			r->seq = ++t->seq;
			sift_down(t, r->heap);
			return r;
		}
	}
	if (t->nrows >= t->max_keys)
		evict_min(t);
	if (t->nrows == t->heap_cap &&
	    !grow_array(t, &t->heap, &t->heap_cap, t->heap_cap ? t->heap_cap * 2 : 64, sizeof(*t->heap)))
		return NULL;
	/* One allocation per row: header, cells, key. */
	r = calloc(1, sizeof(*r) + sizeof(struct top_cell) * (size_t)t->ncols + len);
	if (!r) {
		t->failed = true;
		return NULL;
	}
	r->hash = h;
	r->count = n;
	r->seq = ++t->seq;
	r->keylen = len;
	r->key = (unsigned char *)&r->cells[t->ncols];
	memcpy(r->key, key, len);
	r->next = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = r;
	heap_set(t, t->nrows++, r);
	sift_up(t, r->heap);
	maybe_grow(t);
	return r;
}

struct snoop_top_row *snoop_top_hit(struct snoop_top *t, const void *key, size_t len)
{
	return snoop_top_add(t, key, len, 1);
}

static bool col_ok(const struct snoop_top *t, const struct snoop_top_row *r, int col,
		   enum snoop_top_kind kind)
{
	return r && col >= 0 && col < t->ncols && t->cols[col].kind == kind;
}

/*
 * DISTINCT: the first TOP_EXACT values are kept (as 32-bit hashes) and
 * counted exactly, since small counts ("2 processes") are read closely;
 * past them the same 64 bytes become HyperLogLog registers: the register
 * picked by the hash's low bits keeps the largest rank (position of the
 * first 1 bit) seen in the rest.
 */
#define TOP_EXACT (TOP_HLL_REGS / 4)

static void hll_reg(struct top_cell *c, uint64_t h)
{
	unsigned int idx = (unsigned int)(h & (TOP_HLL_REGS - 1));
	uint64_t rest = h >> 6;
	unsigned char rank = (unsigned char)(rest ? __builtin_ctzll(rest) + 1 : 59);

	if (rank > c->p[idx])
		c->p[idx] = rank;
}

static void distinct_add(struct snoop_top *t, struct top_cell *c, uint64_t h)
{
	uint32_t h32 = (uint32_t)(h >> 32), exact[TOP_EXACT];

	if (!c->p) {
		c->p = calloc(1, TOP_HLL_REGS);
		if (!c->p) {
			t->failed = true;
			return;
		}
	}
	c->set = true;
	if (c->v >= 0) {
		memcpy(exact, c->p, sizeof(exact));
		for (int64_t i = 0; i < c->v; i++)
			if (exact[i] == h32)
				return;
		if (c->v < TOP_EXACT) {
			exact[c->v++] = h32;
			memcpy(c->p, exact, sizeof(exact));
			return;
		}
		/* The 17th value: from now on, registers. */
		memset(c->p, 0, TOP_HLL_REGS);
		for (int i = 0; i < TOP_EXACT; i++)
			hll_reg(c, mix64(exact[i]));
		c->v = -1;
	}
	hll_reg(c, mix64(h32));
}

static int64_t distinct_estimate(const struct top_cell *c)
{
	double sum = 0, m = TOP_HLL_REGS, e;
	int zeros = 0;

	if (!c->p || c->v >= 0)
		return c->v;
	for (int i = 0; i < TOP_HLL_REGS; i++) {
		sum += ldexp(1.0, -c->p[i]);
		zeros += c->p[i] == 0;
	}
	e = 0.709 * m * m / sum; /* alpha for m = 64 */
	/* Small counts: linear counting on the empty registers is far more
	 * exact there. */
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros);
	/* Never below what the exact phase had counted. */
	return e < TOP_EXACT + 1 ? TOP_EXACT + 1 : (int64_t)llround(e);
}

void snoop_top_num(struct snoop_top *t, struct snoop_top_row *r, int col, int64_t v)
{
	struct top_cell *c;

	if (!col_ok(t, r, col, SNOOP_TOP_NUMBER))
		return;
	c = &r->cells[col];
	switch (t->cols[col].agg) {
	case SNOOP_TOP_SUM:
		c->v += v;
		break;
	case SNOOP_TOP_LAST:
		c->v = v;
		break;
	case SNOOP_TOP_MAX:
		if (!c->set || v > c->v)
			c->v = v;
		break;
	case SNOOP_TOP_DISTINCT:
		distinct_add(t, c, mix64((uint64_t)v));
		break;
	}
	c->set = true;
}

void snoop_top_text(struct snoop_top *t, struct snoop_top_row *r, int col, const void *s, size_t n)
{
	struct top_cell *c;

	if (!r || col < 0 || col >= t->ncols)
		return;
	c = &r->cells[col];
	if (t->cols[col].kind == SNOOP_TOP_NUMBER && t->cols[col].agg == SNOOP_TOP_DISTINCT) {
		distinct_add(t, c, hash_bytes(s, n));
		return;
	}
	if (t->cols[col].kind != SNOOP_TOP_TEXT)
		return;
	if (n > TOP_TEXT_MAX)
		n = TOP_TEXT_MAX;
	/* Most events repeat the row's last text: no copy then. */
	if (c->set && (size_t)c->v == n && !memcmp(c->p, s, n))
		return;
	if (!c->p) {
		c->p = malloc(TOP_TEXT_MAX);
		if (!c->p) {
			t->failed = true;
			return;
		}
	}
	memcpy(c->p, s, n);
	c->v = (int64_t)n;
	c->set = true;
}

void snoop_top_reset(struct snoop_top *t)
{
	free_rows(t);
	t->events = t->dropped_keys = t->dropped_events = t->paused_events = 0;
}

void snoop_top_pause(struct snoop_top *t, bool paused)
{
	t->paused = paused;
}

bool snoop_top_paused(const struct snoop_top *t)
{
	return t->paused;
}

int snoop_top_sort(struct snoop_top *t, int col)
{
	if (col < 0 || col >= t->ncols)
		return -1;
	t->sort_col = col;
	return 0;
}

int snoop_top_sort_col(const struct snoop_top *t)
{
	return t->sort_col;
}

void snoop_top_filter(struct snoop_top *t, const char *text)
{
	free(t->filter);
	t->filter = text && *text ? strdup(text) : NULL;
}

/* ---- reading ------------------------------------------------------------ */

uint64_t snoop_top_row_count(const struct snoop_top_row *r)
{
	return r->count;
}

int64_t snoop_top_row_num(const struct snoop_top *t, const struct snoop_top_row *r, int col)
{
	if (col < 0 || col >= t->ncols)
		return 0;
	if (t->cols[col].kind == SNOOP_TOP_COUNT)
		return (int64_t)r->count;
	if (t->cols[col].kind != SNOOP_TOP_NUMBER)
		return 0;
	if (t->cols[col].agg == SNOOP_TOP_DISTINCT)
		return distinct_estimate(&r->cells[col]);
	return r->cells[col].v;
}

const void *snoop_top_row_key(const struct snoop_top_row *r, size_t *len)
{
	*len = r->keylen;
	return r->key;
}

const char *snoop_top_row_text(const struct snoop_top *t, const struct snoop_top_row *r, int col,
			       size_t *len)
{
	if (!col_ok(t, r, col, SNOOP_TOP_TEXT) || !r->cells[col].set)
		return NULL;
	*len = (size_t)r->cells[col].v;
	return (const char *)r->cells[col].p;
}

void snoop_top_get_stats(const struct snoop_top *t, struct snoop_top_stats *st)
{
	st->keys = t->nrows;
	st->max_keys = t->max_keys;
	st->events = t->events;
	st->dropped_keys = t->dropped_keys;
	st->dropped_events = t->dropped_events;
	st->paused_events = t->paused_events;
}

void snoop_top_put_key(struct snoop_buf *b, const void *key, size_t len)
{
	const char *k = key, *end = k + len;

	/* Fields are NUL-separated: each escaped on its own, so that a NUL
	 * shows as the separator it is and not as "\x00". */
	while (k < end) {
		const char *nul = memchr(k, '\0', (size_t)(end - k));
		size_t n = nul ? (size_t)(nul - k) : (size_t)(end - k);

		snoop_escape_text(b, k, n);
		k += n;
		if (nul) {
			k++;
			if (k < end)
				snoop_buf_addc(b, ' ');
		}
	}
}

void snoop_top_put_cell(const struct snoop_top *t, const struct snoop_top_row *r, int col,
			struct snoop_buf *b)
{
	const struct top_cell *c = &r->cells[col];

	switch (t->cols[col].kind) {
	case SNOOP_TOP_COUNT:
		snoop_buf_printf(b, "%llu", (unsigned long long)r->count);
		break;
	case SNOOP_TOP_NUMBER:
		if (!c->set)
			snoop_buf_addc(b, '-');
		else
			snoop_buf_printf(b, "%lld", (long long)snoop_top_row_num(t, r, col));
		break;
	case SNOOP_TOP_TEXT:
		if (c->set)
			snoop_escape_text(b, c->p, (size_t)c->v);
		else
			snoop_buf_addc(b, '-');
		break;
	case SNOOP_TOP_KEY:
		snoop_top_put_key(b, r->key, r->keylen);
		break;
	}
}

/* The filter matches what is on the screen: the escaped key and texts, so
 * that "\x1b" typed by the user finds the key that shows "\x1b". */
static bool row_matches(struct snoop_top *t, const struct snoop_top_row *r)
{
	snoop_buf_reset(&t->scratch);
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind != SNOOP_TOP_KEY && t->cols[i].kind != SNOOP_TOP_TEXT)
			continue;
		snoop_top_put_cell(t, r, i, &t->scratch);
		snoop_buf_addc(&t->scratch, '\n'); /* no match across columns */
	}
	if (snoop_buf_failed(&t->scratch))
		t->failed = true;
	return memmem(t->scratch.data ? t->scratch.data : "", t->scratch.len, t->filter,
		      strlen(t->filter)) != NULL;
}

static int cmp_bytes(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int row_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct snoop_top *t = ctx;
	const struct snoop_top_row *a = *(struct snoop_top_row *const *)pa;
	const struct snoop_top_row *b = *(struct snoop_top_row *const *)pb;
	const struct snoop_top_col *c = &t->cols[t->sort_col];
	int r = 0;

	switch (c->kind) {
	case SNOOP_TOP_COUNT:
		break; /* the tie-break below */
	case SNOOP_TOP_NUMBER:
		/* Largest first; rows without a value at the bottom. */
		if (a->cells[t->sort_col].set != b->cells[t->sort_col].set)
			return a->cells[t->sort_col].set ? -1 : 1;
		r = (a->sortval < b->sortval) - (a->sortval > b->sortval);
		break;
	case SNOOP_TOP_TEXT: {
		const struct top_cell *x = &a->cells[t->sort_col], *y = &b->cells[t->sort_col];

		r = cmp_bytes(x->set ? x->p : (const unsigned char *)"", x->set ? (size_t)x->v : 0,
			      y->set ? y->p : (const unsigned char *)"", y->set ? (size_t)y->v : 0);
		break;
	}
	case SNOOP_TOP_KEY:
		r = cmp_bytes(a->key, a->keylen, b->key, b->keylen);
		break;
	}
	if (r)
		return r;
	/* Ties: the bigger count first, then the key, so that the order is
	 * stable from one refresh to the next. */
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_bytes(a->key, a->keylen, b->key, b->keylen);
}

size_t snoop_top_rows(struct snoop_top *t, struct snoop_top_row *const **rows)
{
	size_t n = 0;

	if (t->view_cap < t->nrows && !grow_array(t, &t->view, &t->view_cap, t->heap_cap, sizeof(*t->view))) {
		*rows = NULL;
		return 0;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		struct snoop_top_row *r = t->heap[i];

		if (t->filter && !row_matches(t, r))
			continue;
		if (t->cols[t->sort_col].kind == SNOOP_TOP_NUMBER)
			r->sortval = snoop_top_row_num(t, r, t->sort_col);
		t->view[n++] = r;
	}
	if (n > 1)
		qsort_r(t->view, n, sizeof(*t->view), row_cmp, t);
	*rows = t->view;
	return n;
}

/* ---- text --------------------------------------------------------------- */

static bool right_aligned(const struct snoop_top_col *c)
{
	return c->kind == SNOOP_TOP_COUNT || c->kind == SNOOP_TOP_NUMBER;
}

static void trim_line(struct snoop_buf *b, size_t mark)
{
	while (b->len > mark && b->data[b->len - 1] == ' ')
		b->len--;
	snoop_buf_addc(b, '\n');
}

void snoop_top_render_text(struct snoop_top *t, struct snoop_buf *b)
{
	struct snoop_top_row *const *rows;
	size_t n = snoop_top_rows(t, &rows), mark = b->len;
	struct snoop_buf cell;

	for (int i = 0; i < t->ncols; i++) {
		const struct snoop_top_col *c = &t->cols[i];

		if (i)
			snoop_buf_addc(b, ' ');
		if (right_aligned(c))
			snoop_buf_printf(b, "%*s", c->width, c->name);
		else
			snoop_buf_printf(b, "%-*s", c->width, c->name);
	}
	trim_line(b, mark);
	snoop_buf_init(&cell);
	for (size_t k = 0; k < n; k++) {
		mark = b->len;
		for (int i = 0; i < t->ncols; i++) {
			const struct snoop_top_col *c = &t->cols[i];
			size_t start;

			if (i)
				snoop_buf_addc(b, ' ');
			/* Text is never cut here: a log keeps the whole key, at
			 * the price of a ragged column. */
			snoop_buf_reset(&cell);
			snoop_top_put_cell(t, rows[k], i, &cell);
			if (right_aligned(c)) {
				for (size_t w = cell.len; w < (size_t)c->width; w++)
					snoop_buf_addc(b, ' ');
				snoop_buf_add(b, cell.data, cell.len);
			} else {
				start = b->len;
				snoop_buf_add(b, cell.data, cell.len);
				snoop_buf_pad(b, start, (size_t)c->width);
			}
		}
		trim_line(b, mark);
	}
	/* A cell cut short by a failed allocation: the view drops this
	 * table and ends the run. */
	if (snoop_buf_failed(&cell))
		t->failed = true;
	snoop_buf_free(&cell);
}
