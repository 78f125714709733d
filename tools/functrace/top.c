// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace --top: the count mode (-c) as a live table. A row is a function
 * (--by comm: a function and a command name; --by pid: also the PID). The
 * key is binary (the address, the PID, the name as recorded) so that the
 * per-call cost is a hash, not a symbol lookup; the function's name is
 * looked up once, when its row is created.
 */
#include <string.h>

#include <snoop/ksym.h>
#include <snoop/top.h>

#include "functrace.h"

struct ft_top_key {
	uint64_t ip;
	int32_t pid;           /* --by pid, else 0 */
	char comm[16];         /* --by comm/pid, else empty */
};

int functrace_top_setup(struct functrace *ft, int argc, char **argv)
{
	static const struct snoop_top_col count = { "COUNT", 10, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
		procs = { "PROCS", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_DISTINCT },
		pid = { "PID", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		comm = { "COMM", 16, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		func = { "FUNCTION", 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM };
	struct snoop_top_col cols[4] = { count };
	int n = 1;

	/* Per function: how many processes called it; per comm/pid, the
	 * row says who. */
	if (ft->o->by == FT_BY_FUNC)
		cols[n++] = procs;
	if (ft->o->by == FT_BY_PID)
		cols[n++] = pid;
	if (ft->o->by != FT_BY_FUNC)
		cols[n++] = comm;
	cols[n++] = func;
	ft->top_ncols = n;
	ft->top = snoop_top_new(cols, n, ft->o->top.max_keys);
	if (!ft->top)
		return -1;
	return snoop_top_attach(ft->top, ft->s, &ft->o->top, argc, argv);
}

void functrace_top_hit(struct functrace *ft, uint64_t ip, int pid)
{
	struct ft_top_key k;
	struct snoop_top_row *row;
	const int fcol = ft->top_ncols - 1;

	memset(&k, 0, sizeof(k));
	k.ip = ip;
	if (ft->o->by == FT_BY_PID)
		k.pid = pid;
	if (ft->o->by != FT_BY_FUNC)
		/* The name as it was at the call: the task may exec later. */
		strncpy(k.comm, ft_comm(ft->comms, pid), sizeof(k.comm) - 1);
	row = snoop_top_hit(ft->top, &k, sizeof(k));
	if (!row)
		return; /* paused */
	if (ft->o->by == FT_BY_FUNC)
		snoop_top_num(ft->top, row, 1, pid);
	if (snoop_top_row_count(row) != 1)
		return;
	/* A new row: say what it is. */
	if (ft->o->by == FT_BY_PID)
		snoop_top_num(ft->top, row, 1, pid);
	if (ft->o->by != FT_BY_FUNC)
		snoop_top_text(ft->top, row, fcol - 1, k.comm, strnlen(k.comm, sizeof(k.comm)));
	{
		const struct snoop_ksym *s = snoop_ksym_lookup(ft->ksyms, ip, NULL);
		char name[300];
		int len;

		if (s && s->module)
			len = snprintf(name, sizeof(name), "%s [%s]", s->name, s->module);
		else
			len = snprintf(name, sizeof(name), "%s", s ? s->name : "?");
		if (len >= (int)sizeof(name))
			len = (int)sizeof(name) - 1;
		snoop_top_text(ft->top, row, fcol, name, (size_t)len);
	}
}
