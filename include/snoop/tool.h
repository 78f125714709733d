/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The skeleton of a snoopkit tool: argp wiring (the tool's options, the
 * shared options child and, with --top, the table's child) and main()'s
 * life cycle, so that a tool's main.c holds declarations only:
 *
 *	parse -> prepare -> snoop_session_open -> [pairs] -> declare -> [--top table]
 *	      -> start -> header, started -> run -> [flush pairs] -> finish
 *	      -> close -> exit status
 *
 * Exit status: 0 after a normal end (signal, -d, -M, q in --top), also
 * when a stop signal interrupted the set-up (nothing was traced, nothing is
 * wrong); 1 after an error (already printed); 64 for a usage error (argp).
 *
 *	struct killsnoop { struct snoop_tool_args a; bool failed; ... };
 *	static const struct snoop_tool tool = {
 *		.name = "killsnoop", .doc = doc, .options = options,
 *		.parse = parse_opt, .top_cols = cols, .top_ncols = 4,
 *		.header = "PID     COMM ...", .pair_size = sizeof(struct sent),
 *		.pair_drop = on_drop, .declare = declare,
 *	};
 *	int main(int argc, char **argv)
 *	{
 *		struct killsnoop x = { 0 };
 *		return snoop_tool_main(&tool, &x.a, &x, argc, argv);
 *	}
 */
#ifndef SNOOP_TOOL_H
#define SNOOP_TOOL_H

#include <argp.h>
#include <stdbool.h>

#include <snoop/options.h>
#include <snoop/pair.h>
#include <snoop/session.h>
#include <snoop/top.h>

/* What the skeleton fills in; the tool embeds it in its own struct. */
struct snoop_tool_args {
	struct snoop_opts common;
	struct snoop_top_opts top;   /* -i, --top-max (tools with top_cols) */
	struct snoop_session *s;     /* from open to close */
	struct snoop_top *table;     /* with --top: the table, else NULL */
	struct snoop_pairs *pairs;   /* with pair_size: the entry/exit table */
	char top_key_name[128];      /* -C --top: "CGROUP <the key's name>" */
	int argc;
	char **argv;
};

struct snoop_tool {
	const char *name;
	const char *args_doc;             /* positional arguments, or NULL */
	const char *doc;                  /* summary "\v" examples */
	const struct argp_option *options;/* the tool's own, or NULL */
	/* The tool's keys; state->input is the tool's ctx. ARGP_KEY_INIT and
	 * ARGP_KEY_END reach it too (after the skeleton's own work). */
	argp_parser_t parse;
	/* --top: the table's columns (NULL: the tool has no --top/-i). */
	const struct snoop_top_col *top_cols;
	int top_ncols;
	/* With -C the tool puts the task's cgroup (snoop_cgroup_short) first
	 * in its --top key: the skeleton then names the key "CGROUP ...". */
	bool top_key_cgroup;
	/* -i has a meaning without --top (a count mode): the skeleton then
	 * leaves snoop_top_opts_check() out and the tool checks itself. */
	bool interval_without_top;
	/* After parsing, before tracefs is touched (checks that need more than
	 * argp, e.g. probe definitions): 0 to go on, else the exit status
	 * (message printed), SNOOP_TOOL_DONE for 0 (the tool's whole job was
	 * done there, e.g. a listing). Optional. */
	int (*prepare)(void *ctx);
	/* The text header line (columns), printed after start unless -j or
	 * --top, after the -t/-T time header; NULL: none. */
	const char *header;
	/* Entry/exit pairing (snoop/pair.h): entries of pair_size bytes in
	 * args->pairs, created before declare; the ones still waiting at the
	 * end are dropped (SNOOP_PAIR_FLUSHED) before finish, unless --top.
	 * 0: no table. */
	size_t pair_size;
	snoop_pair_drop_fn pair_drop;   /* called with the tool's ctx */
	/* Declare events and filters (before start): 0 to go on, -1 failed
	 * (printed: exit 1), a positive exit status to end before the start
	 * (e.g. a usage error only the kernel could show), SNOOP_TOOL_DONE to
	 * end there with 0 (e.g. a tool that only shows an event's format). */
	int (*declare)(struct snoop_session *s, void *ctx);
	/* After start, before the first record (e.g. the header): optional. */
	void (*started)(struct snoop_session *s, void *ctx);
	/* After run, before close (report what waits, print statistics):
	 * optional; also called after a failed run. */
	void (*finish)(struct snoop_session *s, void *ctx);
	/* --top columns that depend on the options (e.g. a column only with
	 * -x): called after parsing, it fills cols (SNOOP_TOP_MAX_COLS of
	 * them) and returns their number, used instead of top_cols (which
	 * must still be set: it says that the tool has --top). Optional. */
	int (*top_columns)(void *ctx, struct snoop_top_col *cols);
};

/* prepare/declare: end here with exit status 0 (0 itself means go on). */
#define SNOOP_TOOL_DONE 256

int snoop_tool_main(const struct snoop_tool *tool, struct snoop_tool_args *args, void *ctx, int argc,
		    char **argv);

#endif
