// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace --top: the count mode (-c) as a live table. A row is a function
 * (--by comm: a function and a command name; --by pid: also the PID;
 * --by cgroup or -C: a function and a cgroup, before the name if any). The
 * key is binary (the address, the PID, the name as recorded) so that the
 * per-call cost is a hash, not a symbol lookup; the function's name is
 * looked up once, when its row is created.
 */
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/ksym.h>
#include <snoop/top.h>

#include "functrace.h"

struct ft_top_key {
	uint64_t ip;
	int32_t pid;           /* --by pid, else 0 */
	int32_t cg;            /* --by cgroup, -C: snoop_session_cgroup_key() */
	char comm[16];         /* --by comm/pid, else empty */
};

void functrace_top_cols(struct functrace *ft)
{
	static const struct snoop_top_col count = { "COUNT", 10, SNOOP_TOP_COUNT, SNOOP_TOP_SUM },
		procs = { "PROCS", 6, SNOOP_TOP_NUMBER, SNOOP_TOP_DISTINCT },
		pid = { "PID", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
		comm = { "COMM", 16, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		cgroup = { "CGROUP", SNOOP_CGROUP_WIDTH, SNOOP_TOP_TEXT, SNOOP_TOP_SUM },
		func = { "FUNCTION", 0, SNOOP_TOP_TEXT, SNOOP_TOP_SUM };
	struct snoop_top_col *cols = ft->top_cols;
	int n = 0;

	/* Per function: how many processes called it; per comm/pid, the
	 * row says who. */
	cols[n++] = count;
	if (!ft_by_comm(ft->o))
		cols[n++] = procs;
	if (ft->o->by == FT_BY_PID)
		cols[n++] = pid;
	if (ft->o->by_cgroup)
		cols[n++] = cgroup;
	if (ft_by_comm(ft->o))
		cols[n++] = comm;
	cols[n++] = func;
	/* The skeleton makes the table from these after parsing. */
	ft->tool.top_cols = cols;
	ft->tool.top_ncols = n;
}

void functrace_top_hit(struct functrace *ft, uint64_t ip, int pid)
{
	struct ft_top_key k;
	struct snoop_top_row *row;
	struct snoop_top *top = ft->o->a.table;
	const int fcol = ft->tool.top_ncols - 1;

	memset(&k, 0, sizeof(k));
	k.ip = ip;
	if (ft->o->by == FT_BY_PID)
		k.pid = pid;
	if (ft_by_comm(ft->o)) {
		/* The name as it was at the call: the task may exec later. */
		struct snoop_task t;

		ft_task(ft, pid, &t);
		memcpy(k.comm, t.comm, sizeof(k.comm));
	}
	/* Out of memory: under "?" (key 0), which is not a lie. */
	if (ft->o->by_cgroup && (k.cg = snoop_session_cgroup_key(ft->s, pid)) < 0)
		k.cg = 0;
	row = snoop_top_hit(top, &k, sizeof(k));
	if (!row)
		return; /* paused */
	if (!ft_by_comm(ft->o))
		snoop_top_num(top, row, 1, pid);
	if (snoop_top_row_count(row) != 1)
		return;
	/* A new row: say what it is. */
	if (ft->o->by == FT_BY_PID)
		snoop_top_num(top, row, 1, pid);
	if (ft_by_comm(ft->o))
		snoop_top_text(top, row, fcol - 1, k.comm, strnlen(k.comm, sizeof(k.comm)));
	if (ft->o->by_cgroup) {
		const char *cg = snoop_session_cgroup_name(ft->s, k.cg);

		snoop_top_text(top, row, fcol - 1 - ft_by_comm(ft->o), cg, strlen(cg));
	}
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
		snoop_top_text(top, row, fcol, name, (size_t)len);
	}
}
