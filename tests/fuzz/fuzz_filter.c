// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the filter builder, from the user's text to the string
 * libsnoop writes to an event's filter file.
 *
 * The input is up to three NUL-separated parts: a FILTER, a NAME, a GLOB.
 *  - FILTER goes through snoop_event_filter() (lib/session.c, which asks
 *    libtracefs to verify it) on an event parsed from a kprobe-like format;
 *  - NAME goes through the real -n parser (the shared argp child of
 *    lib/options.c); a name it refuses is dropped, as the tool would exit;
 *  - with what was accepted, snoop_session_start() runs against a fake
 *    tracefs tree in a temporary directory (the fake instance counts as
 *    not created, so the kernel is not asked and start writes every
 *    filter): apply_event() writes FILTER alone, or the combined
 *    "(FILTER) && comm == \"NAME\"", to the fake filter file, which is
 *    read back (the start then fails at the reader, which finds no per-CPU
 *    files: nothing else of it matters here);
 *  - GLOB goes through opensnoop's opensnoop_glob_kernel_safe()
 *    (tools/opensnoop/flags.c); a glob it calls safe becomes the filter
 *    opensnoop's setup_kprobe() builds, which must be accepted.
 * Properties of every string that would reach the kernel: no newline or
 * NUL, at most 4000 bytes of the user's part, quotes balanced, and the comm
 * clause outside any quote and parenthesis of the user's part (the user's
 * filter cannot swallow or alter it).
 *
 * (Two violations it found are fixed in lib/: libtracefs 1.6.4's verifier
 * let an unterminated string and unbalanced parentheses through, which
 * snoop_event_filter() now refuses itself; and put() in lib/output.c
 * computed NULL + 0 for an event with -n and no filter of its own.)
 */
#include <argp.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event-parse.h>

#include <snoop/options.h>
#include <snoop/session.h>
#include <snoop/tracefs.h>

#include "../../lib/internal.h"
#include "kprobe_common.h"

/* From tools/opensnoop/flags.c (its header pulls in the whole tool). */
bool opensnoop_glob_kernel_safe(const char *glob);

#define GROUP "snoop_1"
#define EVENT "open"
#define INSTANCE "snoop_fuzz_1"

/* A kprobe event as opensnoop makes it (fields of do_sys_openat2). */
static const char format[] =
	KPROBE_FORMAT_HEAD(EVENT, "2001")
	"\tfield:__data_loc char[] filename;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\tfield:u64 flags;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 mode;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] comm;\toffset:40;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"(%lx) dfd=%d filename=\\\"%s\\\" flags=0x%Lx mode=0x%Lx comm=\\\"%s\\\"\", "
	"REC->__probe_ip, REC->dfd, __get_str(filename), REC->flags, REC->mode, __get_str(comm)\n";

static char root[64];
static char filter_file[512];

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0700) != 0)
		abort();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_tree(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/snoop-fuzz-filter.XXXXXX");
	if (!mkdtemp(root))
		abort();
	atexit(rm_tree);
	dir("events");
	dir("events/" GROUP);
	dir("events/" GROUP "/" EVENT);
	put("events/" GROUP "/" EVENT "/format", format);
	dir("instances");
	dir("instances/" INSTANCE);
	put("instances/" INSTANCE "/tracing_on", "1\n");
	put("instances/" INSTANCE "/trace_clock", "[local] mono\n");
	dir("instances/" INSTANCE "/events");
	dir("instances/" INSTANCE "/events/" GROUP);
	dir("instances/" INSTANCE "/events/" GROUP "/" EVENT);
	put("instances/" INSTANCE "/events/" GROUP "/" EVENT "/filter", "none\n");
	put("instances/" INSTANCE "/events/" GROUP "/" EVENT "/enable", "0\n");
	snprintf(filter_file, sizeof(filter_file), "%s/instances/" INSTANCE "/events/" GROUP "/" EVENT "/filter",
		 root);
	return 0;
}

/* A session as snoop_session_open() leaves it, on the fake tree, without
 * the sweep and the mkdir (instance_created stays false: close() then
 * leaves the fake instance alone). */
static struct snoop_session *fake_session(const struct snoop_opts *o)
{
	struct snoop_session *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	snprintf(s->tool, sizeof(s->tool), "fuzz");
	s->opts = *o;
	s->common_filters = SNOOP_FILTER_PID | SNOOP_FILTER_COMM;
	s->tracing_on_fd = -1;
	s->tick_fd = -1;
	s->live_fd = -1;    /* no instance held, no reaper */
	s->reaper_fd = -1;
	if (pipe2(s->sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		abort();
	snoop_buf_init(&s->out);
	s->tracing_dir = root;
	snprintf(s->instance_name, sizeof(s->instance_name), INSTANCE);
	snprintf(s->group, sizeof(s->group), GROUP);
	snprintf(s->instance_dir, sizeof(s->instance_dir), "%s/instances/%s", root, INSTANCE);
	s->tep = tep_alloc();
	if (!s->tep)
		abort();
	tep_set_long_size(s->tep, 8);
	tep_set_page_size(s->tep, 4096);
	tep_set_file_bigendian(s->tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(s->tep, TEP_LITTLE_ENDIAN);
	return s;
}

/*
 * Scan a filter as the kernel's parser reads it (kernel/trace/
 * trace_events_filter.c, calc_stack() and parse_pred(): a string runs from
 * a double or single quote to the next same quote; a backslash is an
 * ordinary byte there). Returns 0 when quotes and
 * parentheses balance; *clause_ok tells whether offset `at` is outside
 * any quote and at parenthesis depth 0.
 */
static int scan(const char *f, size_t at, bool *clause_ok)
{
	char q = 0;
	int depth = 0;

	*clause_ok = false;
	for (size_t i = 0;; i++) {
		if (i == at)
			*clause_ok = !q && depth == 0;
		if (!f[i])
			break;
		if (q) {
			if (f[i] == q)
				q = 0;
			continue;
		}
		if (f[i] == '"' || f[i] == '\'')
			q = f[i];
		else if (f[i] == '(')
			depth++;
		else if (f[i] == ')' && --depth < 0)
			return -1;
	}
	return q || depth ? -1 : 0;
}

/* -n NAME through the real shared parser; true when it took it. A parent
 * parser points argp's error stream at a buffer: an error written there is
 * what makes the tool exit 64. */
struct name_parse {
	struct snoop_opts o;
	FILE *err;
};

static error_t parent_parse(int key, char *arg, struct argp_state *state)
{
	struct name_parse *np = state->input;

	(void)arg;
	if (key == ARGP_KEY_INIT) {
		state->err_stream = np->err;
		state->child_inputs[0] = &np->o;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static bool name_accepted(const char *name, struct snoop_opts *o)
{
	static const struct argp_child children[] = { { &snoop_common_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp parent = { NULL, parent_parse, NULL, NULL, children, NULL, NULL };
	struct name_parse np = { 0 };
	char *buf = NULL;
	size_t len = 0;
	char *argv[] = { (char *)"fuzz", (char *)"-n", (char *)name, NULL };
	int err;

	np.err = open_memstream(&buf, &len);
	if (!np.err)
		abort();
	err = argp_parse(&parent, 3, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, &np);
	fclose(np.err);
	free(buf);
	if (err || len)
		return false;
	*o = np.o;
	return o->comm == name;
}

static void check_sent(const char *sent, size_t n, const char *filter, const char *comm)
{
	size_t at = 0;
	bool clause_ok;
	char want[64];

	if (memchr(sent, '\n', n) || strlen(sent) != n)
		abort(); /* a second command, or a cut one */
	if (filter) {
		size_t fl = strlen(filter);

		if (fl > 4000)
			abort();
		if (!comm) {
			/* alone: exactly FILTER */
			if (n != fl || memcmp(sent, filter, fl))
				abort();
			at = n;
		} else {
			/* exactly "(FILTER)" first */
			if (n < fl + 2 || sent[0] != '(' || memcmp(sent + 1, filter, fl) || sent[fl + 1] != ')')
				abort();
			at = fl + 2;
		}
	}
	if (comm) {
		snprintf(want, sizeof(want), "%scomm == \"%s\"", filter ? " && " : "", comm);
		if (n - at != strlen(want) || memcmp(sent + at, want, n - at))
			abort(); /* the clause is exactly ours, and the end of it */
		if (scan(sent, at, &clause_ok) < 0 || !clause_ok)
			abort(); /* the user's filter reaches into our clause */
	} else if (n != at) {
		abort();
	}
	if (scan(sent, n, &clause_ok) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 3);
	const char *filter, *name, *glob;
	struct snoop_opts o = { 0 };
	struct snoop_session *s;
	struct snoop_event *ev;
	bool have_filter, have_name;
	size_t n;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = in[size + 1] = in[size + 2] = '\0';
	filter = in;
	name = filter + strlen(filter) + 1;
	glob = name + strlen(name) + 1;
	if ((size_t)(name - in) > size)
		name = in + size + 1;
	if ((size_t)(glob - in) > size + 1)
		glob = in + size + 2;

	have_name = *name && name_accepted(name, &o);
	s = fake_session(&o);
	ev = snoop_session_tracepoint(s, GROUP, EVENT, NULL, NULL);
	if (!ev)
		abort();
	have_filter = *filter && snoop_event_filter(ev, filter) == 0;
	if (have_filter && (!ev->filter || strchr(ev->filter, '\n') || strlen(ev->filter) > 4000))
		abort();
	if (!have_filter)
		snoop_event_filter(ev, NULL);
	if (have_filter || have_name) {
		char *sent;

		if (truncate(filter_file, 0) != 0)
			abort();
		(void)snoop_session_start(s); /* fails at the reader: no per_cpu */
		sent = snoop_read_file(filter_file, &n);
		if (!sent || !n)
			abort(); /* apply_event wrote nothing */
		check_sent(sent, n, have_filter ? filter : NULL, have_name ? name : NULL);
		free(sent);
	}
	snoop_session_close(s);

	/* opensnoop: a path pattern it runs in the kernel. */
	if (*glob && opensnoop_glob_kernel_safe(glob)) {
		char f[300], wrapped[512];
		bool clause_ok;
		int w;

		s = fake_session(&(struct snoop_opts){ 0 });
		ev = snoop_session_tracepoint(s, GROUP, EVENT, NULL, NULL);
		if (!ev)
			abort();
		/* as setup_kprobe() and set_filter() in tools/opensnoop/probes.c */
		if (snprintf(f, sizeof(f), "filename ~ \"%s\"", glob) >= (int)sizeof(f))
			abort();
		w = snprintf(wrapped, sizeof(wrapped), "common_pid != %d && (%s)", 2147483647, f);
		if (w >= (int)sizeof(wrapped))
			abort(); /* cut: the kernel would get another filter */
		if (scan(wrapped, (size_t)w, &clause_ok) < 0)
			abort();
		if (snoop_event_filter(ev, wrapped) != 0)
			abort(); /* a glob called kernel-safe that the filter refuses */
		snoop_session_close(s);
	}
	free(in);
	return 0;
}
