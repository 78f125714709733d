/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Options every snoopkit tool has, parsed by one argp child parser so that
 * their spelling, validation and help text are the same everywhere.
 *
 * A tool embeds struct snoop_opts in its own options struct and lists
 * snoop_common_argp_child() among its argp children:
 *
 *	static struct argp_child children[] = {
 *		SNOOP_COMMON_ARGP_CHILD, { 0 } };
 *	...in its parser, on ARGP_KEY_INIT: state->child_inputs[0] = &opts->common;
 *
 * Validation happens while parsing, before anything touches tracefs:
 * argp_error() prints a one-line usage error and exits with status 64.
 */
#ifndef SNOOP_OPTIONS_H
#define SNOOP_OPTIONS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* --cgroup may be given this many times (snoop/cgroup.h). */
#define SNOOP_CGROUP_MAX 8

struct snoop_opts {
	pid_t pid;          /* -p: a process (all its threads); 0 = any */
	pid_t tid;          /* -L: one thread; 0 = any */
	const char *comm;   /* -n: command name (each tool says exact or regex) */
	double duration;    /* -d: seconds to run; 0 = until interrupted */
	bool time_rel;      /* -t: seconds since the start, from event timestamps */
	bool time_wall;     /* -T: wall-clock time of the event */
	bool json;          /* -j: JSON Lines */
	bool top;           /* --top: live table */
	unsigned int buffer_kb; /* -b: per-CPU ring buffer size; 0 = kernel default */
	uint64_t max_events; /* -M: stop after N events reported; 0 = no limit */
	int verbose;        /* -v, repeatable */
	/* --cgroup PATH (repeatable): only tasks in one of them or below;
	 * checked to exist, all in one hierarchy, when parsed. */
	const char *cgroups[SNOOP_CGROUP_MAX];
	int ncgroups;
	bool print_cgroup;  /* -C: a CGROUP column, JSON "cgroup" */
	/* Set by a tool, not an option: follow each task's cgroup without the
	 * column (e.g. counts keyed --by cgroup; snoop_session_cgroup_key). */
	bool need_cgroup;
};

extern const struct argp snoop_common_argp;

#define SNOOP_COMMON_ARGP_CHILD \
	{ &snoop_common_argp, 0, "Options of every snoopkit tool:", 1 }

/* Parse helpers shared by tools: strict, full-string, range-checked.
 * Return 0 on success, -1 (and leave *out alone) otherwise. */
int snoop_parse_long(const char *s, long min, long max, long *out);
int snoop_parse_seconds(const char *s, double *out);

/* A user-given string made safe to quote in an error message: escaped
 * (no control byte reaches the terminal) and cut to fit dst ("..."). */
const char *snoop_arg_quote(char *dst, size_t n, const char *arg);

/*
 * argp_parse() with every message it prints on stderr escaped like the
 * values in it (getopt's "unrecognized option" echoes the name as typed,
 * ESC and BEL included). Every tool parses its command line with this.
 */
error_t snoop_argp_parse(const struct argp *argp, int argc, char **argv, unsigned int flags, int *arg_index,
			 void *input);

/* The standard --version text. */
extern const char *argp_program_version;

#endif
