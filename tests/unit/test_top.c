// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of the --top table (lib/top.c): aggregation of each column kind,
 * sorting and its tie-breaks, the bound on keys and what it reports as
 * dropped, the text filter, escaping in the text rendering, pause and
 * reset, and the -i/--top-max options.
 *
 * The bounded table is also checked against a naive model (an unbounded
 * array) over a long pseudo-random run: what the table keeps must be the
 * model's top keys as far as eviction allows, and the counts must add up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <snoop/top.h>

enum { C_COUNT, C_SUM, C_LAST, C_MAX, C_DIST, C_TEXT, C_KEY, NCOLS };

static const struct snoop_top_col cols[NCOLS] = {
	{ "COUNT", 6, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
	{ "SUM", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_SUM },
	{ "LAST", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
	{ "MAX", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_MAX },
	{ "PROCS", 5, SNOOP_TOP_NUMBER, SNOOP_TOP_DISTINCT },
	{ "COMM", 8, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
	{ "KEY", 0, SNOOP_TOP_KEY, SNOOP_TOP_SUM },
};

static struct snoop_top *new_table(size_t max)
{
	struct snoop_top *t = snoop_top_new(cols, NCOLS, max);

	assert_non_null(t);
	return t;
}

static struct snoop_top_row *hit(struct snoop_top *t, const char *key)
{
	return snoop_top_hit(t, key, strlen(key));
}

/* The row of key among the shown rows, NULL when not shown. */
static struct snoop_top_row *find(struct snoop_top *t, const char *key)
{
	struct snoop_top_row *const *rows;
	size_t n = snoop_top_rows(t, &rows), len;

	for (size_t i = 0; i < n; i++) {
		const void *k = snoop_top_row_key(rows[i], &len);

		if (len == strlen(key) && !memcmp(k, key, len))
			return rows[i];
	}
	return NULL;
}

/* The shown keys in order, joined by ','. */
static const char *order(struct snoop_top *t)
{
	static char out[1024];
	struct snoop_top_row *const *rows;
	size_t n = snoop_top_rows(t, &rows), len, o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *k = snoop_top_row_key(rows[i], &len);

		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s", i ? "," : "", (int)len, k);
	}
	return out;
}

static void test_columns_checked(void **state)
{
	static const struct snoop_top_col two_rest[] = {
		{ "A", 0, SNOOP_TOP_KEY, SNOOP_TOP_SUM },
		{ "B", 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
	};
	static const struct snoop_top_col text_agg[] = {
		{ "A", 4, SNOOP_TOP_TEXT, SNOOP_TOP_MAX },
	};

	(void)state;
	assert_null(snoop_top_new(two_rest, 2, 0));
	assert_null(snoop_top_new(text_agg, 1, 0));
	assert_null(snoop_top_new(cols, 0, 0));
	assert_null(snoop_top_new(cols, SNOOP_TOP_MAX_COLS + 1, 0));
}

static void test_aggregation(void **state)
{
	struct snoop_top *t = new_table(0);
	struct snoop_top_stats st;
	const struct snoop_top_row *r;
	struct snoop_top_row *w;
	const char *txt;
	size_t len;

	(void)state;
	for (int i = 0; i < 5; i++) {
		w = hit(t, "/etc/passwd");
		snoop_top_num(t, w, C_SUM, i);       /* 0+1+2+3+4 */
		snoop_top_num(t, w, C_LAST, 100 + i);
		snoop_top_num(t, w, C_MAX, i == 2 ? 50 : -i);
		snoop_top_num(t, w, C_DIST, i % 3);  /* 3 distinct */
		snoop_top_text(t, w, C_TEXT, i < 4 ? "cat" : "less", i < 4 ? 3 : 4);
	}
	w = hit(t, "/etc/hosts");
	snoop_top_num(t, w, C_MAX, -7); /* a first value below 0 is the max */

	r = find(t, "/etc/passwd");
	assert_non_null(r);
	assert_int_equal(snoop_top_row_count(r), 5);
	assert_int_equal(snoop_top_row_num(t, r, C_COUNT), 5);
	assert_int_equal(snoop_top_row_num(t, r, C_SUM), 10);
	assert_int_equal(snoop_top_row_num(t, r, C_LAST), 104);
	assert_int_equal(snoop_top_row_num(t, r, C_MAX), 50);
	assert_int_equal(snoop_top_row_num(t, r, C_DIST), 3);
	txt = snoop_top_row_text(t, r, C_TEXT, &len);
	assert_non_null(txt);
	assert_int_equal(len, 4);
	assert_memory_equal(txt, "less", 4);

	r = find(t, "/etc/hosts");
	assert_int_equal(snoop_top_row_num(t, r, C_MAX), -7);
	assert_null(snoop_top_row_text(t, r, C_TEXT, &len));

	/* Setters ignore a NULL row (paused) and a column of another kind. */
	snoop_top_num(t, NULL, C_SUM, 1);
	w = hit(t, "/etc/hosts");
	snoop_top_num(t, w, C_TEXT, 1);
	snoop_top_text(t, w, C_SUM, "x", 1);
	assert_int_equal(snoop_top_row_num(t, find(t, "/etc/hosts"), C_SUM), 0);

	/* snoop_top_add: n events at once. */
	snoop_top_add(t, "/etc/hosts", 10, 40);
	assert_int_equal(snoop_top_row_count(find(t, "/etc/hosts")), 42);

	snoop_top_get_stats(t, &st);
	assert_int_equal(st.keys, 2);
	assert_int_equal(st.events, 47);
	assert_int_equal(st.dropped_keys, 0);
	snoop_top_free(t);
}

static void test_distinct_estimate(void **state)
{
	struct snoop_top *t = new_table(0);
	struct snoop_top_row *w = NULL;
	int64_t est;

	(void)state;
	/* Small counts: what people read closely. Exact up to 16. */
	for (int n = 1; n <= 16; n++) {
		w = hit(t, "k");
		snoop_top_num(t, w, C_DIST, 1000 + n);
		snoop_top_num(t, w, C_DIST, 1000 + n); /* repeats do not count */
		assert_int_equal(snoop_top_row_num(t, w, C_DIST), n);
	}
	/* Past that an estimate, never below 17 and not far off. */
	for (int n = 17; n <= 60; n++) {
		snoop_top_num(t, w, C_DIST, 1000 + n);
		est = snoop_top_row_num(t, w, C_DIST);
		assert_true(est >= 17 && est >= n * 3 / 4 && est <= n * 5 / 4 + 1);
	}
	/* Large counts: within 25% (the estimator's error is ~13%). */
	for (int i = 0; i < 20000; i++)
		snoop_top_num(t, w, C_DIST, i * 7919);
	est = snoop_top_row_num(t, w, C_DIST);
	assert_true(est > 20000 * 3 / 4 && est < 20000 * 5 / 4);
	/* Bytes count as values too (distinct command names). */
	w = hit(t, "b");
	snoop_top_text(t, w, C_DIST, "bash", 4);
	snoop_top_text(t, w, C_DIST, "sh", 2);
	snoop_top_text(t, w, C_DIST, "bash", 4);
	assert_int_equal(snoop_top_row_num(t, w, C_DIST), 2);
	snoop_top_free(t);
}

static void test_sorting(void **state)
{
	struct snoop_top *t = new_table(0);
	struct snoop_top_row *w;

	(void)state;
	/* counts: b 3, a 2, c 2, d 1; LAST: a 5, b 1, c 9, d unset */
	w = hit(t, "b");
	snoop_top_num(t, w, C_LAST, 1);
	hit(t, "b");
	hit(t, "b");
	w = hit(t, "c");
	snoop_top_num(t, w, C_LAST, 9);
	hit(t, "c");
	w = hit(t, "a");
	snoop_top_num(t, w, C_LAST, 5);
	hit(t, "a");
	w = hit(t, "d");
	snoop_top_text(t, w, C_TEXT, "zz", 2);
	w = hit(t, "a");
	snoop_top_text(t, w, C_TEXT, "mm", 2);

	/* Default: COUNT, largest first; ties by key. */
	assert_int_equal(snoop_top_sort_col(t), 0);
	assert_string_equal(order(t), "a,b,c,d");
	hit(t, "c");
	hit(t, "c");
	assert_string_equal(order(t), "c,a,b,d"); /* c 4, then a 3 = b 3 by key */
	/* A number: largest first, rows without a value last. */
	assert_int_equal(snoop_top_sort(t, C_LAST), 0);
	assert_string_equal(order(t), "c,a,b,d");
	snoop_top_num(t, find(t, "b"), C_LAST, 100);
	assert_string_equal(order(t), "b,c,a,d");
	/* Text and key: byte order; unset text sorts as empty. */
	snoop_top_sort(t, C_TEXT);
	assert_string_equal(order(t), "c,b,a,d");
	snoop_top_sort(t, C_KEY);
	assert_string_equal(order(t), "a,b,c,d");
	assert_int_equal(snoop_top_sort(t, NCOLS), -1);
	assert_int_equal(snoop_top_sort(t, -1), -1);
	assert_int_equal(snoop_top_sort_col(t), C_KEY);
	snoop_top_free(t);
}

static void test_bounding(void **state)
{
	struct snoop_top *t = new_table(3);
	struct snoop_top_stats st;

	(void)state;
	for (int i = 0; i < 5; i++)
		hit(t, "big");
	hit(t, "mid");
	hit(t, "mid");
	hit(t, "old1");  /* count 1, hit before new1 */
	/* Full: "new1" evicts the smallest count, "old1". */
	hit(t, "new1");
	assert_null(find(t, "old1"));
	assert_non_null(find(t, "new1"));
	/* Among equal counts the one hit longest ago goes: new1 now, not mid. */
	hit(t, "new2");
	assert_null(find(t, "new1"));
	assert_string_equal(order(t), "big,mid,new2");
	snoop_top_get_stats(t, &st);
	assert_int_equal(st.keys, 3);
	assert_int_equal(st.max_keys, 3);
	assert_int_equal(st.dropped_keys, 2);
	assert_int_equal(st.dropped_events, 2);
	assert_int_equal(st.events, 10);
	/* A key that comes back starts again from its new events. */
	snoop_top_add(t, "old1", 4, 3);
	assert_int_equal(snoop_top_row_count(find(t, "old1")), 3);
	assert_null(find(t, "new2"));
	snoop_top_free(t);
}

/* xorshift: a fixed sequence, so the run is the same everywhere. */
static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_bounding_model(void **state)
{
	enum { KEYS = 2000, MAX = 100, EVENTS = 200000 };
	struct snoop_top *t = new_table(MAX);
	static uint64_t truth[KEYS];
	struct snoop_top_row *const *rows;
	struct snoop_top_stats st;
	uint64_t seed = 88172645463325252ull, kept = 0;
	size_t n;
	char key[16];

	(void)state;
	memset(truth, 0, sizeof(truth));
	for (int i = 0; i < EVENTS; i++) {
		/* Skewed: a few keys take most events, as paths and commands do. */
		uint64_t r = rng(&seed);
		int k = (int)((r & 3) ? (r >> 8) % 20 : (r >> 8) % KEYS);

		snprintf(key, sizeof(key), "key%d", k);
		hit(t, key);
		truth[k]++;
	}
	snoop_top_get_stats(t, &st);
	assert_int_equal(st.keys, MAX);
	n = snoop_top_rows(t, &rows);
	assert_int_equal(n, MAX);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *k = snoop_top_row_key(rows[i], &len);
		char num[16];
		int idx;

		assert_true(len > 3 && len < sizeof(num) + 3);
		memcpy(num, k + 3, len - 3);
		num[len - 3] = '\0';
		idx = atoi(num);

		/* A kept count never exceeds the truth: it restarts on eviction. */
		assert_true(snoop_top_row_count(rows[i]) <= truth[idx]);
		kept += snoop_top_row_count(rows[i]);
		if (i)
			assert_true(snoop_top_row_count(rows[i - 1]) >= snoop_top_row_count(rows[i]));
	}
	/* Every event is in a row or in the dropped count. */
	assert_int_equal(kept + st.dropped_events, EVENTS);
	assert_int_equal(st.events, EVENTS);
	/* The 20 heavy keys are all there, with their exact counts (they are
	 * never the smallest, so never evicted). */
	for (int k = 0; k < 20; k++) {
		snprintf(key, sizeof(key), "key%d", k);
		assert_non_null(find(t, key));
		assert_int_equal(snoop_top_row_count(find(t, key)), truth[k]);
	}
	/* reset forgets everything, statistics included. */
	snoop_top_reset(t);
	snoop_top_get_stats(t, &st);
	assert_int_equal(st.keys + st.events + st.dropped_keys + st.dropped_events, 0);
	assert_int_equal(snoop_top_rows(t, &rows), 0);
	hit(t, "again");
	assert_string_equal(order(t), "again");
	snoop_top_free(t);
}

static void test_filter(void **state)
{
	struct snoop_top *t = new_table(0);
	struct snoop_top_row *w;
	const char esc_key[] = "/tmp/\x1b[31mred";

	(void)state;
	hit(t, "/usr/bin/ls");
	w = hit(t, "/usr/bin/cat");
	snoop_top_text(t, w, C_TEXT, "bash", 4);
	hit(t, esc_key);
	snoop_top_filter(t, "bin");
	assert_string_equal(order(t), "/usr/bin/cat,/usr/bin/ls");
	/* Text columns match too, and the match is on what is shown. */
	snoop_top_filter(t, "bash");
	assert_string_equal(order(t), "/usr/bin/cat");
	snoop_top_filter(t, "\\x1b[31m");
	assert_non_null(find(t, esc_key));
	snoop_top_filter(t, "\x1b");
	assert_null(find(t, esc_key)); /* the raw byte is never on the screen */
	/* No match across columns: "cat\nbash" is not "catbash". */
	snoop_top_filter(t, "catbash");
	assert_string_equal(order(t), "");
	snoop_top_filter(t, "");
	assert_string_equal(order(t), "/tmp/\x1b[31mred,/usr/bin/cat,/usr/bin/ls");
	snoop_top_filter(t, "nothing");
	snoop_top_filter(t, NULL);
	assert_non_null(find(t, "/usr/bin/ls"));
	snoop_top_free(t);
}

static void test_pause(void **state)
{
	struct snoop_top *t = new_table(0);
	struct snoop_top_stats st;

	(void)state;
	hit(t, "a");
	snoop_top_pause(t, true);
	assert_true(snoop_top_paused(t));
	assert_null(hit(t, "a"));
	assert_null(hit(t, "b"));
	snoop_top_num(t, hit(t, "b"), C_SUM, 1); /* NULL row: nothing */
	assert_null(find(t, "b"));
	assert_int_equal(snoop_top_row_count(find(t, "a")), 1);
	snoop_top_get_stats(t, &st);
	assert_int_equal(st.paused_events, 3);
	assert_int_equal(st.events, 1);
	snoop_top_pause(t, false);
	hit(t, "b");
	assert_string_equal(order(t), "a,b");
	snoop_top_free(t);
}

static void test_render_text(void **state)
{
	static const struct snoop_top_col c3[] = {
		{ "COUNT", 5, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
		{ "PID", 5, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		{ "COMMAND", 0, SNOOP_TOP_KEY, SNOOP_TOP_SUM },
	};
	struct snoop_top *t = snoop_top_new(c3, 3, 0);
	struct snoop_top_row *w;
	struct snoop_buf b;
	/* A filename with a terminal escape and an argument with a newline,
	 * fields separated by NUL as the tools do. */
	const char key[] = "/tmp/\x1b]0;pwned\x07x\0-c\0a\nb";

	(void)state;
	w = snoop_top_hit(t, key, sizeof(key) - 1);
	snoop_top_num(t, w, 1, 1234);
	snoop_top_hit(t, key, sizeof(key) - 1);
	snoop_top_hit(t, "/bin/true", 9);
	snoop_buf_init(&b);
	snoop_top_render_text(t, &b);
	assert_string_equal(snoop_buf_cstr(&b),
			    "COUNT   PID COMMAND\n"
			    "    2  1234 /tmp/\\x1b]0;pwned\\x07x -c a\\nb\n"
			    "    1     - /bin/true\n");
	for (size_t i = 0; i < b.len; i++)
		assert_true(b.data[i] == '\n' || (b.data[i] >= 0x20 && b.data[i] < 0x7f));
	snoop_buf_free(&b);
	snoop_top_free(t);
}

/* ---- options ---------------------------------------------------------- */

struct popts {
	struct snoop_opts common;
	struct snoop_top_opts top;
};

static error_t parent_parse(int key, char *arg, struct argp_state *state)
{
	struct popts *o = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->common;
		state->child_inputs[1] = &o->top;
		return 0;
	case ARGP_KEY_END:
		snoop_top_opts_check(state, &o->common, &o->top);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_child pchildren[] = { SNOOP_COMMON_ARGP_CHILD, SNOOP_TOP_ARGP_CHILD, { 0 } };
static const struct argp pargp = { NULL, parent_parse, NULL, NULL, pchildren, NULL, NULL };

/* Parse argv in a child process; its exit status (0 = parsed). */
static int parse_status(char **argv, struct popts *out)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct popts o;
		int argc = 0;

		memset(&o, 0, sizeof(o));
		while (argv[argc])
			argc++;
		if (!freopen("/dev/null", "w", stderr)) {
		}
		argp_parse(&pargp, argc, argv, 0, NULL, &o);
		if (write(fds[1], &o, sizeof(o)) < 0)
			_exit(99);
		_exit(0);
	}
	close(fds[1]);
	waitpid(pid, &status, 0);
	if (out && read(fds[0], out, sizeof(*out)) != (ssize_t)sizeof(*out))
		memset(out, 0, sizeof(*out));
	close(fds[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_options(void **state)
{
	char *ok[] = { "tool", "--top", "-i", "2.5", "--top-max", "50", NULL };
	char *dflt[] = { "tool", "--top", NULL };
	char *alone[] = { "tool", "-i", "2", NULL };
	char *small[] = { "tool", "--top", "-i", "0.01", NULL };
	char *zero[] = { "tool", "--top", "--top-max", "0", NULL };
	char *junk[] = { "tool", "--top", "-i", "1s", NULL };
	struct popts o;

	(void)state;
	assert_int_equal(parse_status(ok, &o), 0);
	assert_true(o.common.top);
	assert_true(o.top.interval == 2.5);
	assert_int_equal(o.top.max_keys, 50);
	assert_true(snoop_top_interval(&o.top) == 2.5);
	assert_int_equal(parse_status(dflt, &o), 0);
	assert_true(snoop_top_interval(&o.top) == SNOOP_TOP_DEFAULT_INTERVAL);
	assert_int_equal(o.top.max_keys, 0);
	assert_int_equal(parse_status(alone, NULL), 64);
	assert_int_equal(parse_status(small, NULL), 64);
	assert_int_equal(parse_status(zero, NULL), 64);
	assert_int_equal(parse_status(junk, NULL), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_checked),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_distinct_estimate),
		cmocka_unit_test(test_sorting),
		cmocka_unit_test(test_bounding),
		cmocka_unit_test(test_bounding_model),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
