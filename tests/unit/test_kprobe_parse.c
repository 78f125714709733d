// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The probe definition parser (lib/probe_parse.c): a table of definitions
 * and filters, good and bad, with the line the kernel would get or the
 * error message and the column the caret points at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <event-parse.h>
#include <tracefs.h>

#include <snoop/probe_parse.h>

struct parse_case {
	const char *text;
	/* Good: the rendered line (group "g", event from
	 * snoop_probe_event_name), "" for a tracepoint, or "BTF" when an
	 * argument is left for BTF resolution. Bad: NULL. */
	const char *line;
	/* Good: the filter ("" none); bad: a substring of the message. */
	const char *filter_or_err;
	int pos; /* bad: caret column, -1 = not checked */
};

static const struct parse_case cases[] = {
	/* The kernel's syntax, unchanged (perf-tools one-liners). */
	{ "p:myopen do_sys_open", "p:g/myopen do_sys_open", "", 0 },
	{ "p:myopen do_sys_open filename=+0(%si):string", "p:g/myopen do_sys_open filename=+0(%si):string", "", 0 },
	{ "p:kprobes/myopen do_sys_open", "p:g/kprobes_myopen do_sys_open", "", 0 },
	{ "p do_sys_open", "p:g/do_sys_open do_sys_open", "", 0 },
	{ "p:do_sys_open", "p:g/do_sys_open do_sys_open", "", 0 },
	{ "p:do_sys_open filename=+0(%si):string", "p:g/do_sys_open do_sys_open filename=+0(%si):string", "", 0 },
	{ "r:do_sys_open", "r:g/do_sys_open_ret do_sys_open", "", 0 },
	{ "r:do_sys_open ret=$retval", "r:g/do_sys_open_ret do_sys_open ret=$retval", "", 0 },
	{ "r10:myret do_sys_open $retval", "r10:g/myret do_sys_open retval=$retval", "", 0 },
	{ "r:do_sys_open+0", "r:g/do_sys_open_ret do_sys_open", "", 0 },
	{ "p:vfs_read+16", "p:g/vfs_read_10 vfs_read+16", "", 0 },
	{ "p:vfs_read+0x10 cnt=%dx:u64", "p:g/vfs_read_10 vfs_read+16 cnt=%dx:u64", "", 0 },
	{ "p 0xffffffff81000000", "p:g/addr_ffffffff81000000 0xffffffff81000000", "", 0 },
	{ "p:ext4:ext4_file_open", "p:g/ext4_file_open ext4:ext4_file_open", "", 0 },
	{ "p:do_sys_open %di %si", "p:g/do_sys_open do_sys_open di=%di si=%si", "", 0 },
	{ "p:do_sys_open x=%di x2=%di:s32", "p:g/do_sys_open do_sys_open x=%di x2=%di:s32", "", 0 },
	{ "p:do_sys_open %di %di", "p:g/do_sys_open do_sys_open di=%di di_2=%di", "", 0 },
	{ "p:do_sys_open a=$stack2 b=$stack", "p:g/do_sys_open do_sys_open a=$stack2 b=$stack", "", 0 },
	{ "p:do_sys_open c=$comm:string", "p:g/do_sys_open do_sys_open c=$comm:string", "", 0 },
	{ "p:do_sys_open j=@jiffies:u64", "p:g/do_sys_open do_sys_open j=@jiffies:u64", "", 0 },
	{ "p:do_sys_open x=-8(+16(%di)):x32", "p:g/do_sys_open do_sys_open x=-8(+16(%di)):x32", "", 0 },
	{ "p:do_sys_open x=+0(%si):u8[4]", "p:g/do_sys_open do_sys_open x=+0(%si):u8[4]", "", 0 },
	{ "p:do_sys_open x=+0(%si):b3@2/8", "p:g/do_sys_open do_sys_open x=+0(%si):b3@2/8", "", 0 },
	{ "p:do_sys_open x=%si:symbol", "p:g/do_sys_open do_sys_open x=%si:symbol", "", 0 },
	{ "p:do_sys_open x=\\42", "p:g/do_sys_open do_sys_open x=\\42", "", 0 },
	{ "p:cleanup_module.isra.0", "p:g/cleanup_module_isra_0 cleanup_module.isra.0", "", 0 },
	/* Conveniences: argN, retval, strings from registers. */
	{ "p:do_sys_openat2 arg1", "p:g/do_sys_openat2 do_sys_openat2 arg1=$arg1", "", 0 },
	{ "p:do_sys_openat2 dfd=arg1:s32 path=+0(arg2):ustring",
	  "p:g/do_sys_openat2 do_sys_openat2 dfd=$arg1:s32 path=+0($arg2):ustring", "", 0 },
	{ "p:do_sys_openat2 path=arg2:ustring", "p:g/do_sys_openat2 do_sys_openat2 path=+0($arg2):ustring", "", 0 },
	{ "p:do_sys_openat2 path=%si:string", "p:g/do_sys_openat2 do_sys_openat2 path=+0(%si):string", "", 0 },
	{ "r:do_sys_openat2 fd=retval:s64", "r:g/do_sys_openat2_ret do_sys_openat2 fd=$retval:s64", "", 0 },
	{ "r:do_sys_openat2 retval", "r:g/do_sys_openat2_ret do_sys_openat2 retval=$retval", "", 0 },
	{ "p:f x=argv", "BTF", "", 0 },
	{ "p:f x=+8(arg10)", "p:g/f f x=+8($arg10)", "", 0 },
	{ "p:f x=@arg1", "p:g/f f x=@arg1", "", 0 },
	/* BTF names, left for the caller. */
	{ "p:do_sys_openat2 dfd filename:ustring", "BTF", "", 0 },
	{ "p:do_sys_openat2 how->flags", "BTF", "", 0 },
	{ "p:do_sys_openat2 arg3->flags", "BTF", "", 0 },
	{ "r:do_sys_openat2 retval->x", "BTF", "", 0 },
	{ "p:vfs_read file->f_path.dentry->d_name.name:string", "BTF", "", 0 },
	{ "p:f x=a.b", "BTF", "", 0 },
	/* fprobes and tracepoints. */
	{ "f:do_sys_openat2 dfd=$arg1:s32", "f:g/do_sys_openat2 do_sys_openat2 dfd=$arg1:s32", "", 0 },
	{ "f:do_sys_openat2%return $retval", "f:g/do_sys_openat2_ret do_sys_openat2%return retval=$retval", "", 0 },
	{ "f:grp/ev vfs_read", "f:g/grp_ev vfs_read", "", 0 },
	{ "t:sched:sched_process_exec", "", "", 0 },
	{ "t:sched/sched_switch", "", "", 0 },
	{ "t:syscalls:sys_enter_openat if dfd == 1", "", "dfd == 1", 0 },
	/* Filters. */
	{ "p:do_sys_openat2 dfd=arg1:s32 if dfd == -100", "p:g/do_sys_openat2 do_sys_openat2 dfd=$arg1:s32",
	  "dfd == -100", 0 },
	{ "p:f a=%di if a > 1 && comm == \"if x\"", "p:g/f f a=%di", "a > 1 && comm == \"if x\"", 0 },
	{ "p:f c=\\\"ab\" if c == \"x if y\"", "p:g/f f c=\\\"ab\"", "c == \"x if y\"", 0 },
	{ "  p:f   a=%di   ", "p:g/f f a=%di", "", 0 },
	/* Uprobes (the binary and symbol resolved by the caller: here
	 * the test says the symbol is at 0x1000 in the binary as written). */
	{ "u:/bin/true:main", "p:g/main /bin/true:0x1000", "", 0 },
	{ "u:libc:malloc size=arg1:u64", "p:g/malloc libc:0x1000 size=$arg1:u64", "", 0 },
	{ "ur:libc:malloc ret=retval:x64", "r:g/malloc_ret libc:0x1000 ret=$retval:x64", "", 0 },
	{ "ur:libc:malloc+0", "r:g/malloc_ret libc:0x1000", "", 0 },
	{ "u:./prog:f+4", "p:g/f_4 ./prog:0x1004", "", 0 },
	{ "u:prog:greet s=+0(%si):ustring", "p:g/greet prog:0x1000 s=+0(%si):ustring", "", 0 },
	{ "u:prog:greet n=arg1:s32 s=arg2:ustring", "p:g/greet prog:0x1000 n=$arg1:s32 s=+0($arg2):ustring", "", 0 },
	{ "u:libc:memcpy@GLIBC_2.14", "p:g/memcpy_GLIBC_2_14 libc:0x1000", "", 0 },
	{ "u:/opt/x:0x1130", "p:g/addr_1130 /opt/x:0x1130", "", 0 },
	{ "u:libc:malloc if comm == \"x\"", "p:g/malloc libc:0x1000", "comm == \"x\"", 0 },
	{ "p:/bin/bash:readline", "p:g/readline /bin/bash:0x1000", "", 0 },
	{ "r:/bin/bash:readline ret=retval:s64", "r:g/readline_ret /bin/bash:0x1000 ret=$retval:s64", "", 0 },
	{ "p:grp/ev /bin/bash:readline", "p:g/grp_ev /bin/bash:0x1000", "", 0 },
	{ "p /bin/bash:readline+8", "p:g/readline_8 /bin/bash:0x1008", "", 0 },
	{ "u:libc", NULL, "BINARY:SYMBOL[+OFFS]", 2 },
	{ "u:libc:", NULL, "missing the symbol", 7 },
	{ "ur:libc:malloc+4", NULL, "function entry", 14 },
	{ "u:libc:ma$lloc", NULL, "invalid character in symbol name", 9 },
	{ "u:libc:malloc x=$retval", NULL, "only available on return probes", 16 },
	{ "u:libc:f+zz", NULL, "invalid offset", 8 },
	{ "ux:libc:f", NULL, "u:BINARY:SYMBOL", 1 },
	{ "u libc:f", NULL, "u:BINARY:SYMBOL", 1 },
	{ "u:", NULL, "missing the function", 2 },
	{ "r5:/bin/bash:readline", NULL, "no MAXACTIVE", 3 },

	/* Refused before anything reaches the kernel. */
	{ "", NULL, "empty definition", 0 },
	{ "   ", NULL, "empty definition", 3 },
	{ "p:f\nr:g", NULL, "one line", 3 },
	{ "p:f\ta=%di", NULL, "control character", 3 },
	{ "p:f a=\x1b[31m", NULL, "control character", 6 },
	{ "p:f a=\xc3\xa9", NULL, "non-ASCII", 6 },
	{ "-:kprobes/myopen", NULL, "removes events", 0 },
	{ "#p:f", NULL, "comment", 0 },
	{ "x:f", NULL, "starts with p:, r:, f:, t:, u: or ur:", 0 },
	{ "e:grp/ev sched.sched_switch", NULL, "eprobes", 0 },
	{ "pfoo", NULL, "expected ':' or a blank", 1 },
	{ "p:", NULL, "missing the function", 2 },
	{ "p:a/b", NULL, "missing the function", 5 },
	{ "r0:f", NULL, "MAXACTIVE", 1 },
	{ "r5000:f", NULL, "MAXACTIVE", 1 },
	{ "p:9grp/ev f", NULL, "invalid group name", 2 },
	{ "p:grp/e-v f", NULL, "invalid event name", 6 },
	{ "p:grp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa f", NULL, "longer than 63", 6 },
	{ "p:f x=%di:u7", NULL, "unknown type 'u7'", 10 },
	{ "p:f x=%di:u8[0]", NULL, "unknown type", 10 },
	{ "p:f x=%di:u8[65]", NULL, "unknown type", 10 },
	{ "p:f x=%di:b9@0/8", NULL, "unknown type", 10 },
	{ "p:f x=%di:", NULL, "missing or overlong type", 10 },
	{ "p:f x=", NULL, "empty fetch argument", 6 },
	{ "p:f x=+0(%di", NULL, "unbalanced", 4 },
	{ "p:f 1x=%di", NULL, "invalid argument name", 4 },
	{ "p:f common_pid=%di", NULL, "reserved", 4 },
	{ "p:f __comm=%di", NULL, "reserved", 4 },
	{ "p:f a=%di a=%si", NULL, "used twice", 10 },
	{ "p:f a=%di x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, "longer than 63", 12 },
	{ "p:f x=$retval", NULL, "only available on return probes", 6 },
	{ "p:f retval", NULL, "only available on return probes", 4 },
	{ "p:f x=a..b", NULL, "unknown fetch argument", 6 },
	{ "p:f x=a->", NULL, "unknown fetch argument", 6 },
	{ "p:f x=a-b", NULL, "unknown fetch argument", 6 },
	{ "p:f x=12", NULL, "a number is not a fetch argument", 6 },
	{ "r:f+8", NULL, "function entry", 3 },
	{ "f:f+8", NULL, "fprobes take no +OFFS", 3 },
	{ "p:f%return", NULL, "'%return' is for f: probes only", 3 },
	{ "r 0xffffffff81000000", NULL, "only p: probes can be placed at an address", 2 },
	{ "p 0xzz", NULL, "invalid address", 2 },
	{ "p:f+zz", NULL, "invalid offset", 3 },
	{ "p:grp/ev f$", NULL, "invalid character in function name", 10 },
	{ "p:grp/ev 9:f", NULL, "invalid address", 9 },
	{ "t:sched", NULL, "t:SYSTEM:EVENT", 2 },
	{ "t sched:x", NULL, "t:SYSTEM:EVENT", 1 },
	{ "t:sched:sched_switch prev_pid", NULL, "tracepoints take no fetch arguments", 21 },
	{ "t:sch$ed:x", NULL, "invalid tracepoint system name", 2 },
	{ "p:f a=%di if ", NULL, "empty filter", 13 },
};

static void test_table(void **state)
{
	struct snoop_probe_def *d = calloc(1, sizeof(*d));
	struct snoop_probe_error err;
	struct snoop_buf line;
	char event[64];
	int failures = 0;

	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 60);
	snoop_buf_init(&line);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		int r = snoop_probe_parse(c->text, d, &err);
		bool ok = true;

		snoop_buf_reset(&line);
		if (c->line) {
			if (r < 0) {
				ok = false;
				fprintf(stderr, "case %zu '%s': refused: %s (at %d)\n", i, c->text, err.msg, err.pos);
			} else {
				bool btf = false;

				for (int k = 0; k < d->nargs; k++)
					btf |= d->args[k].btf;
				snoop_probe_event_name(d, event, sizeof(event));
				if (btf) {
					ok = !strcmp(c->line, "BTF");
				} else if (d->kind == SNOOP_PROBE_TRACEPOINT) {
					ok = !c->line[0];
				} else {
					if (snoop_probe_is_user(d)) {
						snprintf(d->ufile, sizeof(d->ufile), "%s", d->binary);
						d->uoff = d->has_addr ? d->addr : 0x1000 + d->offset;
						d->uresolved = true;
					}
					snoop_probe_render(d, "g", event, NULL, &line, &err);
					ok = !strcmp(snoop_buf_cstr(&line), c->line);
				}
				ok = ok && !strcmp(d->filter, c->filter_or_err);
				if (!ok)
					fprintf(stderr, "case %zu '%s': got '%s' filter '%s', want '%s' filter '%s'\n", i,
						c->text, btf ? "BTF" : snoop_buf_cstr(&line), d->filter, c->line,
						c->filter_or_err);
			}
		} else {
			ok = r < 0 && strstr(err.msg, c->filter_or_err) && (c->pos < 0 || err.pos == c->pos);
			if (!ok)
				fprintf(stderr, "case %zu '%s': got %s '%s' at %d, want '%s' at %d\n", i, c->text,
					r < 0 ? "error" : "success", r < 0 ? err.msg : "", err.pos, c->filter_or_err,
					c->pos);
		}
		failures += !ok;
	}
	snoop_buf_free(&line);
	free(d);
	assert_int_equal(failures, 0);
}

/*
 * Filters, through what kprobe does before anything is written: the
 * definition parser (for "DEF if FILTER"; a positional FILTER skips it),
 * then libtracefs' verifier against the event's format, on the filter
 * alone and wrapped as kprobe applies it, "(FILTER) && common_pid != PID".
 * The format is what the kernel gives the probe of FILTER_DEF below.
 */
#define FILTER_DEF "p:f dfd=%di:s32 flags=%si:u64 path=+0(%dx):string"

static const char probe_format[] =
	"name: f\nID: 1234\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:s32 dfd;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:u64 flags;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] path;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\tfield:__data_loc char[] __comm;\toffset:36;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"(%lx) dfd=%d flags=%llu path=\\\"%s\\\"\", REC->__probe_ip, REC->dfd, REC->flags, "
	"__get_str(path)\n";

struct filter_case {
	const char *filter;
	bool positional;     /* the FILTER argument, not "DEF if FILTER" */
	/* NULL: accepted; else a substring of the parser's or libtracefs'
	 * message. */
	const char *err;
};

static const struct filter_case filter_cases[] = {
	/* Good. */
	{ "dfd == 1", false, NULL },
	{ "dfd != 1 && flags & 0x40", false, NULL },
	{ "dfd == 1 || dfd == 2", false, NULL },
	{ "(dfd == 1 || dfd == 2) && flags == 0", false, NULL },
	{ "((dfd == 1) && (flags == 2)) || (path == \"x\")", false, NULL },
	{ "!(dfd == 1)", false, NULL },
	{ "path != \"x\" && !(flags & 0x8000)", false, NULL },
	{ "dfd == 0x10 && flags <= 4294967296", false, NULL },
	{ "path == \"/etc/passwd\"", false, NULL },
	{ "path == 'single quoted'", false, NULL },
	{ "path == \"a \\\"quoted\\\" b\"", false, NULL },
	/* " if " inside quotes is not the filter's start. */
	{ "path == \"x if y\"", false, NULL },
	{ "path ~ \"/tmp/x if y*\"", false, NULL },
	/* ~ globs: prefix, suffix, infix, set. */
	{ "path ~ \"/etc/*\"", false, NULL },
	{ "path ~ \"*passwd\"", false, NULL },
	{ "path ~ \"*ss*\"", false, NULL },
	{ "path ~ \"/etc/[ab]*\"", false, NULL },
	{ "__comm ~ \"kp_*\"", false, NULL },
	{ "comm == \"bash\" && common_pid > 1", false, NULL },
	/* A positional FILTER may match a hostile string: the bytes go to the
	 * kernel as a string literal, never to the terminal. */
	{ "path == \"\x1b[31m\"", true, NULL },
	{ "dfd ==\t1", true, NULL },

	/* Bad. */
	{ "(dfd == 1", false, "Not enough closed parenthesis" },
	{ "dfd == 1)", false, "Invalid filter" },
	/* Checked alone first: wrapped in "(...) && common_pid != PID" it
	 * would be balanced, and would escape the pid condition. */
	{ "dfd == 1) || (dfd == 2", false, "Invalid filter" },
	{ "nosuch == 1", false, "field not valid" },
	{ "Dfd == 1", false, "field not valid" },
	{ "dfd", false, "Invalid compare" },
	{ "dfd = 1", false, "Invalid compare" },
	{ "dfd =~ 1", false, "Invalid compare" },
	{ "dfd == 1 &&", false, "Unfinished filter" },
	{ "&& dfd == 1", false, "Invalid filter" },
	{ "dfd == 1 || || dfd == 2", false, "Invalid filter" },
	{ "dfd == 1 &&& dfd == 2", false, "Invalid location" },
	{ "dfd == 1 ; dfd == 2", false, "Invalid field name" },
	{ "path < \"x\"", false, "Invalid filter" },
	{ "dfd > ", false, "Invalid value" },
	/* libtracefs 1.6.4 refuses every negative number, which the kernel
	 * takes for signed fields: kprobe cannot filter on dfd == -100
	 * (AT_FDCWD) until libsnoop's filter check stops relying on it. */
	{ "dfd == -100", false, "Invalid value" },
	/* Nor does it know the kernel's comm glob. */
	{ "comm ~ \"sh*\"", false, "Invalid filter" },
	/* Control bytes and a second line, in the definition: the parser. */
	{ "dfd == 1\ndfd == 2", false, "one line" },
	{ "dfd == 1\r", false, "one line" },
	{ "path == \"\x1b[2J\"", false, "control character" },
	{ "dfd ==\t1", false, "control character" },
	{ "path == \"\x7f\"", false, "control character" },
	{ "path == \"caf\xc3\xa9\"", false, "non-ASCII" },
	/* ... and as FILTER: libtracefs (libsnoop refuses newlines itself). */
	{ "dfd == 1\ndfd == 2", true, "Invalid filter" },
	{ "", false, "empty filter" },
	{ "   ", false, "empty filter" },
};

static struct tep_event *probe_event(struct tep_handle **tep)
{
	struct tep_event *ev = NULL;

	*tep = tep_alloc();
	assert_non_null(*tep);
	assert_int_equal(tep_parse_format(*tep, &ev, probe_format, strlen(probe_format), "snoop_1"), 0);
	assert_non_null(ev);
	return ev;
}

static void test_filters(void **state)
{
	struct snoop_probe_def *d = calloc(1, sizeof(*d));
	struct snoop_probe_error perr;
	struct tep_handle *tep;
	struct tep_event *ev = probe_event(&tep);
	char text[SNOOP_PROBE_DEF_MAX + 256], wrapped[SNOOP_PROBE_DEF_MAX + 64];
	int failures = 0;

	(void)state;
	assert_true(sizeof(filter_cases) / sizeof(filter_cases[0]) >= 40);
	for (size_t i = 0; i < sizeof(filter_cases) / sizeof(filter_cases[0]); i++) {
		const struct filter_case *c = &filter_cases[i];
		const char *filter = c->filter, *msg = NULL;
		char *terr = NULL;
		bool ok;

		if (!c->positional) {
			snprintf(text, sizeof(text), "%s if %s", FILTER_DEF, c->filter);
			if (snoop_probe_parse(text, d, &perr) < 0) {
				msg = perr.msg;
			} else {
				/* The definition part is intact. */
				assert_int_equal(d->nargs, 3);
				filter = d->filter;
				if (strcmp(filter, c->filter)) {
					fprintf(stderr, "filter case %zu: parsed filter '%s', given '%s'\n", i, filter,
						c->filter);
					failures++;
					continue;
				}
			}
		}
		if (!msg && tracefs_filter_string_verify(ev, filter, &terr) < 0)
			msg = terr ? terr : "(no message)";
		if (!msg) {
			/* What kprobe applies: its own pid left out. */
			snprintf(wrapped, sizeof(wrapped), "(%s) && common_pid != 4242", filter);
			if (tracefs_filter_string_verify(ev, wrapped, &terr) < 0)
				msg = terr ? terr : "(no message)";
		}
		ok = c->err ? msg && strstr(msg, c->err) : !msg;
		if (!ok) {
			fprintf(stderr, "filter case %zu %s: got %s%s, want %s\n", i, c->positional ? "(FILTER)" : "(if)",
				msg ? "refusal: " : "accepted", msg ? msg : "", c->err ? c->err : "accepted");
			failures++;
		}
		free(terr);
	}
	/* Overlong: the whole definition is limited to 4096 bytes. */
	{
		size_t room = sizeof(text) - 1;

		memset(text, 0, sizeof(text));
		snprintf(text, sizeof(text), "%s if path == \"", FILTER_DEF);
		memset(text + strlen(text), 'a', room - strlen(text) - 1);
		text[room - 1] = '"';
		assert_true(strlen(text) > SNOOP_PROBE_DEF_MAX);
		assert_int_equal(snoop_probe_parse(text, d, &perr), -1);
		assert_non_null(strstr(perr.msg, "longer than 4096"));
		/* Just within the limit, it parses and keeps the whole filter. */
		text[SNOOP_PROBE_DEF_MAX - 1] = '"';
		text[SNOOP_PROBE_DEF_MAX] = '\0';
		assert_int_equal(snoop_probe_parse(text, d, &perr), 0);
		assert_int_equal(strlen(d->filter), SNOOP_PROBE_DEF_MAX - strlen(FILTER_DEF " if "));
	}
	tep_free(tep);
	free(d);
	assert_int_equal(failures, 0);
}

/* Names the caller gets back: the perf-tools "p:FUNC IDENT" ambiguity is
 * flagged, BTF args carry their expression and a derived name. */
static void test_details(void **state)
{
	struct snoop_probe_def *d = calloc(1, sizeof(*d));
	struct snoop_probe_error err;

	(void)state;
	assert_int_equal(snoop_probe_parse("p:do_sys_openat2 dfd filename:ustring how->flags", d, &err), 0);
	assert_true(d->ambiguous);
	assert_int_equal(d->name_pos, 2);
	assert_string_equal(d->event, "do_sys_openat2");
	assert_string_equal(d->func, "dfd");
	assert_int_equal(snoop_probe_parse("p do_sys_openat2 dfd filename:ustring how->flags", d, &err), 0);
	assert_false(d->ambiguous);
	assert_int_equal(d->nargs, 3);
	assert_string_equal(d->args[2].name, "how_flags");
	assert_string_equal(d->args[2].fetch, "how->flags");
	assert_true(d->args[2].btf);
	assert_string_equal(d->args[1].type, "ustring");
	assert_int_equal(d->args[2].pos, 38);
	assert_int_equal(snoop_probe_parse("p:do_sys_open how->flags", d, &err), 0);
	assert_false(d->ambiguous);
	assert_string_equal(d->func, "do_sys_open");
	/* A long derived name stays within the kernel's limit. */
	assert_int_equal(snoop_probe_parse("p:grp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
					   "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb f", d, &err), 0);
	{
		char ev[80];

		snoop_probe_event_name(d, ev, sizeof(ev));
		assert_true(strlen(ev) <= SNOOP_PROBE_NAME_MAX);
	}
	/* The 4096-byte limit. */
	{
		char *big = malloc(SNOOP_PROBE_DEF_MAX + 10);

		memset(big, 'a', SNOOP_PROBE_DEF_MAX + 9);
		big[0] = 'p';
		big[1] = ' ';
		big[SNOOP_PROBE_DEF_MAX + 9] = '\0';
		assert_int_equal(snoop_probe_parse(big, d, &err), -1);
		assert_non_null(strstr(err.msg, "longer than"));
		free(big);
	}
	free(d);
}

static void test_types(void **state)
{
	static const char *const good[] = { "u8", "s64", "x32", "string", "ustring", "symbol", "symstr",
					    "char", "b1@0/8", "b32@32/64", "u32[64]", "%pd", NULL };
	static const char *const bad[] = { "u", "u128", "str", "b0@0/8", "b8@1/8", "b1@0/7", "u32[", "u32[1]x",
					   "x64[-1]", "", NULL };

	(void)state;
	for (int i = 0; good[i]; i++)
		assert_true(snoop_probe_type_ok(good[i]));
	for (int i = 0; bad[i]; i++)
		assert_false(snoop_probe_type_ok(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
