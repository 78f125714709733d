/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --top: a live table of counts instead of a line per event, for every tool.
 *
 * The tool names the columns and, per event, the row's key and values; the
 * library does the rest: aggregation, a bound on memory, sorting, the text
 * filter, and the view (a full-screen curses table when stdout is a terminal,
 * the same table printed as text every interval otherwise).
 *
 *	static const struct snoop_top_col cols[] = {
 *		{ "COUNT", 7, SNOOP_TOP_COUNT, 0 },
 *		{ "PID", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
 *		{ "PATH", 0, SNOOP_TOP_KEY, 0 },
 *	};
 *	t = snoop_top_new(cols, 3, o->top.max_keys);
 *	snoop_top_attach(t, s, &o->top, argc, argv);     (before start)
 *	...in the event handler:
 *	row = snoop_top_hit(t, path, len);
 *	snoop_top_num(t, row, 1, pid);
 *	...after snoop_session_run():
 *	snoop_session_close(s); snoop_top_free(t);          (either order)
 *
 * Keys are raw bytes (paths, argv...): the view escapes them with
 * snoop_escape_text, in curses mode too. A key made of several fields
 * separates them with NUL bytes; they are shown joined by spaces.
 */
#ifndef SNOOP_TOP_H
#define SNOOP_TOP_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snoop/options.h>
#include <snoop/output.h>

struct snoop_session;
struct snoop_top;
struct snoop_top_row;

enum snoop_top_kind {
	SNOOP_TOP_COUNT,  /* events of the row: snoop_top_hit() counts them */
	SNOOP_TOP_NUMBER, /* a number, combined by the column's aggregation */
	SNOOP_TOP_TEXT,   /* bytes, the last ones given (escaped when shown) */
	SNOOP_TOP_KEY,    /* the row's key (escaped when shown) */
};

/* How the values given for one row combine (SNOOP_TOP_NUMBER only). */
enum snoop_top_agg {
	SNOOP_TOP_SUM,
	SNOOP_TOP_LAST,
	SNOOP_TOP_MAX,
	/* How many different values (numbers or bytes) were given: exact up
	 * to 16, then an estimate (HyperLogLog, 64 registers: about 13% off),
	 * in 64 bytes per row whatever the count. */
	SNOOP_TOP_DISTINCT,
};

struct snoop_top_col {
	const char *name;        /* header text, trusted ASCII */
	int width;               /* in terminal cells; 0 = the rest of the line */
	enum snoop_top_kind kind;
	enum snoop_top_agg agg;
};

#define SNOOP_TOP_MAX_COLS 16
#define SNOOP_TOP_DEFAULT_KEYS 10000
#define SNOOP_TOP_DEFAULT_INTERVAL 1.0

/* ---- options ------------------------------------------------------------
 *
 * -i/--interval SECONDS (refresh of the screen, or how often the text table
 * is printed) and --top-max N (keys kept), as an argp child parser. A tool
 * embeds struct snoop_top_opts, lists SNOOP_TOP_ARGP_CHILD after the common
 * child and points child_inputs[1] at it. A tool that has a count mode
 * printing every -i SECONDS uses the same interval field for it: -i has one
 * meaning in the suite, "print/refresh every SECONDS".
 */
struct snoop_top_opts {
	double interval;         /* 0 until given: use snoop_top_interval() */
	unsigned int max_keys;   /* 0 until given: SNOOP_TOP_DEFAULT_KEYS */
	bool interval_given;
	bool max_given;
};

extern const struct argp snoop_top_argp;
#define SNOOP_TOP_ARGP_CHILD { &snoop_top_argp, 0, "Live table (--top) and intervals:", 2 }

/* The interval to use: -i, else the default (1 s). */
double snoop_top_interval(const struct snoop_top_opts *o);
/* For tools where -i and --top-max mean nothing without --top: call on
 * ARGP_KEY_END; argp_error()s when they were given alone. */
void snoop_top_opts_check(struct argp_state *state, const struct snoop_opts *common,
			  const struct snoop_top_opts *o);

/* ---- the table -------------------------------------------------------- */

/* NULL (message on stderr) when the columns are invalid: more than
 * SNOOP_TOP_MAX_COLS, a TEXT/KEY column with an aggregation, two columns of
 * width 0. max_keys 0 means the default. */
struct snoop_top *snoop_top_new(const struct snoop_top_col *cols, int ncols, size_t max_keys);
void snoop_top_free(struct snoop_top *t);

/*
 * One event for key: its row (created when new) with the count grown by 1.
 * When the table is full a new key evicts the row with the smallest count
 * (the least recently hit among equals), and what it had is added to the
 * "dropped" statistics. While paused, returns NULL and counts nothing; the
 * setters below accept that NULL, so the handler needs no test.
 */
struct snoop_top_row *snoop_top_hit(struct snoop_top *t, const void *key, size_t len);
/* The same for a key of n fields (NUL-separated, shown joined by spaces);
 * a NULL field counts as "?". */
struct snoop_top_row *snoop_top_hitv(struct snoop_top *t, const char *const *fields, int n);
/* The same with a count of n events (e.g. a kernel-side counter). */
struct snoop_top_row *snoop_top_add(struct snoop_top *t, const void *key, size_t len, uint64_t n);
/* A value for a NUMBER column (DISTINCT: one more value seen). */
void snoop_top_num(struct snoop_top *t, struct snoop_top_row *r, int col, int64_t v);
/* Bytes for a TEXT column (kept: up to 255) or a DISTINCT column. */
void snoop_top_text(struct snoop_top *t, struct snoop_top_row *r, int col, const void *s, size_t n);

/* The index of the column named name (its header text), -1 when none:
 * a tool looks its columns up once, after snoop_top_new(), instead of
 * repeating bare numbers that break when a column is added. */
int snoop_top_col_index(const struct snoop_top *t, const char *name);
/* snoop_top_num()/snoop_top_text() by column name (a lookup per call:
 * fine at --top's rates; a hot path keeps the index). Unknown names are
 * ignored. */
void snoop_top_num_by(struct snoop_top *t, struct snoop_top_row *r, const char *col, int64_t v);
void snoop_top_text_by(struct snoop_top *t, struct snoop_top_row *r, const char *col, const void *s,
		       size_t n);

/* Forget every row and the dropped statistics (the 'r' key). */
void snoop_top_reset(struct snoop_top *t);
/* Pause (the 'p' key): the table stops counting, so that it can be read. */
void snoop_top_pause(struct snoop_top *t, bool paused);
bool snoop_top_paused(const struct snoop_top *t);

/* Sort by column col (COUNT/NUMBER largest first, TEXT/KEY in byte order;
 * ties by count, then key). -1 when col is out of range. */
int snoop_top_sort(struct snoop_top *t, int col);
int snoop_top_sort_col(const struct snoop_top *t);
/* Show only the rows whose shown text (escaped key and TEXT columns)
 * contains text; NULL or "" shows all. */
void snoop_top_filter(struct snoop_top *t, const char *text);

/* The rows to show, sorted and filtered, valid until the next call into
 * the table. Returns their number. */
size_t snoop_top_rows(struct snoop_top *t, struct snoop_top_row *const **rows);
uint64_t snoop_top_row_count(const struct snoop_top_row *r);
/* A NUMBER column's value (DISTINCT: the estimate). */
int64_t snoop_top_row_num(const struct snoop_top *t, const struct snoop_top_row *r, int col);
const void *snoop_top_row_key(const struct snoop_top_row *r, size_t *len);
/* A TEXT column's bytes, NULL when never set. */
const char *snoop_top_row_text(const struct snoop_top *t, const struct snoop_top_row *r, int col,
			       size_t *len);

struct snoop_top_stats {
	size_t keys;              /* rows now */
	size_t max_keys;
	uint64_t events;          /* counted since the start or the last reset */
	uint64_t dropped_keys;    /* rows evicted to make room */
	uint64_t dropped_events;  /* the counts they had */
	uint64_t paused_events;   /* not counted because paused */
};
void snoop_top_get_stats(const struct snoop_top *t, struct snoop_top_stats *st);

/* The rows as fixed-width text: a header line, then one line per row
 * (rows sorted and filtered as above). Every byte of a key or TEXT column
 * goes through snoop_escape_text. */
void snoop_top_render_text(struct snoop_top *t, struct snoop_buf *b);

/*
 * A table fed from counts the kernel keeps (hist triggers) rather than from
 * one record per event: fn is called at every refresh, the last one
 * included, just before the table is shown, to add what the kernel counted
 * since its last call (snoop_top_add()). Before the first refresh.
 */
typedef void (*snoop_top_feed_fn)(struct snoop_top *t, void *ctx);
void snoop_top_on_feed(struct snoop_top *t, snoop_top_feed_fn fn, void *ctx);

/* ---- the view ----------------------------------------------------------- */

/*
 * Show the table for session s, before snoop_session_start(): a curses
 * screen when stdout is a terminal (keys: q quit, s/S next/previous sort
 * column, p pause, r reset, arrows/PgUp/PgDn/Home/End scroll, / filter),
 * otherwise the text table on stdout every interval and at the end. argv
 * (the tool's command line, shown escaped in the header) may be NULL.
 * The terminal is given back in snoop_session_close(), whatever ended the
 * session, or in snoop_top_free(), whichever comes first. The curses view
 * sets LC_CTYPE from the environment (to draw UTF-8) and holds SIGWINCH
 * blocked (read through a signalfd) while it is up.
 */
int snoop_top_attach(struct snoop_top *t, struct snoop_session *s, const struct snoop_top_opts *o,
		     int argc, char **argv);

#endif
