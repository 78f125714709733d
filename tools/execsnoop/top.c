// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execsnoop --top: commands by count. The key is the filename and the first
 * EXECSNOOP_TOP_ARGS arguments, so that "make -j8" and "make clean" are two
 * rows while the long tails of argument lists (object files, temporary
 * names) do not split one command into thousands of rows.
 */
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/output.h>
#include <snoop/top.h>

#include "execsnoop.h"

/* Bytes kept of the filename and of each argument in the key: enough to
 * tell commands apart, small enough for 10,000 keys to stay cheap. */
#define KEY_FILENAME_MAX 256
#define KEY_ARG_MAX 64

/* With -x a FAILS column (failed execs among COUNT) comes before COMMAND,
 * which takes the rest of the line. */
const struct snoop_top_col execsnoop_top_cols[] = {
	{ "COUNT", 7, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
	{ "LAST PID", 8, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
	{ "LAST PPID", 9, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
	{ "COMMAND", 0, SNOOP_TOP_KEY, SNOOP_TOP_SUM },
};
const int execsnoop_top_ncols = 4;

int execsnoop_top_columns(void *ctx, struct snoop_top_col *cols)
{
	static const struct snoop_top_col fails = { "FAILS", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_SUM };
	struct execsnoop *x = ctx;
	int n = 0;

	for (int i = 0; i < execsnoop_top_ncols - 1; i++)
		cols[n++] = execsnoop_top_cols[i];
	if (x->o->failed)
		cols[n++] = fails;
	cols[n++] = execsnoop_top_cols[execsnoop_top_ncols - 1];
	return n;
}

void execsnoop_top_add(struct execsnoop *x, const struct exec_entry *e, int nargs, pid_t pid, pid_t ppid,
		       long ret)
{
	struct snoop_buf *k = &x->top_key;
	struct snoop_top_row *row;
	size_t n;

	/* Fields separated by NUL (shown as spaces); the raw bytes go to the
	 * table, which escapes them for the screen. */
	snoop_buf_reset(k);
	/* -C: the cgroup leads the key (the skeleton names it "CGROUP ..."). */
	if (x->a.common.print_cgroup)
		snoop_session_top_cgroup(x->a.s, k, pid);
	if (e->filename) {
		n = strlen(e->filename);
		snoop_buf_add(k, e->filename, n < KEY_FILENAME_MAX ? n : KEY_FILENAME_MAX);
	} else if (nargs > 0 && e->argv[0]) {
		snoop_buf_add(k, e->argv[0], e->arglen[0] < KEY_FILENAME_MAX ? e->arglen[0] : KEY_FILENAME_MAX);
	} else {
		snoop_buf_addc(k, '?');
	}
	for (int i = 1; i < nargs && i <= EXECSNOOP_TOP_ARGS; i++) {
		snoop_buf_addc(k, '\0');
		if (e->argv[i])
			snoop_buf_add(k, e->argv[i], e->arglen[i] < KEY_ARG_MAX ? e->arglen[i] : KEY_ARG_MAX);
		else
			snoop_buf_addc(k, '?');
	}
	if (nargs > EXECSNOOP_TOP_ARGS + 1)
		snoop_buf_add(k, "\0...", 4);

	/* The columns' indexes, once (the table exists from declare on). */
	if (!x->top_pid) {
		x->top_pid = snoop_top_col_index(x->a.table, "LAST PID");
		x->top_ppid = snoop_top_col_index(x->a.table, "LAST PPID");
		x->top_fails = snoop_top_col_index(x->a.table, "FAILS");
	}
	row = snoop_top_hit(x->a.table, k->data, k->len);
	snoop_top_num(x->a.table, row, x->top_pid, pid);
	snoop_top_num(x->a.table, row, x->top_ppid, ppid);
	if (x->top_fails >= 0)
		snoop_top_num(x->a.table, row, x->top_fails, ret < 0);
}
