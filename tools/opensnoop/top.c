// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opensnoop --top: paths by count, with the failures among the opens, the
 * last error and how many processes opened each. The key is the path as
 * the process gave it (with -F, made absolute where it could be), so the
 * same file opened by relative and absolute names is two rows, as on the
 * line output. The columns are declared in main.c.
 */
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/output.h>
#include <snoop/top.h>

#include "opensnoop.h"

void opensnoop_top_add(struct opensnoop *x, const struct open_event *ev, pid_t tgid, const char *base)
{
	const struct open_entry *e = ev->e;
	struct snoop_buf *k = &x->top_key;
	struct snoop_top_row *row;

	snoop_buf_reset(k);
	/* -C: the cgroup leads the key (the skeleton names it "CGROUP ..."). */
	if (x->a.common.print_cgroup)
		snoop_session_top_cgroup(x->a.s, k, ev->tid);
	if (e->pstatus == PATH_OK) {
		if (base && e->path[0] != '/') {
			snoop_buf_adds(k, base);
			if (strcmp(base, "/") != 0)
				snoop_buf_addc(k, '/');
		}
		snoop_buf_add(k, e->path, e->pathlen);
	} else {
		/* The same words as the line output: brackets, which no path
		 * the kernel hands over starts with in practice. */
		snoop_buf_adds(k, opensnoop_path_mark(e->pstatus, true));
	}
	row = snoop_top_hit(x->a.table, k->data, k->len);
	/* An open whose exit was not seen counts as an open, not a failure. */
	snoop_top_num_by(x->a.table, row, "FAILS", ev->exited && ev->ret < 0);
	if (ev->exited && ev->ret < 0) {
		const char *name = snoop_errno_name((int)-ev->ret);
		char num[24];

		if (!name) {
			snprintf(num, sizeof(num), "%ld", -ev->ret);
			name = num;
		}
		snoop_top_text_by(x->a.table, row, "LAST ERR", name, strlen(name));
	}
	snoop_top_num_by(x->a.table, row, "PROCS", tgid ? tgid : ev->tid);
}
