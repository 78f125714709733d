// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the tools' record formatters fed random records, linked
 * as they are (tools/kprobe/format.c, tools/opensnoop/format.c with
 * flags.c, tools/execsnoop/format.c); the few functions of the rest of
 * each tool they call are stubbed below.
 *
 * Byte 0 picks the tool and the output options (JSON or text, -r, -t/-T,
 * -e/-U/-q, --max-args), the rest is the record:
 *  - kprobe: a random payload for an event parsed from a kprobe format with
 *    string, char, signed, hex and array fields and the hidden __comm,
 *    through kp_on_hit() (field offsets and __data_loc words are the
 *    fuzzer's: the accessors must stay inside the record);
 *  - opensnoop: an open (path, comm, flags, mode, dfd, result or no exit,
 *    syscall or none, path status, -F's kernel path, and what the task
 *    cache knows of the TID) through opensnoop_emit();
 *  - execsnoop: an exec (file name, arguments with their states, result)
 *    through execsnoop_emit().
 * Every output must be safe for a terminal (valid UTF-8, no raw control or
 * steering code point), and in JSON mode every line one valid JSON object.
 * PIDs are forced to one that does not exist, so the /proc look-ups the
 * formatters make fail the same way every run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "../../lib/internal.h"
#include "kprobe_common.h"
#include "../../tools/execsnoop/execsnoop.h"
#include "../../tools/kprobe/kprobe.h"
#include "../../tools/opensnoop/opensnoop.h"
#include "check.h"

#define NO_PID 2147483000

/* ---- stubs for the rest of the tools ------------------------------------ */

void kp_top_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm, size_t commlen)
{
	(void)kp, (void)p, (void)r, (void)comm, (void)commlen;
	abort(); /* --top is not set here */
}


long opensnoop_uid(struct opensnoop *x, pid_t tid, pid_t tgid)
{
	(void)x, (void)tgid;
	return tid & 1 ? -1 : 0;
}


void opensnoop_top_add(struct opensnoop *x, const struct open_event *ev, pid_t tgid, const char *base)
{
	(void)x, (void)ev, (void)tgid, (void)base;
	abort();
}

pid_t execsnoop_ppid(struct execsnoop *x, pid_t pid)
{
	(void)x;
	return pid / 2;
}

void execsnoop_top_add(struct execsnoop *x, const struct exec_entry *e, int nargs, pid_t pid, pid_t ppid, long ret)
{
	(void)x, (void)e, (void)nargs, (void)pid, (void)ppid, (void)ret;
	abort();
}

/* The count, histogram and latency modes (-c, --hist, --latency, -s) are
 * not set here: their entry points are never reached. */
void kp_latency_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		    size_t commlen)
{
	(void)kp, (void)p, (void)r, (void)comm, (void)commlen;
	abort();
}

void kp_histogram_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		      size_t commlen)
{
	(void)kp, (void)p, (void)r, (void)comm, (void)commlen;
	abort();
}

int kp_counts_add(struct kp_counts *t, int probe, pid_t pid, const char *comm, size_t commlen, int64_t bucket,
		  uint64_t n)
{
	(void)t, (void)probe, (void)pid, (void)comm, (void)commlen, (void)bucket, (void)n;
	abort();
}

int kp_hist_collect(struct kp *kp)
{
	(void)kp;
	abort();
}

int kp_nhit_collect(struct kp *kp)
{
	(void)kp;
	abort();
}

void kp_stacks_print(struct kp *kp)
{
	(void)kp;
	abort();
}

void kp_histogram_print(struct kp *kp, bool final)
{
	(void)kp, (void)final;
	abort();
}

void kp_counts_clear(struct kp_counts *t)
{
	(void)t;
}


char *execsnoop_dup(struct execsnoop *x, const char *p, size_t n)
{
	(void)x;
	return strndup(p, n);
}

/* Only for lines held for a proof, which the kprobe path never holds. */
void execsnoop_entry_wire(struct execsnoop *x, struct exec_entry *e)
{
	(void)x, (void)e;
	abort();
}

void execsnoop_entry_clear(struct execsnoop *x, struct exec_entry *e)
{
	(void)x, (void)e;
	abort();
}

/* ---- input ---------------------------------------------------------------- */

struct in {
	const uint8_t *d;
	size_t n;
};

static uint64_t take(struct in *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes && in->n; i++, in->d++, in->n--)
		v |= (uint64_t)in->d[0] << (8 * i);
	return v;
}

/* A string of up to max bytes: a length byte, then the bytes. */
static size_t take_str(struct in *in, char *dst, size_t max)
{
	size_t l = (size_t)take(in, 1);

	if (l > max)
		l = max;
	if (l > in->n)
		l = in->n;
	memcpy(dst, in->d, l);
	in->d += l;
	in->n -= l;
	return l;
}

static struct snoop_session *session(uint8_t mode)
{
	struct snoop_session *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	snprintf(s->tool, sizeof(s->tool), "fuzz");
	s->opts.json = mode & 1;
	s->opts.time_rel = (mode >> 1 & 3) == 1;
	s->opts.time_wall = (mode >> 1 & 3) == 2;
	s->tracing_on_fd = s->tick_fd = -1;
	s->sig_pipe[0] = s->sig_pipe[1] = -1;
	s->start_mono_ns = 1000000000ull;
	s->start_real_ns = 1700000000000000000ull;
	snoop_buf_init(&s->out);
	return s;
}

static void check_out(struct snoop_session *s)
{
	if (s->opts.json)
		check_json_lines(s->out.data, s->out.len);
	else
		check_terminal_safe(s->out.data, s->out.len, true);
	if (s->out.len && s->out.data[s->out.len - 1] != '\n')
		abort(); /* every record ends its line */
}

static void done(struct snoop_session *s)
{
	snoop_buf_free(&s->out);
	if (s->tep)
		tep_free(s->tep);
	free(s);
}

/* ---- kprobe ------------------------------------------------------------------ */

static const char kp_format[] =
	KPROBE_FORMAT_HEAD("open", "2002")
	"\tfield:__data_loc char[] path;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\tfield:u64 fl;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:char c;\toffset:32;\tsize:1;\tsigned:1;\n"
	"\tfield:u8 arr[4];\toffset:33;\tsize:4;\tsigned:0;\n"
	"\tfield:s16 sh;\toffset:38;\tsize:2;\tsigned:1;\n"
	"\tfield:char name[8];\toffset:40;\tsize:8;\tsigned:1;\n"
	"\tfield:__data_loc char[] __comm;\toffset:48;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"(%lx) dfd=%d path=\\\"%s\\\" fl=0x%Lx c=%c arr={%u,%u,%u,%u} sh=%d name=%s __comm=\\\"%s\\\"\", "
	"REC->__probe_ip, REC->dfd, __get_str(path), REC->fl, REC->c, REC->arr[0], REC->arr[1], REC->arr[2], "
	"REC->arr[3], REC->sh, REC->name, __get_str(__comm)\n";

/* The fixed part of kp_format: every record of the event has it. */
#define KP_FIXED 52

/* A __data_loc word as the kernel writes it: offset and length inside the
 * record, at least the terminating NUL. */
static void well_formed_dataloc(uint8_t *rec, size_t size, int at)
{
	uint32_t v, o, l;

	memcpy(&v, rec + at, 4);
	o = v & 0xffff;
	l = v >> 16;
	if (o < KP_FIXED || o >= size)
		o = KP_FIXED < size ? KP_FIXED : (uint32_t)size;
	if (o >= size) {
		v = (uint32_t)size; /* length 0 at the end: the fault case */
		memcpy(rec + at, &v, 4);
		return;
	}
	if (l == 0 || o + l > size)
		l = (uint32_t)size - o;
	rec[o + l - 1] = '\0';
	v = (l << 16) | o;
	memcpy(rec + at, &v, 4);
}

static const char kp_def[] = "p:do_sys_openat2 dfd=%di:s32 path=+0(%si):ustring fl=%dx:x64 c=+0(%si):char "
			     "arr=+0(%si):u8[4] sh=%cx:s16 name=+0(%si):string";

static void fuzz_kprobe(uint8_t mode, struct in *in)
{
	static struct snoop_probe_def def;
	static bool def_ok;
	struct snoop_session *s = session(mode);
	struct kp_opts o = { 0 };
	struct kp kp = { 0 };
	struct kp_probe p = { 0 };
	struct snoop_event ev = { 0 };
	struct snoop_record r = { 0 };
	struct snoop_probe_error err;
	uint8_t *rec;
	size_t size;

	if (!def_ok) {
		if (snoop_probe_parse(kp_def, &def, &err) != 0)
			abort();
		def_ok = true;
	}
	s->tep = tep_alloc();
	tep_set_long_size(s->tep, 8);
	tep_set_page_size(s->tep, 4096);
	if (tep_parse_event(s->tep, kp_format, strlen(kp_format), "snoop_1") != 0)
		abort();
	ev.s = s;
	ev.tep_ev = tep_find_event_by_name(s->tep, "snoop_1", "open");
	if (!ev.tep_ev)
		abort();
	snprintf(ev.system, sizeof(ev.system), "snoop_1");
	snprintf(ev.name, sizeof(ev.name), "open");
	kp.a.common = s->opts;
	kp.a.s = s;
	o.raw = !kp.a.common.json && (mode & 8);
	kp.o = &o;
	/* kp.tasks stays NULL: COMM is the record's __comm, as with $comm. */
	p.kp = &kp;
	p.text = kp_def;
	p.def = &def;
	p.ev = &ev;
	snprintf(p.event, sizeof(p.event), "open");
	kp_fields_prepare(&p);

	/* The record: exactly the remaining bytes (ASan sees any overread):
	 * libsnoop's accessors check every offset against the size. -r hands
	 * the record to libtraceevent's tep_print_event(), which trusts the
	 * kernel's shape (the fixed part there, __data_loc words inside the
	 * record, strings NUL-terminated): for -r the record is made that
	 * well-formed, its content stays random. */
	size = in->n;
	if (o.raw && size < KP_FIXED)
		size = KP_FIXED;
	rec = calloc(1, size + 1);
	if (!rec)
		abort();
	memcpy(rec, in->d, in->n < size ? in->n : size);
	if (o.raw) {
		for (int i = 0; i < 2; i++)
			well_formed_dataloc(rec, size, i ? 48 : 20);
		rec[size] = '\0';
		size++;
	}
	if (size >= 8) {
		int32_t pid = NO_PID;

		memcpy(rec + 4, &pid, 4);
	}
	r.ev = &ev;
	r.data = rec;
	r.size = (int)size;
	r.cpu = mode >> 4;
	r.pid = NO_PID;
	r.ts = 1000000000ull + (size * 7919ull);
	kp_on_hit(s, &r, &p);
	check_out(s);
	free(rec);
	free(p.fields);
	done(s);
}

/* ---- opensnoop ----------------------------------------------------------- */

static void fuzz_opensnoop(uint8_t mode, struct in *in)
{
	static const char *const sys[] = { "open", "creat", "openat", "openat2" };
	struct snoop_session *s = session(mode);
	struct opensnoop_opts o = { 0 };
	struct opensnoop x = { 0 };
	struct snoop_tasks *tasks;
	uint8_t st;
	struct open_entry e = { 0 };
	struct open_event ev = { 0 };
	char path[4097];
	size_t n;

	x.a.common = s->opts;
	x.a.s = s;
	o.extended = mode & 8;
	o.show_uid = mode & 16;
	o.full_path = mode & 32;
	x.o = &o;
	x.s = s;
	x.kprobes = true;
	/* The task cache reads neither /proc nor tracefs here: what it knows
	 * is what the fuzzer notes in it (or nothing, comm and TGID unknown). */
	tasks = snoop_tasks_new(16, NULL, NULL);
	if (!tasks)
		abort();
	x.tasks = tasks;
	e.slot.tid = NO_PID;
	e.entered = true;
	e.dfd = (int)(int32_t)take(in, 4);
	e.flags = take(in, 4);
	e.mode = take(in, 2) & 07777;
	e.flags_known = !(mode & 64);
	/* path status; bit 2: the exit was not seen; bit 3: only the kprobe
	 * was (no syscall name); bit 4: -F's kernel path is the path */
	st = (uint8_t)take(in, 1);
	e.pstatus = (enum path_status)(st % 4);
	n = take_str(in, e.comm, 15);
	e.comm[n] = '\0';
	if (take(in, 1) & 1) {
		/* The task as the kernel's records named it (a TGID beside the
		 * TID; a comm the line takes when the record has none). */
		char tc[16];

		n = take_str(in, tc, 15);
		snoop_tasks_note(tasks, NO_PID, NO_PID - 1 - (pid_t)(take(in, 1) & 1), tc, n);
	}
	/* the path: the rest (a kernel string holds no NUL: stop at one) */
	n = in->n > 4096 ? 4096 : in->n;
	memcpy(path, in->d, n);
	path[n] = '\0';
	n = strlen(path);
	if (e.pstatus == PATH_OK) {
		e.path = path;
		e.pathlen = n;
		if (st & 16) {
			e.kpath = path;
			e.kpathlen = n;
		}
	}
	ev.ts = 2000000000ull;
	ev.tid = NO_PID;
	ev.syscall = st & 8 ? NULL : sys[mode >> 7 ? 3 : (n % 3)];
	ev.exited = !(st & 4);
	ev.ret = (long)(int32_t)(n * 2654435761u);
	ev.e = &e;
	opensnoop_print_header(&x);
	opensnoop_emit(&x, &ev);
	check_out(s);
	snoop_tasks_free(tasks);
	done(s);
}

/* ---- execsnoop ----------------------------------------------------------- */

static void fuzz_execsnoop(uint8_t mode, struct in *in)
{
	struct snoop_session *s = session(mode);
	struct execsnoop_opts o = { .header = true };
	struct execsnoop x = { 0 };
	struct exec_entry e = { 0 };
	struct snoop_record r = { 0 };
	char fname[256];
	size_t n;
	long ret;

	x.a.common = s->opts;
	o.quote = mode & 8;
	o.show_uid = mode & 16;
	o.max_args = 1 + (int)(take(in, 1) % EXECSNOOP_MAX_ARGS);
	x.o = &o;
	x.s = s;
	x.kprobes = true;
	x.uid_off = -1;
	e.argv = calloc((size_t)o.max_args + 1, sizeof(*e.argv));
	e.arglen = calloc((size_t)o.max_args + 1, sizeof(*e.arglen));
	e.argstate = calloc((size_t)o.max_args + 1, 1);
	if (!e.argv || !e.arglen || !e.argstate)
		abort();
	e.tid = NO_PID;
	/* What the entry records gave: probe 0 (the file name and argv's
	 * pointers, so the argument count), the commit_creds probe (the
	 * kernel's name and the UID), execveat's dfd; or nothing at all. */
	e.seen = !(mode & 32);
	e.have_ptrs = e.seen && (take(in, 1) & 1);
	e.is_at = mode & 2;
	e.have_dfd = e.is_at;
	e.dfd = (int)(int8_t)take(in, 1);
	e.argc = (int)(take(in, 1) % (o.max_args + 8));
	if (take(in, 1) & 1) {
		e.have_creds = true;
		n = take_str(in, e.comm, 15);
		e.comm[n] = '\0';
		e.have_uid = take(in, 1) & 1;
		e.uid = (long)take(in, 2);
	}
	ret = (mode & 64) ? -(long)(take(in, 1) % 140) : 0;
	if (take(in, 1) & 1) {
		n = take_str(in, fname, sizeof(fname) - 1);
		fname[n] = '\0';
		e.filename = strdup(fname);
	}
	for (int i = 0; i <= o.max_args && in->n; i++) {
		uint8_t st = (uint8_t)take(in, 1);

		e.argstate[i] = st % 5 == 4 ? ARG_MISSING : st % 7 == 1 ? ARG_FAULT : ARG_OK;
		if (e.argstate[i] == ARG_OK) {
			char a[256];

			n = take_str(in, a, sizeof(a));
			e.argv[i] = malloc(n + 1);
			if (!e.argv[i])
				abort();
			memcpy(e.argv[i], a, n);
			e.argv[i][n] = '\0';
			e.arglen[i] = n;
		}
	}
	r.pid = NO_PID;
	r.ts = 3000000000ull;
	execsnoop_print_header(s, &x);
	execsnoop_emit(&x, &r, &e, ret);
	check_out(s);
	for (int i = 0; i <= o.max_args; i++)
		free(e.argv[i]);
	free(e.argv);
	free(e.arglen);
	free(e.argstate);
	free(e.filename);
	done(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data + 2, size - 2 };

	if (size < 2)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_kprobe(data[1], &in);
		break;
	case 1:
		fuzz_opensnoop(data[1], &in);
		break;
	default:
		fuzz_execsnoop(data[1], &in);
		break;
	}
	return 0;
}
