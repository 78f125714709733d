/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --top table's private structures, shared by top.c and top_view.c. */
#ifndef SNOOP_TOP_INTERNAL_H
#define SNOOP_TOP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snoop/top.h>

/* Registers of the DISTINCT estimator: 64 keeps a row small (64 bytes) and
 * the error near 13%, which is what a "how many processes" column needs. */
#define TOP_HLL_REGS 64
#define TOP_TEXT_MAX 255

struct top_cell {
	int64_t v;            /* NUMBER value; TEXT length */
	unsigned char *p;     /* TEXT bytes or DISTINCT registers */
	bool set;
};

struct snoop_top_row {
	struct snoop_top_row *next;   /* hash chain */
	uint64_t hash;
	uint64_t count;
	uint64_t seq;                 /* when last hit: evicts the oldest of equals */
	size_t heap;                  /* index in snoop_top.heap */
	int64_t sortval;              /* the sort column's value, set for one sort */
	size_t keylen;
	unsigned char *key;           /* after the cells, same allocation */
	struct top_cell cells[];      /* ncols */
};

struct top_view;

struct snoop_top {
	struct snoop_top_col cols[SNOOP_TOP_MAX_COLS];
	int ncols;
	size_t max_keys;

	/* Rows by key (chained hash) and by count (a min-heap whose root is
	 * the next row to evict): both O(1)/O(log n) per event. */
	struct snoop_top_row **buckets;
	size_t nbuckets;              /* a power of two */
	struct snoop_top_row **heap;
	size_t nrows, heap_cap;
	uint64_t seq;

	/* What snoop_top_rows() hands out: sorted, filtered. */
	struct snoop_top_row **view;
	size_t view_cap;
	int sort_col;
	char *filter;
	struct snoop_buf scratch;     /* the shown text of a row, for the filter */

	bool paused;
	bool failed;                  /* an allocation failed: the view's tick ends the run */
	uint64_t events, dropped_keys, dropped_events, paused_events;
	uint64_t total_events;        /* never reset, paused too: the rate's source */

	struct top_view *view_state;  /* NULL until attached */
	snoop_top_feed_fn feed;       /* snoop_top_on_feed(), or NULL */
	void *feed_ctx;
};

/* top.c: frees the table; snoop_top_free() (top_view.c) gives the
 * terminal back first, then calls it. */
void snoop_top_table_free(struct snoop_top *t);
/* top.c, for the view: a key as shown (fields escaped, NUL -> space). */
void snoop_top_put_key(struct snoop_buf *b, const void *key, size_t len);
/* A cell as shown: numbers in decimal ("-" when unset), text escaped. */
void snoop_top_put_cell(const struct snoop_top *t, const struct snoop_top_row *r, int col,
			struct snoop_buf *b);

#endif
