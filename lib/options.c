// SPDX-License-Identifier: GPL-2.0-or-later
/* The options every tool shares, as one argp child parser. */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/cgroup.h>
#include <snoop/options.h>
#include <snoop/output.h>
#include <snoop/tracefs.h>

const char *argp_program_version = "snoopkit 0.1.0";

/* Longest command name the kernel keeps (TASK_COMM_LEN - 1). */
#define COMM_MAX 15
/* A week: long enough for any trace, short enough for alarm arithmetic. */
#define DURATION_MAX (7 * 24 * 3600.0)
/* -M: a billion events is more than any terminal or file wants. */
#define MAX_EVENTS_MAX 1000000000L
/* 4 GiB per CPU is far beyond what a snoop needs and what most boxes have. */
#define BUFFER_KB_MAX (4UL * 1024 * 1024)

enum { OPT_TOP = 0x1000, OPT_CGROUP };

static const struct argp_option common_options[] = {
	{ "pid", 'p', "PID", 0, "Only the process PID (all its threads, also those it creates later)", 0 },
	{ "tid", 'L', "TID", 0, "Only the thread TID", 0 },
	{ "name", 'n', "NAME", 0, "Only tasks whose command name is NAME (exact, unless the tool's description says it "
	  "takes a pattern)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Trace for SECONDS, then exit", 0 },
	{ "timestamp", 't', NULL, 0, "Print seconds since the start (kernel event time)", 0 },
	{ "time", 'T', NULL, 0, "Print the wall-clock time of each event", 0 },
	{ "json", 'j', NULL, 0, "JSON Lines output (one object per line)", 0 },
	{ "top", OPT_TOP, NULL, 0, "Live table instead of a line per event", 0 },
	{ "max-events", 'M', "N", 0, "Stop after N events (lines printed, or hits counted with -c/--top)", 0 },
	{ "buffer-kb", 'b', "KB", 0,
	  "Per-CPU ring buffer size in KiB (default: the tool's, see its man page; --verbose prints it)", 0 },
	{ "verbose", 'v', NULL, 0, "Say more (repeatable): set-up steps, statistics", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "Only tasks in this cgroup or below (repeatable): a path under /sys/fs/cgroup "
	  "or relative to its v2 (else v1) mount, e.g. system.slice/docker-ID.scope; filtered in user space", 0 },
	{ "print-cgroup", 'C', NULL, 0, "Print each task's cgroup (CGROUP column, JSON \"cgroup\")", 0 },
	{ 0 }
};

int snoop_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol would skip leading blanks and take a sign: " 5" and "+5"
	 * are typos here, not numbers. */
	if (!s || !*s || isspace((unsigned char)*s) || *s == '+')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int snoop_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	/* Plain decimal only: strtod would also take hex ("0x10") and
	 * "infinity", which nobody means by a number of seconds. */
	if (!s || !*s || strpbrk(s, "xXnNiI") || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v) || v <= 0 || v > DURATION_MAX)
		return -1;
	*out = v;
	return 0;
}

const char *snoop_arg_quote(char *dst, size_t n, const char *arg)
{
	size_t len = strnlen(arg, 256), keep;
	struct snoop_buf b;

	if (n < 8) {
		if (n)
			dst[0] = '\0';
		return dst;
	}
	snoop_buf_init(&b);
	/* Escape at most a screenful: a 1 MiB argument needs no full echo. */
	snoop_escape_text(&b, arg, len);
	keep = b.len;
	if (b.len + 1 > n || arg[len]) {
		keep = b.len + 4 > n ? n - 4 : b.len;
		/* Do not cut an escape sequence ("\xHH", "\u{XXXX}") in half. */
		for (size_t i = keep > 10 ? keep - 10 : 0; i < keep; i++)
			if (b.data[i] == '\\' && i + 1 < b.len && (b.data[i + 1] == 'x' || b.data[i + 1] == 'u') &&
			    i + (b.data[i + 1] == 'x' ? 4 : 9) > keep)
				keep = i;
	}
	snprintf(dst, n, "%.*s%s", (int)keep, b.data ? b.data : "", keep < b.len || arg[len] ? "..." : "");
	snoop_buf_free(&b);
	return dst;
}

static bool comm_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > COMM_MAX)
		return false;
	/* A comm goes into a kernel filter string: keep it to bytes that need
	 * no quoting there and cannot steer a terminal when echoed back. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/* --cgroup PATH: it exists now, and in the hierarchy of the others (one
 * hierarchy is followed per run). The session resolves it again at start. */
static void cgroup_opt(struct argp_state *state, struct snoop_opts *o, const char *arg)
{
	char *mi = snoop_read_file("/proc/self/mountinfo", NULL), *sc = snoop_read_file("/proc/self/cgroup", NULL);
	struct snoop_cgroup_hier h, h0;
	char q[96], rel[4096], err[256] = "cannot read /proc/self/mountinfo";
	uint64_t id;
	int ret = -1;

	if (o->ncgroups >= SNOOP_CGROUP_MAX) {
		free(mi);
		free(sc);
		argp_error(state, "--cgroup: at most %d paths", SNOOP_CGROUP_MAX);
	}
	if (mi && sc)
		ret = snoop_cgroup_resolve(mi, sc, arg, &h, rel, sizeof(rel), &id, err, sizeof(err));
	if (ret == 0 && o->ncgroups &&
	    snoop_cgroup_resolve(mi, sc, o->cgroups[0], &h0, rel, sizeof(rel), &id, err, sizeof(err)) == 0 &&
	    h0.id != h.id) {
		snprintf(err, sizeof(err), "in the %s hierarchy, the first --cgroup in %s: one hierarchy per run",
			 h.name, h0.name);
		ret = -1;
	}
	free(mi);
	free(sc);
	if (ret < 0)
		argp_error(state, "invalid --cgroup '%s': %s", snoop_arg_quote(q, sizeof(q), arg), err);
	o->cgroups[o->ncgroups++] = arg;
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct snoop_opts *o = state->input;
	char q[96];
	long v;

	switch (key) {
	case ARGP_KEY_INIT:
		if (!o)
			argp_error(state, "internal error: no snoop_opts given to the common parser");
		return 0;
	case 'p':
	case 'L':
		if (snoop_parse_long(arg, 1, INT_MAX, &v) < 0)
			argp_error(state, "invalid %s '%s': expected a positive number",
				   key == 'p' ? "PID" : "TID", snoop_arg_quote(q, sizeof(q), arg));
		/* An unknown PID is a typo, not an empty trace: say so now. */
		if (kill((pid_t)v, 0) != 0 && errno == ESRCH)
			argp_error(state, "no such %s: %ld", key == 'p' ? "process" : "thread", v);
		if (key == 'p')
			o->pid = (pid_t)v;
		else
			o->tid = (pid_t)v;
		return 0;
	case 'n':
		if (!comm_ok(arg))
			argp_error(state, "invalid name '%s': 1 to %d printable characters, no quotes or backslashes",
				   snoop_arg_quote(q, sizeof(q), arg), COMM_MAX);
		o->comm = arg;
		return 0;
	case 'd':
		if (snoop_parse_seconds(arg, &o->duration) < 0)
			argp_error(state, "invalid duration '%s': expected seconds, > 0 and at most %.0f",
				   snoop_arg_quote(q, sizeof(q), arg), DURATION_MAX);
		return 0;
	case 't':
		o->time_rel = true;
		return 0;
	case 'T':
		o->time_wall = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case OPT_TOP:
		o->top = true;
		return 0;
	case 'b':
		if (snoop_parse_long(arg, 4, (long)BUFFER_KB_MAX, &v) < 0)
			argp_error(state, "invalid buffer size '%s': expected KiB from 4 to %lu", snoop_arg_quote(q, sizeof(q), arg),
				   BUFFER_KB_MAX);
		o->buffer_kb = (unsigned int)v;
		return 0;
	case 'M':
		if (snoop_parse_long(arg, 1, MAX_EVENTS_MAX, &v) < 0)
			argp_error(state, "invalid -M '%s': expected 1 to %ld events", snoop_arg_quote(q, sizeof(q), arg),
				   MAX_EVENTS_MAX);
		o->max_events = (uint64_t)v;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'C':
		o->print_cgroup = true;
		return 0;
	case OPT_CGROUP:
		cgroup_opt(state, o, arg);
		return 0;
	case ARGP_KEY_END:
		if (o->time_rel && o->time_wall)
			argp_error(state, "-t and -T cannot be used together");
		if (o->json && o->top)
			argp_error(state, "--json and --top cannot be used together");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp snoop_common_argp = {
	.options = common_options,
	.parser = common_parse,
};

/*
 * argp validates values through our parsers, which quote them with
 * snoop_arg_quote(); but an unknown or ambiguous option name is reported by
 * getopt itself ("unrecognized option '--\e]0;...'"), straight to stderr,
 * and argv[0] is in every message. So while argp parses, stderr is a stream
 * whose bytes go through the text escaper on their way to fd 2: control
 * bytes, C1 and invalid UTF-8 become \xHH or \u{XXXX}. Newlines and
 * backslashes pass as they are: the messages are several lines, and the
 * values our parsers quote are escaped already (a backslash doubled here
 * would show "\\x1b" for an ESC).
 */
static ssize_t escaped_write(void *cookie, const char *buf, size_t n)
{
	struct snoop_buf b;
	size_t i = 0;

	(void)cookie;
	snoop_buf_init(&b);
	while (i < n) {
		size_t run = 0;

		while (i + run < n && buf[i + run] != '\n' && buf[i + run] != '\\')
			run++;
		snoop_escape_text(&b, buf + i, run);
		i += run;
		if (i < n)
			snoop_buf_addc(&b, buf[i++]);
	}
	/* Nothing to do on failure: this is the error channel. */
	if (!snoop_buf_failed(&b) && b.len && write(STDERR_FILENO, b.data, b.len) < 0) {
	}
	snoop_buf_free(&b);
	return (ssize_t)n;
}

error_t snoop_argp_parse(const struct argp *argp, int argc, char **argv, unsigned int flags, int *arg_index,
			 void *input)
{
	static const cookie_io_functions_t io = { .write = escaped_write };
	FILE *real = stderr, *esc;
	error_t err;

	fflush(stderr);
	esc = fopencookie(NULL, "w", io);
	/* Line-buffered: a message goes out whole, and exit() inside
	 * argp_error() flushes it like any stream. */
	if (esc) {
		setvbuf(esc, NULL, _IOLBF, 0);
		stderr = esc;
	}
	err = argp_parse(argp, argc, argv, flags, arg_index, input);
	if (esc) {
		stderr = real;
		fclose(esc);
	}
	return err;
}
