// SPDX-License-Identifier: GPL-2.0-or-later
/* The tool skeleton: argp wiring and main()'s life cycle (include/snoop/tool.h). */
#include <argp.h>
#include <stdio.h>
#include <string.h>

#include <snoop/task.h>
#include <snoop/tool.h>

#include "internal.h"

/* argp hands one input pointer to the parser: this carries both ours and
 * the tool's. */
struct tool_input {
	const struct snoop_tool *tool;
	struct snoop_tool_args *args;
	void *ctx;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct tool_input *in = state->input;
	error_t ret;

	if (key == ARGP_KEY_INIT) {
		state->child_inputs[0] = &in->args->common;
		if (in->tool->top_cols)
			state->child_inputs[1] = &in->args->top;
	}
	if (key == ARGP_KEY_END && in->tool->top_cols && !in->tool->interval_without_top)
		snoop_top_opts_check(state, &in->args->common, &in->args->top);
	if (!in->tool->parse)
		return key == ARGP_KEY_INIT || key == ARGP_KEY_END ? 0 : ARGP_ERR_UNKNOWN;
	state->input = in->ctx;
	ret = in->tool->parse(key, arg, state);
	state->input = in;
	if (ret == ARGP_ERR_UNKNOWN && (key == ARGP_KEY_INIT || key == ARGP_KEY_END))
		ret = 0;
	return ret;
}

/* -v: what the library's helpers counted, so no record went unsaid. */
static void verbose_stats(const struct snoop_tool *tool, struct snoop_tool_args *args)
{
	struct snoop_pair_stats ps;
	struct snoop_tasks_stats ts;

	if (args->pairs) {
		snoop_pairs_get_stats(args->pairs, &ps);
		snoop_errx(tool->name,
			   "calls paired: %llu; exits without an entry: %llu; entries without an exit: %llu "
			   "(split by a loss: %llu, evicted: %llu, at the end: %llu)",
			   (unsigned long long)ps.paired, (unsigned long long)ps.no_entry,
			   (unsigned long long)(ps.no_exit + ps.split + ps.evicted + ps.flushed),
			   (unsigned long long)ps.split, (unsigned long long)ps.evicted, (unsigned long long)ps.flushed);
	}
	if (args->s->tasks) {
		snoop_tasks_get_stats(args->s->tasks, &ts);
		snoop_errx(tool->name, "command names from the kernel's records: %llu, its saved_cmdlines: %llu, "
			   "/proc (late): %llu, unknown: %llu",
			   (unsigned long long)ts.from_event, (unsigned long long)ts.from_saved,
			   (unsigned long long)ts.from_proc, (unsigned long long)ts.unknown);
		if (ts.uid_proc_reads)
			snoop_errx(tool->name, "UIDs read from /proc: %llu (late: marked)",
				   (unsigned long long)ts.uid_proc_reads);
	}
	snoop_errx(tool->name, "events: %llu, lost: %llu", (unsigned long long)snoop_session_events(args->s),
		   (unsigned long long)snoop_session_lost(args->s));
}

int snoop_tool_main(const struct snoop_tool *tool, struct snoop_tool_args *args, void *ctx, int argc,
		    char **argv)
{
	static const struct argp_option none[] = { { 0 } };
	const struct argp_child children[] = {
		SNOOP_COMMON_ARGP_CHILD,
		tool->top_cols ? (struct argp_child)SNOOP_TOP_ARGP_CHILD : (struct argp_child){ 0 },
		{ 0 },
	};
	const struct argp argp = { tool->options ? tool->options : none, parse, tool->args_doc, tool->doc,
				   children, NULL, NULL };
	struct tool_input in = { tool, args, ctx };
	int ret = 1;

	args->argc = argc;
	args->argv = argv;
	snoop_argp_parse(&argp, argc, argv, 0, NULL, &in);
	if (tool->prepare && (ret = tool->prepare(ctx)) != 0)
		return ret == SNOOP_TOOL_DONE ? 0 : ret;
	ret = 1;

	args->s = snoop_session_open(tool->name, &args->common);
	if (!args->s)
		goto out;
	if (tool->pair_size) {
		args->pairs = snoop_pairs_new(tool->pair_size, 0, tool->pair_drop, ctx);
		if (!args->pairs) {
			snoop_err(args->s, "out of memory");
			goto out;
		}
	}
	ret = tool->declare(args->s, ctx);
	if (ret != 0) {
		ret = ret == SNOOP_TOOL_DONE ? 0 : ret < 0 ? 1 : ret;
		goto out;
	}
	ret = 1;
	if (args->common.top && tool->top_cols) {
		struct snoop_top_col cols[SNOOP_TOP_MAX_COLS];
		int n = tool->top_ncols < SNOOP_TOP_MAX_COLS ? tool->top_ncols : SNOOP_TOP_MAX_COLS;

		/* Columns that depend on the options: the tool's hook. */
		if (tool->top_columns)
			n = tool->top_columns(ctx, cols);
		else
			memcpy(cols, tool->top_cols, sizeof(cols[0]) * (size_t)n);
		/* -C: the tool puts the cgroup first in its key (snoop/cgroup.h);
		 * the key's header says so. */
		for (int i = 0; i < n && args->common.print_cgroup && tool->top_key_cgroup; i++)
			if (cols[i].kind == SNOOP_TOP_KEY) {
				snprintf(args->top_key_name, sizeof(args->top_key_name), "CGROUP %s", cols[i].name);
				cols[i].name = args->top_key_name;
			}
		args->table = snoop_top_new(cols, n, args->top.max_keys);
		if (!args->table || snoop_top_attach(args->table, args->s, &args->top, argc, argv) < 0)
			goto out;
	}
	if (snoop_session_start(args->s) < 0)
		goto out;
	if (tool->header && !args->common.json && !args->table) {
		struct snoop_buf *b = snoop_session_out(args->s);

		snoop_session_put_time_header(args->s, b);
		snoop_buf_adds(b, tool->header);
		snoop_buf_addc(b, '\n');
		snoop_session_flush(args->s);
	}
	if (tool->started)
		tool->started(args->s, ctx);
	ret = snoop_session_run(args->s) < 0 ? 1 : 0;
	/* Entries still waiting for their exit: the tool says them (the
	 * --top table has had its final print). */
	if (args->pairs && !args->table)
		snoop_pairs_flush(args->pairs);
	if (tool->finish)
		tool->finish(args->s, ctx);
	snoop_session_flush(args->s);
	if (args->common.verbose)
		verbose_stats(tool, args);
out:
	/* The library decides the status: 1 after any error said (the last
	 * flush of the teardown included), 0 after a stop signal with none,
	 * also when it cut a set-up step short without a word. */
	ret = snoop_session_end(args->s, ret);
	args->s = NULL;
	snoop_top_free(args->table);
	args->table = NULL;
	snoop_pairs_free(args->pairs);
	args->pairs = NULL;
	return ret;
}
