// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe: ad-hoc kprobes, kretprobes, fprobes and tracepoints in the
 * kernel's own definition syntax, with parsed and escaped fields.
 * See man/man8/kprobe.8.
 */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/options.h>
#include <snoop/session.h>

#include "kprobe.h"

enum { OPT_BY = 0x100, OPT_NO_FUNC_CHECK, OPT_MAX_HITS, OPT_USER_COUNT, OPT_HIST, OPT_LINEAR, OPT_LATENCY, OPT_FOLDED, OPT_EXCLUDE_SELF };

static const char doc[] =
	"Trace a kernel function (kprobe, kretprobe, fprobe) or tracepoint and print each hit's "
	"fields, parsed and escaped.\n"
	"\n"
	"DEFINITION is the kernel's kprobe_events syntax (p:, r:, f:) or t:SYSTEM:EVENT; FILTER is a "
	"trace event filter on the probe's fields. argN and retval stand for $argN and $retval; "
	"struct fields by name (how->flags) are resolved from the kernel's BTF. The event group is "
	"always kprobe's own: a GRP/ given is used as a prefix of the event name.\n"
	"\n"
	"The function is checked against available_filter_functions (kallsyms where unreadable) and "
	"the kprobe blacklist, which only debugfs has (/sys/kernel/debug/kprobes/blacklist): without "
	"it that check is skipped (--verbose says so) and the kernel refuses a blacklisted function "
	"itself. -F skips both checks.\n"
	"\n"
	"User space: u:BINARY:SYMBOL[+OFFS] and ur:BINARY:SYMBOL (return) place a uprobe, also written "
	"p:/PATH:SYMBOL and r:/PATH:SYMBOL. BINARY is a path, a program in PATH, libc, or a library "
	"name (ssl finds libssl.so.N); SYMBOL a function of its .dynsym or .symtab (-l lists them). "
	"argN are the ABI's argument registers at the function entry; strings: arg2:ustring.\n"
	"\v"
	"Examples:\n"
	"  kprobe 'p:do_sys_openat2 path=+0(%si):ustring'          # every open, with the path\n"
	"  kprobe 'p:do_sys_openat2 path=+0(arg2):ustring' 'path ~ \"/etc/*\"'  # only under /etc\n"
	"  kprobe 'r:do_sys_openat2 fd=retval:s64' 'fd < 0'       # failed opens\n"
	"  kprobe 'p:do_sys_openat2 how->flags how->mode'        # struct fields from BTF\n"
	"  kprobe -s 'p:do_sys_openat2'                          # with the kernel stack\n"
	"  kprobe -c -s --folded 'p:vfs_read' > out.folded       # stacks for a flame graph\n"
	"  kprobe -c -i 1 'p:vfs_read'                           # calls each second, all callers\n"
	"  kprobe -c --by comm 'p:vfs_read' -i 1                 # hits per command, each second\n"
	"  kprobe -c --by cgroup t:syscalls:sys_enter_getppid    # calls per cgroup (container)\n"
	"  kprobe --hist ret 'r:vfs_read ret=retval:s64'         # bytes read, log2\n"
	"  kprobe --latency t:syscalls:sys_enter_read 'fd == 0'  # read(0) usecs\n"
	"  kprobe -e 'p:vfs_read' -e 'r:vfs_read ret=retval:s64' # two probes in one session\n"
	"  kprobe 't:sched:sched_process_exec'                   # a tracepoint (no kprobes needed)\n"
	"  kprobe -j -M 10 'f:do_sys_openat2 dfd filename:ustring' # fprobe, 10 hits as JSON\n"
	"  kprobe -r 'p:do_sys_openat2 dfd=%di:s32'              # the kernel's own text (perf-tools)\n"
	"  kprobe -p 1234 'u:libc:malloc size=arg1:u64'          # a C library function, one process\n"
	"  kprobe 'ur:bash:readline line=retval:ustring'         # what bash read\n"
	"  kprobe -l libc 'str*'                                 # probe-able functions of the C library\n"
	"\n"
	"Exit status: 0 done, 1 runtime error, 64 bad option/definition/filter, 69 the kernel lacks "
	"the probe type (e.g. no CONFIG_KPROBE_EVENTS: use t:).";

static const struct argp_option options[] = {
	{ "event", 'e', "DEFINITION", 0, "A probe (\"DEFINITION[ if FILTER]\"); repeatable", 0 },
	{ "no-func-check", 'F', NULL, 0,
	  "Skip checking the function against available_filter_functions (or kallsyms) and the kprobe "
	  "blacklist: the kernel's own checks remain", 0 },
	{ "raw", 'r', NULL, 0, "Print the kernel's own text line per hit (perf-tools look)", 0 },
	{ "stack", 's', NULL, 0,
	  "Print the kernel stack of each hit, symbolised; with -c count hits per stack (in the kernel), most "
	  "frequent first", 0 },
	{ "header", 'H', NULL, 0, "Print a column header", 0 },
	{ "list", 'l', "BINARY", 0,
	  "List the functions of BINARY (a path, a program in PATH, libc or a library name) that u: can "
	  "probe, those matching the glob given as argument if one is", 0 },
	{ "format", 'v', NULL, 0, "Print the event's format and exit (--verbose: more messages)", 0 },
	/* -M is the shared --max-events now; the old spelling still works. */
	{ "max-hits", OPT_MAX_HITS, "N", OPTION_HIDDEN, "Stop after N hits (-M)", 0 },
	{ "count", 'c', NULL, 0,
	  "Count hits per probe instead of a line per hit, in the kernel: plain p:, r: (and from 6.12 u:) probes by its hit counter "
	  "(every hit, kprobe's own too), the rest with hist triggers where it has them (kprobe's own hits left out)",
	  0 },
	{ "by", OPT_BY, "KEY", 0, "With -c, --hist or --latency: per comm or pid too; with -c per cgroup too (in user space; -c -C is the same); "
	  "with --top also per value of a FIELD", 0 },
	{ "hist", OPT_HIST, "FIELD", 0,
	  "A log2 histogram of a numeric FIELD per probe (per comm or pid with --by), printed at the end "
	  "and every -i interval; in the kernel with hist triggers where it has them", 0 },
	{ "linear", OPT_LINEAR, "MIN,MAX,STEP", 0,
	  "With --hist: linear buckets of STEP from MIN to MAX (MIN and MAX multiples of STEP, MIN >= 0); "
	  "values outside are counted as below or above", 0 },
	{ "latency", OPT_LATENCY, "t:syscalls:sys_enter_NAME", 0,
	  "A log2 histogram of the system call's latency in microseconds, entry to exit per task (a positional "
	  "FILTER applies to the entry's fields); in the kernel with a synthetic event where it has one", 0 },
	{ "folded", OPT_FOLDED, NULL, 0,
	  "With -c -s: one line per stack, root first (\"probe;caller;...;function count\"), as flamegraph.pl "
	  "and speedscope read it", 0 },
	{ "user-count", OPT_USER_COUNT, NULL, 0,
	  "With -c, --hist, --latency or --top: aggregate in user space from one record per hit (what kernels without "
	  "hist triggers do), not with hist triggers in the kernel, which miss no hit at any rate; --verbose "
	  "says which path ran", 0 },
	{ "exclude-self", OPT_EXCLUDE_SELF, NULL, 0,
	  "With -c: count through hist triggers, which leave kprobe's own hits out, not with the kernel's hit "
	  "counter, which cannot (and is faster)", 0 },
	{ 0 }
};

/* A --by FIELD: the name of a fetch arg or tracepoint field, which is
 * also the --top column's header, so plain identifier characters only. */
static bool field_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64 || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* --linear MIN,MAX,STEP: the kernel's .buckets=STEP start at 0, so MIN and
 * MAX must fall on bucket edges for both paths to agree. */
static int parse_linear(const char *arg, struct kp_opts *o)
{
	unsigned long long v[3];
	char *end;
	const char *s = arg;

	for (int i = 0; i < 3; i++) {
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		errno = 0;
		v[i] = strtoull(s, &end, 10);
		if (errno || *end != (i < 2 ? ',' : '\0'))
			return -1;
		s = end + 1;
	}
	if (v[2] == 0 || v[0] >= v[1] || v[0] % v[2] || v[1] % v[2] || (v[1] - v[0]) / v[2] > 100000)
		return -1;
	o->linear = true;
	o->lin_min = v[0];
	o->lin_max = v[1];
	o->lin_step = v[2];
	return 0;
}

/* The options that only switch something on, and what. */
static const struct {
	int key;
	size_t field; /* a bool of struct kp_opts */
} switches[] = {
	{ 'F', offsetof(struct kp_opts, no_func_check) }, { 'r', offsetof(struct kp_opts, raw) },
	{ 's', offsetof(struct kp_opts, stacks) },        { 'H', offsetof(struct kp_opts, header) },
	{ 'v', offsetof(struct kp_opts, show_format) },   { 'c', offsetof(struct kp_opts, count) },
	{ OPT_FOLDED, offsetof(struct kp_opts, folded) }, { OPT_USER_COUNT, offsetof(struct kp_opts, user_count) },
	{ OPT_EXCLUDE_SELF, offsetof(struct kp_opts, exclude_self) },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	char q[96];
	struct kp *kp = state->input;
	struct kp_opts *o = kp->o;
	struct snoop_opts *common = &kp->a.common;
	long v;

	for (size_t i = 0; i < sizeof(switches) / sizeof(switches[0]); i++)
		if (key == switches[i].key) {
			*(bool *)((char *)o + switches[i].field) = true;
			return 0;
		}
	switch (key) {
	case 'e':
		if (o->ndefs >= KP_MAX_PROBES)
			argp_error(state, "at most %d probes", KP_MAX_PROBES);
		o->defs[o->ndefs++] = arg;
		o->from_e = true;
		return 0;
	case 'l':
		o->list_binary = arg;
		return 0;
	case OPT_MAX_HITS:
		if (snoop_parse_long(arg, 1, 1000000000L, &v) < 0)
			argp_error(state, "invalid --max-hits '%s': expected 1 to 1000000000 hits",
				   snoop_arg_quote(q, sizeof(q), arg));
		common->max_events = (uint64_t)v;
		return 0;
	case OPT_HIST:
		if (!field_name_ok(arg))
			argp_error(state, "invalid --hist '%s': expected a field name", snoop_arg_quote(q, sizeof(q), arg));
		o->hist_field = arg;
		return 0;
	case OPT_LINEAR:
		if (parse_linear(arg, o) < 0)
			argp_error(state, "invalid --linear '%s': expected MIN,MAX,STEP with 0 <= MIN < MAX, STEP > 0 "
				   "and MIN, MAX multiples of STEP (the kernel's buckets start at 0)",
				   snoop_arg_quote(q, sizeof(q), arg));
		return 0;
	case OPT_LATENCY:
		if (strncmp(arg, "t:", 2) || !strstr(arg, ":sys_enter_") || strlen(arg) >= sizeof(o->lat_exit) - 2 ||
		    strchr(arg, ' '))
			argp_error(state, "invalid --latency '%s': expected a system call's entry tracepoint, "
				   "t:syscalls:sys_enter_NAME", snoop_arg_quote(q, sizeof(q), arg));
		o->latency = arg;
		{
			const char *e = strstr(arg, ":sys_enter_");

			snprintf(o->lat_exit, sizeof(o->lat_exit), "%.*s:sys_exit_%s", (int)(e - arg), arg,
				 e + strlen(":sys_enter_"));
		}
		return 0;
	case OPT_BY:
		if (!strcmp(arg, "comm"))
			o->by = KP_BY_COMM;
		else if (!strcmp(arg, "pid"))
			o->by = KP_BY_PID;
		else if (!strcmp(arg, "cgroup"))
			o->by = KP_BY_CGROUP;
		else if (field_name_ok(arg))
			o->by = KP_BY_FIELD, o->by_field = arg;
		else
			argp_error(state, "invalid --by '%s': expected comm, pid, cgroup or a field name", snoop_arg_quote(q, sizeof(q), arg));
		return 0;
	case ARGP_KEY_ARG:
		if (o->list_binary) {
			if (o->list_glob)
				argp_error(state, "-l BINARY takes one GLOB at most");
			o->list_glob = arg;
			return 0;
		}
		/* DEFINITION [FILTER], the perf-tools way; with -e, a filter
		 * goes inside the -e string ("... if FILTER"). */
		if (o->from_e)
			argp_error(state, "unexpected argument '%s' (with -e, write \"DEFINITION if FILTER\")", snoop_arg_quote((char[96]){0}, 96, arg));
		if (o->latency) {
			/* --latency gives the probes: an argument is the
			 * entry's FILTER. */
			if (o->npositional)
				argp_error(state, "unexpected argument '%s': with --latency, one FILTER at most", snoop_arg_quote((char[96]){0}, 96, arg));
			o->filters[0] = arg;
		} else if (o->npositional == 0) {
			o->defs[o->ndefs++] = arg;
		} else if (o->npositional == 1) {
			o->filters[0] = arg;
		} else {
			argp_error(state, "unexpected argument '%s': one DEFINITION and one FILTER at most", snoop_arg_quote((char[96]){0}, 96, arg));
		}
		o->npositional++;
		return 0;
	case ARGP_KEY_END:
		if (o->list_binary) {
			if (o->ndefs || o->latency)
				argp_error(state, "-l lists symbols: no probes with it");
			return 0;
		}
		if (o->latency) {
			if (o->ndefs)
				argp_error(state, "--latency gives the probes itself: no DEFINITION or -e");
			if (o->count || o->hist_field || common->top || o->raw || o->stacks || o->linear)
				argp_error(state, "--latency makes a histogram: it cannot be combined with -c, --hist, "
					   "--top, --linear, -r or -s");
			if (common->max_events)
				argp_error(state, "--latency cannot stop after -M hits");
			o->defs[o->ndefs++] = o->latency;
			o->defs[o->ndefs++] = o->lat_exit;
		}
		if (o->ndefs == 0)
			argp_error(state, "no probe given: DEFINITION or -e DEFINITION");
		if (o->from_e && o->npositional)
			argp_error(state, "give probes either with -e or as DEFINITION [FILTER], not both");
		/* -i is the shared one (libsnoop's --top child): one meaning,
		 * the interval the counts are printed or refreshed at. */
		o->interval = kp->a.top.interval;
		if (kp->a.top.max_given && !common->top)
			argp_error(state, "--top-max needs --top");
		/* -c -C counts per cgroup, as functrace -c -C does; histograms
		 * and latencies have no cgroup key: refused, not ignored. */
		if (common->print_cgroup && o->count && !common->top && !o->stacks) {
			if (o->by != KP_BY_NONE && o->by != KP_BY_CGROUP)
				argp_error(state, "-c -C counts per cgroup: it cannot be combined with another --by");
			o->by = KP_BY_CGROUP;
		}
		if (common->print_cgroup && !common->top && (o->hist_field || o->latency || (o->count && o->stacks)))
			argp_error(state, "-C goes with lines, -c and --top: --hist, --latency and -c -s have no "
					  "cgroup key");
		/* The session follows each task's cgroup for the key, as with
		 * -C, without the column. */
		if (o->by == KP_BY_CGROUP && (!o->count || o->stacks || common->top))
			argp_error(state, "--by cgroup goes with -c (with --top, -C puts the cgroup in the key)");
		common->need_cgroup = o->by == KP_BY_CGROUP;
		if (o->by == KP_BY_FIELD && !common->top)
			argp_error(state, "--by FIELD needs --top (-c counts by comm or pid)");
		if (common->top && (o->raw || o->stacks))
			argp_error(state, "--top counts hits: it cannot be combined with -r or -s");
		if ((o->by != KP_BY_NONE || o->interval > 0) && !o->count && !common->top && !o->hist_field &&
		    !o->latency)
			argp_error(state, "--by and -i go with -c, --hist, --latency or --top");
		if (o->hist_field && (o->count || common->top || o->raw || o->stacks))
			argp_error(state, "--hist makes a histogram: it cannot be combined with -c, --top, -r or -s");
		if (o->linear && !o->hist_field)
			argp_error(state, "--linear goes with --hist");
		if (o->user_count && !o->count && !o->hist_field && !o->latency && !common->top)
			argp_error(state, "--user-count goes with -c, --hist, --latency or --top");
		if (o->exclude_self && !o->count)
			argp_error(state, "--exclude-self goes with -c");
		if (o->count && o->raw)
			argp_error(state, "-c counts hits: it cannot be combined with -r");
		if (o->count && o->stacks && (o->by != KP_BY_NONE || o->interval > 0 || o->user_count))
			argp_error(state, "-c -s counts per stack for the whole run: no --by, -i or --user-count");
		if (o->folded && !(o->count && o->stacks && !common->json))
			argp_error(state, "--folded goes with -c -s (and not -j)");
		if (o->raw && common->json)
			argp_error(state, "-r and -j cannot be used together");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

void kp_def_error(const char *text, int pos, const char *fmt, ...)
{
	/* Show at most this many bytes of the definition either side of the
	 * caret: a 1 MiB definition needs no echo in full. */
	enum { WINDOW = 60 };
	char msg[512], shown[(2 * WINDOW + 2) * 4 + 8];
	size_t n = strlen(text), from, to, len = 0;
	int caret = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos < 0)
		pos = 0;
	if ((size_t)pos > n)
		pos = (int)n;
	from = (size_t)pos > WINDOW ? (size_t)pos - WINDOW : 0;
	to = n - (size_t)pos > WINDOW ? (size_t)pos + WINDOW : n;
	if (from > 0) {
		memcpy(shown, "...", 3);
		len = 3;
	}
	/* The definition is the user's input and may hold anything: escape
	 * what is not printable ASCII as \xHH, and count the caret's column
	 * in the escaped text so that it stays under the same byte. */
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((int)i == pos)
			caret = (int)len;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			shown[len++] = (char)c;
		} else {
			len += (size_t)snprintf(shown + len, sizeof(shown) - len, "\\x%02x", c);
		}
	}
	if ((size_t)pos >= to)
		caret = (int)len;
	if (to < n) {
		memcpy(shown + len, "...", 3);
		len += 3;
	}
	shown[len] = '\0';
	snoop_errx("kprobe", "%s", msg);
	snoop_errx("kprobe", "  %s", shown);
	snoop_errx("kprobe", "  %*s^", caret, "");
}

static int parse_defs(struct kp *kp)
{
	struct kp_opts *o = kp->o;

	for (int i = 0; i < o->ndefs; i++) {
		struct kp_probe *p = &kp->probes[i];
		struct snoop_probe_error err;

		p->kp = kp;
		p->idx = i;
		p->text = o->defs[i];
		p->def = calloc(1, sizeof(*p->def));
		if (!p->def) {
			snoop_errx("kprobe", "out of memory");
			return -1;
		}
		kp->nprobes = i + 1;
		if (snoop_probe_parse(p->text, p->def, &err) < 0) {
			kp_def_error(p->text, err.pos, "bad definition: %s", err.msg);
			return -1;
		}
		if (o->filters[i]) {
			if (p->def->filter[0]) {
				snoop_errx("kprobe", "two filters for one probe: the definition's 'if' and FILTER");
				return -1;
			}
			if (strlen(o->filters[i]) >= sizeof(p->def->filter)) {
				snoop_errx("kprobe", "FILTER longer than %zu bytes", sizeof(p->def->filter) - 1);
				return -1;
			}
			snprintf(p->def->filter, sizeof(p->def->filter), "%s", o->filters[i]);
		}
		/* Binary and symbol: files only, so refused before tracefs
		 * is touched. */
		if (snoop_probe_is_user(p->def) && kp_uprobe_resolve(p) != 0)
			return -1;
		snoop_probe_event_name(p->def, p->event, sizeof(p->event));
		/* Two probes on one function: give the later ones a suffix. */
		for (int k = 0; k < i; k++) {
			if (strcmp(kp->probes[k].event, p->event))
				continue;
			if (p->def->kind == SNOOP_PROBE_TRACEPOINT) {
				snoop_errx("kprobe", "tracepoint %s:%s given twice", p->def->group, p->def->event);
				return -1;
			}
			snprintf(p->event + (strlen(p->event) > SNOOP_PROBE_NAME_MAX - 4 ? SNOOP_PROBE_NAME_MAX - 4
											: strlen(p->event)),
				 5, "_%d", i + 1);
			k = -1; /* check the new name against all again */
		}
	}
	return 0;
}

/* The table's columns and the header line depend on the options: the
 * skeleton's description is filled in here, before the session. */
static int prepare(void *ctx)
{
	struct kp *kp = ctx;
	const struct snoop_opts *c = &kp->a.common;

	if (kp->o->list_binary) {
		int r = kp_uprobe_list(kp->o->list_binary, kp->o->list_glob);

		return r ? r : SNOOP_TOOL_DONE;
	}
	if (parse_defs(kp) < 0)
		return KP_EXIT_USAGE;
	if (kp->o->header && !c->top && !c->json && !kp->o->count && !kp->o->raw)
		kp->tool.header = "COMM                 PID CPU EVENT                FIELDS";
	if (c->top)
		kp_top_columns(kp);
	return 0;
}

static int declare(struct snoop_session *s, void *ctx)
{
	struct kp *kp = ctx;
	int r;

	(void)s;
	r = kp_setup(kp);
	if (r)
		return r;
	if (kp->o->show_format)
		return SNOOP_TOOL_DONE;
	return kp->a.common.top ? kp_top_setup(kp) : 0;
}

static void started(struct snoop_session *s, void *ctx)
{
	struct kp *kp = ctx;

	(void)s;
	if (kp->a.table)
		kp_top_started(kp);
}

static void finish(struct snoop_session *s, void *ctx)
{
	struct kp *kp = ctx;

	if (kp->a.common.verbose)
		snoop_warn(s, "%llu hits", (unsigned long long)kp->hits);
}

static void kp_free(struct kp *kp)
{
	snoop_buf_free(&kp->top_key);
	snoop_buf_free(&kp->top_val);
	for (int i = 0; i < kp->nprobes; i++) {
		free(kp->probes[i].def);
		free(kp->probes[i].fields);
	}
	for (int i = 0; i < kp->npending; i++)
		snoop_buf_free(&kp->pending[i].line);
	free(kp->pending);
	kp_counts_free(&kp->counts);
	kp_counts_free(&kp->hist_prev);
	snoop_hitcount_close(&kp->hitcount[KP_PROFILE_K]);
	snoop_hitcount_close(&kp->hitcount[KP_PROFILE_U]);
	kp_latency_free(kp);
	snoop_ksym_free(kp->ksyms);
	free(kp->filter_functions);
	free(kp->blacklist);
	free(kp);
}

int main(int argc, char **argv)
{
	/* On the heap: 64 probes are ~300 KB, too much for a small stack
	 * (ulimit -s, or -v leaving little room for it). */
	struct kp *kp = calloc(1, sizeof(*kp));
	int ret;

	if (!kp) {
		snoop_errx("kprobe", "out of memory");
		return 1;
	}
	kp->o = &kp->opts;
	kp->last_hit_cpu = -1;
	kp->tool = (struct snoop_tool){
		.name = "kprobe", .args_doc = "DEFINITION [FILTER]\n-l BINARY [GLOB]", .doc = doc,
		.options = options, .parse = parse_opt,
		/* Filled in by kp_top_columns() with --top; -i is also -c's. */
		.top_cols = kp->top_cols, .interval_without_top = true,
		.prepare = prepare, .declare = declare, .started = started, .finish = finish,
	};
	ret = snoop_tool_main(&kp->tool, &kp->a, kp, argc, argv);
	kp_free(kp);
	return ret;
}
