// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The life of a trace session: open (tracefs, sweep, private instance),
 * declare events, start, run, close. See include/snoop/session.h for the
 * order and the error convention.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/sweep.h>
#include <snoop/task.h>

#include "internal.h"
#include "reaper.h"

uint64_t snoop_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void vmsg(const char *tool, const char *level, const char *fmt, va_list ap)
{
	char line[2048], out[2048 * 4 + 2];
	size_t o = 0;
	int n = 0;

	/* Build the whole line first: one write(), so that lines from several
	 * tools sharing a terminal do not interleave. */
	n += snprintf(line, sizeof(line), "%s: %s", tool, level);
	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	/*
	 * A message may quote kernel text or user input that libtracefs echoes
	 * back (a filter): no control byte may reach the terminal. C0 controls
	 * and DEL become blanks (keeps columns, e.g. a caret line, aligned);
	 * bytes >= 0x80 become \xHH, since a lone 0x9b is an 8-bit CSI to some
	 * terminals. Messages of our own are ASCII.
	 */
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f) {
			out[o++] = ' ';
		} else if (c >= 0x80) {
			static const char hex[] = "0123456789abcdef";

			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '\n';
	if (write(STDERR_FILENO, out, o) < 0) {
	}
}

void snoop_errx(const char *tool, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(tool, "", fmt, ap);
	va_end(ap);
}

void snoop_err(struct snoop_session *s, const char *fmt, ...)
{
	va_list ap;

	if (s)
		s->failed = true;
	va_start(ap, fmt);
	vmsg(s ? s->tool : "snoopkit", "", fmt, ap);
	va_end(ap);
}

void snoop_session_fail(struct snoop_session *s, const char *fmt, ...)
{
	va_list ap;

	s->failed = true;
	s->stopping = true;
	va_start(ap, fmt);
	vmsg(s->tool, "", fmt, ap);
	va_end(ap);
}

void snoop_warn(struct snoop_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(s ? s->tool : "snoopkit", "", fmt, ap);
	va_end(ap);
}

/* ---- open ------------------------------------------------------------ */

static int load_header(struct snoop_session *s)
{
	char path[512];
	size_t len;
	char *buf;

	s->tep = tep_alloc();
	if (!s->tep)
		return -1;
	tep_set_long_size(s->tep, (int)sizeof(long));
	tep_set_page_size(s->tep, getpagesize());
	tep_set_file_bigendian(s->tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(s->tep, TEP_LITTLE_ENDIAN);
	snprintf(path, sizeof(path), "%s/events/header_page", s->tracing_dir);
	buf = snoop_read_file(path, &len);
	if (buf) {
		tep_parse_header_page(s->tep, buf, len, (int)sizeof(long));
		free(buf);
	}
	return 0;
}

/* A token no other PID namespace produces for the same PID: random. */
static void make_names(struct snoop_session *s)
{
	uint32_t token = 0;
	char word[24];
	size_t i;

	if (getrandom(&token, sizeof(token), GRND_NONBLOCK) != sizeof(token))
		token = (uint32_t)snoop_now_ns(CLOCK_MONOTONIC) ^ ((uint32_t)getpid() << 16) ^ (uint32_t)(uintptr_t)s;
	snprintf(s->sid, sizeof(s->sid), "%08x_%d", token, (int)getpid());
	/* The tool's word in the name: the grammar's letters and '-' only. */
	for (i = 0; i < sizeof(word) - 1 && s->tool[i]; i++)
		word[i] = (s->tool[i] >= 'a' && s->tool[i] <= 'z') ? s->tool[i]
			  : (s->tool[i] >= 'A' && s->tool[i] <= 'Z') ? (char)(s->tool[i] - 'A' + 'a') : '-';
	word[i] = '\0';
	snprintf(s->instance_name, sizeof(s->instance_name), "snoop_%s_%s", i ? word : "tool", s->sid);
	snprintf(s->group, sizeof(s->group), "snoop_%s", s->sid);
	snprintf(s->instance_dir, sizeof(s->instance_dir), "%s/instances/%s", s->tracing_dir,
		 s->instance_name);
}

/*
 * mkdir, not tracefs_instance_create: that one silently reuses an existing
 * instance, and an existing one is not ours to touch. Then at once a file
 * of it is opened and held to the end: a sweep's rmdir fails with EBUSY
 * from then on. Between the two, another start's sweep may take it for
 * dead and remove it: then a new name, and again. The open then fails with
 * ENOENT once the instance is gone, or ENODEV while tracefs is removing it
 * (seen with execsnoop and opensnoop started at the same moment in a guest).
 */
static int create_instance(struct snoop_session *s)
{
	char path[1024];

	for (int tries = 0; tries < 8; tries++) {
		make_names(s);
		if (mkdir(s->instance_dir, 0750) < 0) {
			if (errno == EEXIST)
				continue;
			snoop_err(s, "cannot create instance %s: %s", s->instance_dir, strerror(errno));
			return -1;
		}
		s->instance_created = true;
		snprintf(path, sizeof(path), "%s/tracing_on", s->instance_dir);
		s->live_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->live_fd >= 0)
			return 0;
		s->instance_created = false;
		/* Gone under us: ENOENT, or ENODEV when the open came while
		 * the rmdir was taking the directory's files away (two
		 * sessions starting at once, seen on 6.12 and 6.18). */
		if (errno != ENOENT && errno != ENODEV) {
			snoop_err(s, "cannot open %s: %s", path, strerror(errno));
			rmdir(s->instance_dir);
			return -1;
		}
	}
	snoop_err(s, "cannot create an instance of a new name in %s/instances (taken or removed each time)",
		  s->tracing_dir);
	return -1;
}

/*
 * Nobody else may turn our instance off: a sweep never does, but a user or
 * another tool can write 0 to its tracing_on. Then nothing more would be
 * recorded while the tool looks alive, so it says so and ends. (It cannot
 * be removed under us while live_fd is open.) One pread per wake-up.
 */
static bool instance_intact(struct snoop_session *s)
{
	char v[4];
	ssize_t n;

	if (s->live_fd < 0 || s->stopping || snoop_signals_pending())
		return true;
	n = pread(s->live_fd, v, sizeof(v), 0);
	if (n > 0 && v[0] == '1')
		return true;
	if (snoop_signals_pending() || s->stopping)
		return true; /* our own handler turned it off */
	if (n > 0)
		snoop_err(s, "instance %s was turned off by someone else (tracing_on is 0): stopping, what it "
			  "records from now on would be nothing", s->instance_name);
	else
		snoop_err(s, "instance %s is gone or unreadable (%s): stopping", s->instance_name,
			  n < 0 ? strerror(errno) : "empty read");
	return false;
}

/*
 * A closed stdout would hand its number to the first file opened next,
 * a tracefs file among them, and the output would be written into it: a
 * closed stdout is an output error said at once, before tracefs is
 * touched. A closed stdin or stderr gets /dev/null for the same reason.
 */
static int std_fds_check(const char *tool)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nul;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		nul = open("/dev/null", O_RDWR);
		if (nul >= 0 && nul != fd) {
			dup2(nul, fd);
			close(nul);
		}
		if (fd == STDOUT_FILENO) {
			snoop_errx(tool, "cannot write the output: standard output is closed (EBADF)");
			return -1;
		}
	}
	return 0;
}

struct snoop_session *snoop_session_open(const char *tool, const struct snoop_opts *opts)
{
	struct snoop_session *s = calloc(1, sizeof(*s));
	struct snoop_sweep_report rep;
	char err[256];

	if (!s) {
		snoop_errx(tool, "out of memory");
		return NULL;
	}
	if (std_fds_check(tool) < 0) {
		free(s);
		return NULL;
	}
	snprintf(s->tool, sizeof(s->tool), "%s", tool);
	if (opts)
		s->opts = *opts;
	s->common_filters = SNOOP_FILTER_PID | SNOOP_FILTER_COMM;
	s->tracing_on_fd = -1;
	s->live_fd = -1;
	s->reaper_fd = -1;
	s->sig_pipe[0] = s->sig_pipe[1] = -1;
	s->tick_fd = -1;
	s->newtask_id = -1;
	s->max_events = s->opts.max_events;
	snoop_buf_init(&s->out);

	/* Signals end the session from here on, even during set-up. */
	if (pipe2(s->sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0 || snoop_signals_install(s) < 0) {
		snoop_err(s, "cannot set up signal handling: %s", strerror(errno));
		goto fail;
	}

	s->tracing_dir = snoop_tracefs_find(err, sizeof(err));
	if (!s->tracing_dir) {
		snoop_err(s, "%s", err);
		goto fail;
	}
	snoop_features_probe(s->tracing_dir, &s->features);

	/* What a reaper could not remove (it was killed too) goes here. */
	if (snoop_sweep(s->tracing_dir, SNOOP_SWEEP_DEAD, NULL, s->opts.verbose > 0, &rep) < 0 &&
	    rep.failures)
		snoop_warn(s, "some leftovers of dead snoopkit sessions could not be removed (see above)");
	else if (rep.read_errno)
		snoop_warn(s, "cannot look for leftovers of dead snoopkit sessions: %s", strerror(rep.read_errno));
	else if (rep.instances_removed + rep.events_removed && s->opts.verbose)
		snoop_warn(s, "removed %d instance(s) and %d event(s) left by dead sessions",
			   rep.instances_removed, rep.events_removed);

	if (create_instance(s) < 0)
		goto fail;
	s->reaper_fd = snoop_reaper_start(s->tracing_dir, s->instance_name, s->sid, s->tool);
	if (s->reaper_fd < 0)
		snoop_warn(s, "cannot start the reaper (%s): if killed, this session's leftovers stay until the "
			   "next start or snoop-reset", strerror(-s->reaper_fd));
	s->instance = tracefs_instance_alloc(s->tracing_dir, s->instance_name);
	if (!s->instance || load_header(s) < 0) {
		snoop_err(s, "out of memory");
		goto fail;
	}
	return s;
fail:
	snoop_session_close(s);
	return NULL;
}

void snoop_session_ring_default(struct snoop_session *s, unsigned int kb)
{
	s->ring_default_kb = kb;
}

/* The per-CPU ring size to write at start, 0 for none: -b as given, else
 * the tool's default spread within SNOOP_RING_TOTAL_KB, if that is more
 * than the instance has (a kernel booted with a bigger trace_buf_size
 * keeps its own). */
static unsigned int ring_size_kb(struct snoop_session *s)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int kb = s->ring_default_kb;
	char path[1024];
	long have = 0;
	char *v;

	if (s->opts.buffer_kb)
		return s->opts.buffer_kb;
	if (!kb)
		return 0;
	if (ncpu > 0 && kb > SNOOP_RING_TOTAL_KB / (unsigned long)ncpu)
		kb = SNOOP_RING_TOTAL_KB / (unsigned int)ncpu;
	snprintf(path, sizeof(path), "%s/buffer_size_kb", s->instance_dir);
	v = snoop_read_file(path, NULL);
	if (v) {
		have = strtol(v, NULL, 10);
		free(v);
	}
	return have > 0 && (unsigned long)have >= kb ? 0 : kb;
}

void snoop_session_common_filters(struct snoop_session *s, unsigned int mask)
{
	s->common_filters = mask;
}

/* ---- events ---------------------------------------------------------- */

static bool name_ok(const char *n)
{
	if (!*n || strlen(n) >= SNOOP_NAME_MAX)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
		      *n == '_' || *n == '-' || *n == '.'))
			return false;
	return true;
}

static struct snoop_event *add_event(struct snoop_session *s, const char *system, const char *event,
				     snoop_handler_fn fn, void *ctx)
{
	struct snoop_event *ev, **nev;
	char path[1024];
	size_t len;
	char *fmt;

	if (!name_ok(system) || !name_ok(event)) {
		snoop_err(s, "invalid event name '%s:%s'", system, event);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", s->tracing_dir, system, event);
	fmt = snoop_read_file(path, &len);
	if (!fmt && errno == ENOENT) {
		snoop_err(s, "the kernel has no event %s:%s (not in events/)", system, event);
		return NULL;
	}
	if (!fmt) {
		snoop_err(s, "cannot read the format of event %s:%s: %s", system, event, strerror(errno));
		return NULL;
	}
	ev = calloc(1, sizeof(*ev));
	nev = realloc(s->events, sizeof(*s->events) * (size_t)(s->nevents + 1));
	if (!ev || !nev) {
		free(ev);
		free(fmt);
		snoop_err(s, "out of memory");
		return NULL;
	}
	s->events = nev;
	if (tep_parse_event(s->tep, fmt, len, system) != 0) {
		free(ev);
		free(fmt);
		snoop_err(s, "cannot parse the format of %s:%s", system, event);
		return NULL;
	}
	free(fmt);
	ev->tep_ev = tep_find_event_by_name(s->tep, system, event);
	if (!ev->tep_ev) {
		free(ev);
		snoop_err(s, "event %s:%s vanished while loading it", system, event);
		return NULL;
	}
	ev->s = s;
	snprintf(ev->system, sizeof(ev->system), "%s", system);
	snprintf(ev->name, sizeof(ev->name), "%s", event);
	ev->id = ev->tep_ev->id;
	ev->fn = fn;
	ev->ctx = ctx;
	s->events[s->nevents++] = ev;
	return ev;
}

struct snoop_event *snoop_session_tracepoint(struct snoop_session *s, const char *system, const char *event,
					     snoop_handler_fn fn, void *ctx)
{
	return add_event(s, system, event, fn, ctx);
}

struct snoop_event *snoop_session_format_event(struct snoop_session *s, const char *system,
					       const char *event, snoop_handler_fn fn, void *ctx)
{
	struct snoop_event *ev = add_event(s, system, event, fn, ctx);

	if (ev)
		ev->format_only = true;
	return ev;
}

/* The newest entry of an error_log (the top level's for dynamic events,
 * an instance's for what is written in it, e.g. filters): its message line
 * ("trace_kprobe: error: ...") in out and, when the entry has them, the
 * "  Command: ..." line and the caret line under it in cmd and caret. */
void snoop_last_error_log(const char *dir, char *out, size_t outlen, char *cmd, size_t cmdlen, char *caret,
			   size_t caretlen)
{
	char path[1024];
	char *log, *last = NULL, *p;

	out[0] = cmd[0] = caret[0] = '\0';
	snprintf(path, sizeof(path), "%s/error_log", dir);
	log = snoop_read_file(path, NULL);
	if (!log)
		return;
	/* Entries start with "[ timestamp]" at the beginning of a line. */
	for (p = log; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (*p == '[')
			last = p;
	if (last) {
		char *msg = strchr(last, ']');
		char *nl, *c = NULL, *k = NULL;

		msg = msg ? msg + 1 : last;
		while (*msg == ' ')
			msg++;
		nl = strchr(msg, '\n');
		if (nl) {
			*nl = '\0';
			c = nl + 1;
			nl = strchr(c, '\n');
			if (nl) {
				*nl = '\0';
				k = nl + 1;
				k[strcspn(k, "\n")] = '\0';
			}
		}
		snprintf(out, outlen, "%s", msg);
		if (c && strstr(c, "Command: ") && k && strchr(k, '^')) {
			snprintf(cmd, cmdlen, "%s", c);
			snprintf(caret, caretlen, "%s", k);
		}
	}
	free(log);
}

struct snoop_event *snoop_session_dynevent(struct snoop_session *s, const char *file, const char *def,
					   const char *name, snoop_handler_fn fn, void *ctx)
{
	char path[512], klog[512], kcmd[4200], kcaret[4200];
	struct snoop_event *ev;
	int ret;

	if (strchr(def, '\n') || strlen(def) > 4000) {
		snoop_err(s, "probe %s: invalid definition", name);
		return NULL;
	}
	if (snoop_signals_pending())
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", s->tracing_dir, file);
	ret = snoop_write_file(path, def, true);
	if (ret < 0) {
		snoop_last_error_log(s->tracing_dir, klog, sizeof(klog), kcmd, sizeof(kcmd), kcaret, sizeof(kcaret));
		snoop_err(s, "the kernel refused probe %s/%s (%s)%s%s", s->group, name, strerror(-ret),
			  klog[0] ? ": " : "", klog);
		/* The kernel's own pointer at the offending part: both lines get
		 * the same "TOOL: " prefix, so the caret stays in its column. */
		if (kcmd[0]) {
			snoop_warn(s, "%s", kcmd);
			snoop_warn(s, "%s", kcaret);
		}
		return NULL;
	}
	ev = add_event(s, s->group, name, fn, ctx);
	if (!ev) {
		char rm[300];

		snprintf(rm, sizeof(rm), "-:%s/%s", s->group, name);
		snoop_write_file(path, rm, true);
		return NULL;
	}
	ev->dynamic = true;
	snprintf(ev->dyn_file, sizeof(ev->dyn_file), "%s", file);
	return ev;
}

struct snoop_event *snoop_session_add_dynamic(struct snoop_session *s, const char *file, const char *system,
					      const char *name, snoop_handler_fn fn, void *ctx)
{
	struct snoop_event *ev = add_event(s, system, name, fn, ctx);

	if (ev) {
		ev->dynamic = true;
		snprintf(ev->dyn_file, sizeof(ev->dyn_file), "%s", file);
	}
	return ev;
}

struct snoop_event *snoop_session_kprobe(struct snoop_session *s, const char *name, const char *addr,
					 const char *fetchargs, bool retprobe, snoop_handler_fn fn, void *ctx)
{
	struct snoop_buf def;
	struct snoop_event *ev;

	if (!s->features.kprobe_events) {
		snoop_err(s, "kprobe events are not available on this kernel (CONFIG_KPROBE_EVENTS)");
		return NULL;
	}
	if (!name_ok(name)) {
		snoop_err(s, "invalid probe name '%s'", name);
		return NULL;
	}
	snoop_buf_init(&def);
	/* maxactive is left to the kernel: libtracefs 1.6.4 writes "r5::"
	 * style lines when given one, and the default suits syscalls. */
	snoop_buf_printf(&def, "%c:%s/%s %s%s%s", retprobe ? 'r' : 'p', s->group, name, addr,
			 fetchargs && *fetchargs ? " " : "", fetchargs ? fetchargs : "");
	/* A definition cut short by a failed allocation must not reach the
	 * kernel, which might take what is left. */
	if (snoop_buf_failed(&def)) {
		snoop_buf_free(&def);
		snoop_err(s, "out of memory");
		return NULL;
	}
	ev = snoop_session_dynevent(s, "kprobe_events", snoop_buf_cstr(&def), name, fn, ctx);
	snoop_buf_free(&def);
	return ev;
}

/*
 * Quotes and parentheses the way the kernel's filter parser reads them: a
 * string runs from a ' or " to the next same quote (no escapes), and
 * parentheses outside strings nest. libtracefs 1.6.4's verifier lets an
 * unterminated string or an unbalanced parenthesis through, which the
 * kernel then refuses only at start, after the probes exist.
 */
static const char *filter_unbalanced(const char *f)
{
	int depth = 0;

	for (; *f; f++) {
		if (*f == '"' || *f == '\'') {
			const char *end = strchr(f + 1, *f);

			if (!end)
				return "a string is not terminated";
			f = end;
		} else if (*f == '(') {
			depth++;
		} else if (*f == ')' && --depth < 0) {
			return "a ')' closes nothing";
		}
	}
	return depth ? "a '(' is not closed" : NULL;
}

/*
 * The kernel's own verdict on a filter: written to the event's filter file
 * in our instance, where the event is not enabled yet, and left there
 * (ev->kfilter): start writes the final filter only when it differs. 1
 * taken, 0 refused (its error_log line, if any, in filter_why; a refused
 * filter leaves the file as it was), -1 when it cannot be asked (no such
 * file: a tracer's event).
 */
static int kernel_takes_filter(struct snoop_event *ev, const char *filter)
{
	struct snoop_session *s = ev->s;
	char path[1024], kcmd[4200], kcaret[4200];
	int ret;

	s->filter_why[0] = '\0';
	if (ev->format_only || !s->instance_created)
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s/%s/filter", s->instance_dir, ev->system, ev->name);
	ret = snoop_write_file(path, filter, false);
	if (ret == -ENOENT)
		return -1;
	if (ret == 0) {
		free(ev->kfilter);
		ev->kfilter = strdup(filter); /* NULL: rewritten at start */
		return 1;
	}
	snoop_last_error_log(s->instance_dir, s->filter_why, sizeof(s->filter_why), kcmd, sizeof(kcmd), kcaret,
		       sizeof(kcaret));
	return 0;
}

/*
 * libtracefs 1.6.4's tracefs_filter_string_verify() reads past the NUL
 * that ends the filter (valgrind: an invalid read on an exact-size copy,
 * uninitialised bytes of our buffer otherwise; seen with "q0 != 0"). It
 * gets a copy with zeros after the end, so that what it reads there is
 * defined, and an end of string again.
 */
static bool lib_verify_filter(struct snoop_event *ev, const char *filter, char **err)
{
	size_t n = strlen(filter);
	char *padded = calloc(1, n + 16);
	bool ok;

	if (!padded)
		return false;
	memcpy(padded, filter, n);
	ok = tracefs_filter_string_verify(ev->tep_ev, padded, err) >= 0;
	free(padded);
	return ok;
}

int snoop_event_filter(struct snoop_event *ev, const char *filter)
{
	const char *why;
	char *err = NULL;
	bool lib_ok;
	int kernel;

	free(ev->filter);
	ev->filter = NULL;
	if (!filter || !*filter)
		return 0;
	if (strchr(filter, '\n') || strlen(filter) > 4000) {
		snoop_err(ev->s, "invalid filter for %s:%s: newlines and more than 4000 bytes are refused",
			  ev->system, ev->name);
		return -1;
	}
	why = filter_unbalanced(filter);
	if (why) {
		snoop_err(ev->s, "invalid filter for %s:%s: %s", ev->system, ev->name, why);
		return -1;
	}
	/*
	 * libtracefs verifies first, then the kernel, whose word counts:
	 * libtracefs 1.6.4 refuses what the kernel takes (every negative
	 * number, even for a signed field; `comm ~ "sh*"`) and takes what
	 * it refuses (a string compared with a number). Only where the
	 * kernel cannot be asked does libtracefs decide.
	 */
	lib_ok = lib_verify_filter(ev, filter, &err);
	kernel = kernel_takes_filter(ev, filter);
	if (kernel == 0 || (kernel < 0 && !lib_ok)) {
		if (err)
			err[strcspn(err, "\n")] = '\0';
		snoop_err(ev->s, "invalid filter for %s:%s: %s", ev->system, ev->name,
			  ev->s->filter_why[0] ? ev->s->filter_why
			  : !lib_ok && err && *err ? err : "refused by the kernel");
		free(err);
		return -1;
	}
	free(err);
	ev->filter = strdup(filter);
	if (!ev->filter) {
		snoop_err(ev->s, "out of memory");
		return -1;
	}
	return 0;
}

struct tep_event *snoop_event_tep(struct snoop_event *ev) { return ev->tep_ev; }
const char *snoop_event_name(struct snoop_event *ev) { return ev->name; }
const char *snoop_event_system(struct snoop_event *ev) { return ev->system; }

struct tep_format_field *snoop_event_field(struct snoop_event *ev, const char *name)
{
	return tep_find_any_field(ev->tep_ev, name);
}

uint64_t snoop_field_u64(const struct snoop_record *r, const struct tep_format_field *f)
{
	const unsigned char *p;
	uint64_t v = 0;

	if (!f || f->offset < 0 || f->offset + f->size > r->size)
		return 0;
	p = (const unsigned char *)r->data + f->offset;
	switch (f->size) {
	case 1: v = p[0]; break;
	case 2: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
	case 4: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
	case 8: memcpy(&v, p, 8); break;
	default: break;
	}
	return v;
}

int64_t snoop_field_s64(const struct snoop_record *r, const struct tep_format_field *f)
{
	uint64_t v = snoop_field_u64(r, f);

	if (!f)
		return 0;
	/* libtraceevent does not sign-extend: do it from the field's size. */
	switch (f->size) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	default: return (int64_t)v;
	}
}

const char *snoop_field_str(const struct snoop_record *r, const struct tep_format_field *f, size_t *len)
{
	const char *base = r->data;
	int off, sz;

	if (!f)
		return NULL;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		uint32_t dl;

		if (f->offset < 0 || f->offset + 4 > r->size)
			return NULL;
		memcpy(&dl, base + f->offset, 4);
		off = (int)(dl & 0xffff);
		sz = (int)(dl >> 16);
		/* Newer kernels make the offset relative to the field's end. */
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += f->offset + f->size;
	} else {
		off = f->offset;
		sz = f->size;
	}
	/* Length 0 is how the probe code says the user string faulted. */
	if (sz <= 0 || off < 0 || off + sz > r->size)
		return NULL;
	base += off;
	/* The kernel stores the terminating NUL; a fixed array may hold less. */
	*len = strnlen(base, (size_t)sz);
	return base;
}

/* ---- start ----------------------------------------------------------- */

int snoop_session_instance_write(struct snoop_session *s, const char *file, const char *val)
{
	char path[1024];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", s->instance_dir, file);
	ret = snoop_write_file(path, val, false);
	if (ret < 0)
		snoop_err(s, "cannot write '%s' to %s: %s", val, path, strerror(-ret));
	return ret;
}

/*
 * -L TID: that thread in set_event_pid. -p PID: its threads now, and with
 * options/event-fork the kernel adds what they fork; the records of forked
 * processes are dropped in dispatch (see pidset.c), the new threads kept.
 * task:task_newtask tells which is which; a tool that records it too gets
 * its records as usual.
 */
static int apply_pid_filter(struct snoop_session *s)
{
	struct snoop_buf pids;
	char path[1024];
	int ret;

	if (!(s->common_filters & SNOOP_FILTER_PID) || (!s->opts.pid && !s->opts.tid))
		return 0;
	snoop_buf_init(&pids);
	if (s->opts.tid) {
		snoop_buf_printf(&pids, "%d", (int)s->opts.tid);
	} else {
		ret = snoop_pidset_init(&s->pidset, s->opts.pid, &pids);
		if (ret < 0) {
			snoop_err(s, "process %d: %s", (int)s->opts.pid, strerror(-ret));
			snoop_buf_free(&pids);
			return -1;
		}
		s->pid_follow = true;
	}
	if (snoop_buf_failed(&pids)) {
		snoop_buf_free(&pids);
		snoop_err(s, "out of memory");
		return -1;
	}
	ret = snoop_session_instance_write(s, "set_event_pid", snoop_buf_cstr(&pids));
	snoop_buf_free(&pids);
	if (ret < 0 || !s->pid_follow)
		return ret;

	snprintf(path, sizeof(path), "%s/options/event-fork", s->instance_dir);
	if (access(path, F_OK) != 0) {
		snoop_warn(s, "this kernel has no options/event-fork: threads that process %d creates from now on "
			   "are not traced", (int)s->opts.pid);
		return 0;
	}
	if (snoop_session_instance_write(s, "options/event-fork", "1") < 0)
		return -1;
	for (int i = 0; i < s->nevents; i++)
		if (!strcmp(s->events[i]->system, "task") && !strcmp(s->events[i]->name, "task_newtask"))
			s->newtask_id = s->events[i]->id;
	snprintf(path, sizeof(path), "%s/events/task/task_newtask/format", s->tracing_dir);
	if (s->newtask_id < 0 && access(path, F_OK) == 0) {
		struct snoop_event *ev = add_event(s, "task", "task_newtask", NULL, NULL);

		if (!ev)
			return -1;
		s->newtask_id = ev->id;
	}
	if (s->newtask_id >= 0) {
		struct tep_event *tev = tep_find_event(s->tep, s->newtask_id);

		s->f_newtask_pid = tev ? tep_find_field(tev, "pid") : NULL;
		s->f_newtask_flags = tev ? tep_find_field(tev, "clone_flags") : NULL;
	}
	return 0;
}

static int apply_event(struct snoop_session *s, struct snoop_event *ev)
{
	struct snoop_buf f;
	char file[512];
	int ret = 0;

	if (ev->format_only || ev->trigger_only)
		return 0;
	snoop_buf_init(&f);
	/* Alone, the tool's filter goes in as it was checked; with -n it is
	 * parenthesised. */
	if (ev->filter)
		snoop_buf_printf(&f, (s->common_filters & SNOOP_FILTER_COMM) && s->opts.comm && !ev->no_comm_filter ? "(%s)" : "%s",
				 ev->filter);
	if ((s->common_filters & SNOOP_FILTER_COMM) && s->opts.comm && !ev->no_comm_filter)
		/* "comm" is a generic field every event has; -n is checked to
		 * hold no quote or backslash, so it needs no escaping here. */
		snoop_buf_printf(&f, "%scomm == \"%s\"", f.len ? " && " : "", s->opts.comm);
	if (snoop_buf_failed(&f)) {
		snoop_buf_free(&f);
		snoop_err(s, "out of memory");
		return -1;
	}
	snprintf(file, sizeof(file), "events/%s/%s/filter", ev->system, ev->name);
	if (f.len && !(ev->kfilter && !strcmp(ev->kfilter, snoop_buf_cstr(&f))))
		ret = snoop_session_instance_write(s, file, snoop_buf_cstr(&f));
	else if (!f.len && ev->kfilter)
		ret = snoop_session_instance_write(s, file, "0");
	snoop_buf_free(&f);
	if (ret < 0)
		return ret;
	snprintf(file, sizeof(file), "events/%s/%s/enable", ev->system, ev->name);
	ret = snoop_session_instance_write(s, file, "1");
	if (ret == 0)
		ev->enabled = true;
	return ret;
}

/*
 * trace_clock mono, written only when it is not already: every write resets
 * the instance's buffers, and a switch under a hist trigger that reads
 * common_timestamp gave wrong timestamps to the next events (latencies of
 * 2^64 and missing ones on 6.12). Such a trigger sets the clock itself
 * (its clock=, which the tool gives as mono), so start leaves it alone.
 */
int snoop_session_set_clock(struct snoop_session *s)
{
	char path[1024];
	char *cur;
	bool mono;

	snprintf(path, sizeof(path), "%s/trace_clock", s->instance_dir);
	cur = snoop_read_file(path, NULL);
	mono = cur && strstr(cur, "[mono]");
	free(cur);
	return mono ? 0 : snoop_session_instance_write(s, "trace_clock", "mono");
}

int snoop_session_start(struct snoop_session *s)
{
	char path[1024];
	char num[32];
	unsigned int ring_kb;

	if (snoop_signals_pending())
		return 0; /* interrupted during set-up: close() does the rest */
	if (s->nevents == 0) {
		snoop_err(s, "nothing to trace");
		return -1;
	}
	/* Everything is recorded only once enabled; keep the buffer off until
	 * the whole set-up is done so that no half-filtered event gets in. */
	if (snoop_session_instance_write(s, "tracing_on", "0") < 0)
		return -1;
	ring_kb = ring_size_kb(s);
	if (ring_kb && s->opts.buffer_kb) {
		snprintf(num, sizeof(num), "%u", ring_kb);
		if (snoop_session_instance_write(s, "buffer_size_kb", num) < 0)
			return -1;
	} else if (ring_kb) {
		/* The tool's default: a kernel that cannot give that much
		 * (ENOMEM) keeps its own size, which -v says. */
		int ret;

		snprintf(path, sizeof(path), "%s/buffer_size_kb", s->instance_dir);
		snprintf(num, sizeof(num), "%u", ring_kb);
		ret = snoop_write_file(path, num, false);
		if (ret < 0 && s->opts.verbose)
			snoop_warn(s, "cannot make the ring %s KiB a CPU: %s", num, strerror(-ret));
	}
	/* CLOCK_MONOTONIC timestamps: -t and -T are computed from them. */
	if (snoop_session_set_clock(s) < 0)
		return -1;
	/* Wake the reader on every event, not when the buffer is half full. */
	snprintf(path, sizeof(path), "%s/buffer_percent", s->instance_dir);
	if (access(path, F_OK) == 0 && snoop_session_instance_write(s, "buffer_percent", "0") < 0)
		return -1;
	if (snoop_cgroup_session_setup(s) < 0 || apply_pid_filter(s) < 0)
		return -1;
	for (int i = 0; i < s->nevents; i++)
		if (apply_event(s, s->events[i]) < 0)
			return -1;

	snprintf(path, sizeof(path), "%s/tracing_on", s->instance_dir);
	s->tracing_on_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (s->tracing_on_fd < 0) {
		snoop_err(s, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	snoop_signals_install(s); /* again, now with the tracing_on fd */
	if (snoop_reader_open(s) < 0)
		return -1;
	if (s->tick_interval > 0) {
		struct itimerspec its = { 0 };
		long long ns = (long long)(s->tick_interval * 1e9);

		s->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->tick_fd < 0) {
			snoop_err(s, "timerfd: %s", strerror(errno));
			return -1;
		}
		its.it_value.tv_sec = ns / 1000000000;
		its.it_value.tv_nsec = ns % 1000000000;
		its.it_interval = its.it_value;
		timerfd_settime(s->tick_fd, 0, &its, NULL);
	}
	if (s->arm_fn && s->arm_fn(s, s->arm_ctx) < 0)
		return -1;
	s->start_mono_ns = snoop_now_ns(CLOCK_MONOTONIC);
	s->start_real_ns = snoop_now_ns(CLOCK_REALTIME);
	if (write(s->tracing_on_fd, "1", 1) != 1) {
		snoop_err(s, "cannot turn tracing on: %s", strerror(errno));
		return -1;
	}
	/* The start state of the cgroups, now that every move after it is
	 * recorded (cgroup_session.c). */
	snoop_cgroup_session_scan(s);
	if (s->opts.duration > 0) {
		struct itimerval it = { 0 };

		it.it_value.tv_sec = (time_t)s->opts.duration;
		it.it_value.tv_usec = (suseconds_t)((s->opts.duration - (double)it.it_value.tv_sec) * 1e6);
		if (!it.it_value.tv_sec && !it.it_value.tv_usec)
			it.it_value.tv_usec = 1;
		setitimer(ITIMER_REAL, &it, NULL);
	}
	s->started = true;
	if (s->opts.verbose)
		snoop_warn(s, "tracing %d event(s) in instance %s, a ring of %zu KiB a CPU", s->nevents,
			   s->instance_name, s->reader.ring_bytes / 1024);
	return 0;
}

/* ---- run ------------------------------------------------------------- */

/*
 * Coalescing. buffer_percent 0 wakes the reader on every event, which is
 * what an idle box needs (a line shows at once) and what a busy one cannot
 * afford: at an open loop's rate each wake-up carried one or two records,
 * and the poll/schedule/read/write round trip cost ~3 us per event, most of
 * it in the scheduler, plus a wake-up (irq_work) in the traced task for
 * every event (bench/RESULTS.md). So after a batch of at least
 * COALESCE_MIN records that drained every buffer, the loop waits for
 * signals, ticks and watched fds only, letting the ring buffers fill: at
 * most COALESCE_MS, and less when the busiest ring would be a quarter full
 * before that at the rate it has been filling (snoop_reader_fill_wait_us;
 * a fixed 10 ms overflowed the default ring at 1.4 M opens/s). At most
 * that much latency is added, and only under load. A batch that hit the
 * per-CPU page cap goes round at once.
 */
/* An idle session still looks at its instance this often (instance_intact). */
#define INTACT_CHECK_MS 1000
#define COALESCE_MIN 16
#define COALESCE_MS 10
/* A shorter wait than this costs more than it gathers. */
#define COALESCE_MIN_US 100

void snoop_session_dispatch(struct snoop_session *s, const struct snoop_pending *p)
{
	struct snoop_record rec;
	struct snoop_event *ev = NULL;
	uint16_t type;

	if (p->missed)
		snoop_session_report_loss(s, p->cpu, p->missed, p->ts, false);
	if (!p->data || p->size < 8)
		return;
	memcpy(&type, p->data, sizeof(type));
	if (s->cgroups && !snoop_cgroup_session_pass(s, p, type))
		return;
	if (s->pid_follow) {
		int32_t pid;

		memcpy(&pid, (const char *)p->data + 4, sizeof(pid));
		if (type == s->newtask_id && s->f_newtask_pid && s->f_newtask_flags) {
			struct snoop_record nr = { .data = p->data, .size = p->size };

			snoop_pidset_newtask(&s->pidset, pid, (pid_t)snoop_field_s64(&nr, s->f_newtask_pid),
					     snoop_field_u64(&nr, s->f_newtask_flags));
		}
		if (!snoop_pidset_has(&s->pidset, pid)) {
			s->pid_dropped++;
			return;
		}
	}
	if (s->last_ev && s->last_ev->id == type) {
		ev = s->last_ev;
	} else {
		for (int i = 0; i < s->nevents; i++) {
			if (s->events[i]->id == type) {
				ev = s->events[i];
				break;
			}
		}
	}
	if (!ev || !ev->fn)
		return; /* padding, time extends, an event we did not ask for or our own */
	s->last_ev = ev;
	ev->hits++;
	s->nevents_seen++;
	rec.ev = ev;
	rec.data = p->data;
	rec.size = p->size;
	rec.cpu = p->cpu;
	rec.ts = p->ts;
	memcpy(&rec.pid, (const char *)p->data + 4, sizeof(rec.pid));
	if (ev->fn)
		ev->fn(s, &rec, ev->ctx);
}

void snoop_session_report_loss(struct snoop_session *s, int cpu, int64_t count, uint64_t ts, bool final)
{
	s->loss_seq++;
	if (s->tasks)
		snoop_tasks_lost(s->tasks);
	if (count > 0) {
		s->lost += (uint64_t)count;
		for (int i = 0; i < s->reader.ncpus; i++)
			if (s->reader.cpus[i].cpu == cpu)
				s->reader.cpus[i].lost_reported += (uint64_t)count;
	} else {
		s->lost_unknown = true;
	}
	if (s->opts.json) {
		struct snoop_json j;

		snoop_json_begin(&j, &s->out);
		snoop_json_cstr(&j, "type", "lost");
		snoop_session_json_time(s, &j, ts);
		snoop_json_int(&j, "cpu", cpu);
		if (count > 0)
			snoop_json_int(&j, "lost", count);
		else
			snoop_json_null(&j, "lost");
		if (final)
			snoop_json_bool(&j, "final", true);
		snoop_json_end(&j);
	}
}

/* Say on stderr how many events were lost since the last report, at most
 * once a second so that a loss storm does not become a message storm. */
static void loss_notice(struct snoop_session *s, bool final)
{
	uint64_t now = snoop_now_ns(CLOCK_MONOTONIC);
	uint64_t lost = s->lost;

	if (final) {
		/* Counts the sub-buffers did not carry, from the kernel's
		 * stats; with every CPU's stats read, nothing is unknown. */
		if (snoop_reader_settle_losses(s))
			s->lost_unknown = false;
		lost = s->lost;
		snoop_session_flush(s);
	}
	if (lost == s->lost_reported && !(final && s->lost_unknown && !lost))
		return;
	if (!final && now - s->last_loss_report_ns < 1000000000ull)
		return;
	s->last_loss_report_ns = now;
	if (lost > s->lost_reported)
		snoop_warn(s, "lost %llu events (ring buffer full, %llu in all): try a bigger -b/--buffer-kb%s",
			   (unsigned long long)(lost - s->lost_reported), (unsigned long long)lost,
			   s->opts.json ? "" : " or -j to a file");
	else if (final)
		snoop_warn(s, "events were lost (the kernel did not say how many): try a bigger -b/--buffer-kb");
	s->lost_reported = lost;
}

/*
 * One line for an output error, once. A closed pipe (| head) is a normal
 * end and says nothing; anything else (ENOSPC, EFBIG past `ulimit -f`, EIO,
 * EBADF for a closed stdout) means lines were lost, which the user must
 * hear about: the run ends as after any error, with the usual teardown.
 */
static void output_failed(struct snoop_session *s, int err)
{
	const char *name = snoop_errno_name(err);

	s->out_broken = true;
	s->stopping = true;
	snoop_buf_reset(&s->out);
	if (err == EPIPE)
		return;
	snoop_err(s, "cannot write the output: %s%s%s%s", strerror(err), name ? " (" : "", name ? name : "",
		  name ? ")" : "");
}

int snoop_stdout_done(const char *tool)
{
	const char *name;
	int err;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	err = errno ? errno : EIO;
	if (err == EPIPE)
		return 0;
	name = snoop_errno_name(err);
	snoop_errx(tool, "cannot write the output: %s%s%s%s", strerror(err), name ? " (" : "", name ? name : "",
		   name ? ")" : "");
	return -1;
}

int snoop_session_flush(struct snoop_session *s)
{
	size_t off = 0, len = s->out.len;

	if (s->out_broken) {
		snoop_buf_reset(&s->out);
		return -1;
	}
	/* A failed allocation left the buffer short: write the lines that
	 * were whole before it, never the cut one, and end the run. */
	if (snoop_buf_failed(&s->out))
		len = snoop_buf_whole_lines(&s->out);
	while (off < len) {
		ssize_t n = write(STDOUT_FILENO, s->out.data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue; /* finish the line we started, then stop */
		if (n < 0) {
			output_failed(s, errno);
			return -1;
		}
		off += (size_t)n;
	}
	if (snoop_buf_failed(&s->out)) {
		snoop_buf_free(&s->out);
		s->out_broken = true;
		s->stopping = true;
		snoop_err(s, "out of memory: the output stops here");
		return -1;
	}
	snoop_buf_reset(&s->out);
	return 0;
}

static void end_of_batch(struct snoop_session *s)
{
	if (s->batch_fn)
		s->batch_fn(s, s->batch_ctx);
	snoop_session_flush(s);
	loss_notice(s, false);
}

int snoop_session_run(struct snoop_session *s)
{
	/* poll set: one fd per CPU, then the signal pipe, the tick timer and
	 * the watched fds. */
	const int ncpu = s->reader.ncpus, SIG = ncpu, TICK = ncpu + 1, WATCH = ncpu + 2;
	struct pollfd *pfd;
	int n, nfd, wait_us;

	if (!s->started)
		return snoop_signals_pending() ? 0 : -1;
	nfd = WATCH + s->nwatch;
	pfd = calloc((size_t)nfd, sizeof(*pfd));
	if (!pfd) {
		snoop_err(s, "out of memory");
		return -1;
	}
	for (int i = 0; i < ncpu; i++) {
		pfd[i].fd = s->reader.cpus[i].fd;
		pfd[i].events = POLLIN;
	}
	pfd[SIG].fd = s->sig_pipe[0];
	pfd[SIG].events = POLLIN;
	pfd[TICK].fd = s->tick_fd; /* -1 is ignored by poll() */
	pfd[TICK].events = POLLIN;
	for (int i = 0; i < s->nwatch; i++) {
		pfd[WATCH + i].fd = s->watch[i].fd;
		pfd[WATCH + i].events = POLLIN;
	}

	while (!s->stopping && !snoop_signals_pending() && !s->failed) {
		/* Records held past the last batch's watermark are shown by
		 * the next batch, a millisecond on, even if nothing new comes. */
		n = poll(pfd, (nfds_t)nfd, s->reader.nheld || s->batch_soon ? 1 : INTACT_CHECK_MS);
		s->batch_soon = false;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snoop_err(s, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[SIG].revents)
			break;
		if (!instance_intact(s))
			break;
		n = snoop_reader_batch(s, false);
		if (n < 0)
			break;
		end_of_batch(s);
		wait_us = n >= COALESCE_MIN && !s->reader.capped && !pfd[SIG].revents ?
				  snoop_reader_fill_wait_us(s, COALESCE_MS * 1000) : 0;
		if (wait_us >= COALESCE_MIN_US) {
			/* pfd[SIG..] are the non-CPU fds; their revents are
			 * set by this poll and handled below or next round. */
			struct pollfd saved[2 + SNOOP_MAX_WATCH];
			struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)wait_us * 1000 };

			memcpy(saved, pfd + SIG, sizeof(*pfd) * (size_t)(nfd - SIG));
			if (ppoll(pfd + SIG, (nfds_t)(nfd - SIG), &ts, NULL) == 0)
				memcpy(pfd + SIG, saved, sizeof(*pfd) * (size_t)(nfd - SIG));
		}
		if (s->tick_fd >= 0 && (pfd[TICK].revents & POLLIN)) {
			uint64_t expirations;

			if (read(s->tick_fd, &expirations, sizeof(expirations)) < 0) {
			}
			if (s->tick_fn)
				s->tick_fn(s, false, s->tick_ctx);
			snoop_session_flush(s);
		}
		for (int i = 0; i < s->nwatch; i++)
			if (pfd[WATCH + i].revents)
				s->watch[i].fn(s, s->watch[i].fd, s->watch[i].ctx);
	}
	free(pfd);

	/* Tracing off (the signal handler may have done it already), then
	 * read what was recorded up to that point: nothing is dropped. */
	if (s->tracing_on_fd >= 0 && write(s->tracing_on_fd, "0", 1) < 0) {
	}
	if (!s->failed) {
		for (int round = 0; round < 1024; round++) {
			int got = snoop_reader_batch(s, true);

			end_of_batch(s);
			if (got <= 0)
				break;
		}
		if (s->tick_fn)
			s->tick_fn(s, true, s->tick_ctx);
		snoop_session_flush(s);
	}
	loss_notice(s, true);
	if (s->pid_follow && s->opts.verbose)
		snoop_warn(s, "-p %d: %llu records of its child processes dropped, %llu of tasks gone before they could "
			   "be told apart", (int)s->opts.pid, (unsigned long long)s->pid_dropped,
			   (unsigned long long)s->pidset.unknown);
	snoop_cgroup_session_report(s);
	return s->failed ? -1 : 0;
}

void snoop_session_stop(struct snoop_session *s)
{
	s->stopping = true;
}

bool snoop_session_count_event(struct snoop_session *s)
{
	if (!s->max_events)
		return true;
	/* Records already read in the batch that reached -M are not shown. */
	if (s->events_counted >= s->max_events)
		return false;
	if (++s->events_counted == s->max_events)
		s->stopping = true;
	return true;
}

/* ---- close ----------------------------------------------------------- */

/* Everything close does; true when an error was reported at any point of
 * the session, the teardown included (its last flush may fail). */
static bool teardown(struct snoop_session *s)
{
	char path[1024];
	bool failed;

	if (s->close_fn) {
		snoop_close_fn fn = s->close_fn;

		/* Cleared first: the hook runs once even if it closes again. */
		s->close_fn = NULL;
		fn(s, s->close_ctx);
	}
	if (s->tracing_on_fd >= 0) {
		if (write(s->tracing_on_fd, "0", 1) < 0) {
		}
	}
	if (s->opts.duration > 0) {
		struct itimerval it = { 0 };

		setitimer(ITIMER_REAL, &it, NULL);
	}
	if (s->instance_created) {
		/* Disable everything in our instance so that our probes are no
		 * longer in use when we remove them. One event at a time first:
		 * the kernel disables all of events/enable under one hold of
		 * event_mutex, and a uprobe's disable waits for an RCU-tasks
		 * grace period (about 40 ms), so execsnoop's 42 uprobes held the
		 * mutex for 1.7 s, and every other session's start or stop on
		 * the machine waited for all of it (opensnoop's SIGTERM took
		 * 1.9 s beside execsnoop's). Then events/enable for whatever
		 * else is on (cheap when nothing is). */
		for (int i = s->nevents - 1; i >= 0; i--) {
			struct snoop_event *ev = s->events[i];

			if (!ev->enabled)
				continue;
			snprintf(path, sizeof(path), "%s/events/%s/%s/enable", s->instance_dir, ev->system, ev->name);
			snoop_write_file(path, "0", false);
			ev->enabled = false;
		}
		snprintf(path, sizeof(path), "%s/events/enable", s->instance_dir);
		snoop_write_file(path, "0", false);
		snprintf(path, sizeof(path), "%s/current_tracer", s->instance_dir);
		snoop_write_file(path, "nop", false);
	}
	/* Hist triggers keep the instance busy too (rmdir: EBUSY). */
	snoop_hist_remove_triggers(s);
	snoop_session_flush(s);
	/* rmdir of an instance fails with EBUSY while any file of it is open. */
	snoop_reader_close(s);
	snoop_signals_forget_fd();
	if (s->tracing_on_fd >= 0)
		close(s->tracing_on_fd);
	s->tracing_on_fd = -1;
	if (s->tick_fd >= 0)
		close(s->tick_fd);
	if (s->live_fd >= 0)
		close(s->live_fd);
	s->live_fd = -1;
	if (s->instance_created) {
		int tries = 0;

		while (rmdir(s->instance_dir) < 0 && errno == EBUSY && tries++ < 50)
			usleep(10000);
		if (access(s->instance_dir, F_OK) == 0)
			snoop_warn(s, "could not remove instance %s: %s (snoop-reset will)", s->instance_name,
				   strerror(errno));
	}
	for (int i = s->nevents - 1; i >= 0; i--) {
		struct snoop_event *ev = s->events[i];

		if (ev->dynamic) {
			char cmd[300];
			int ret;

			snprintf(path, sizeof(path), "%s/%s", s->tracing_dir, ev->dyn_file);
			snprintf(cmd, sizeof(cmd), "-:%s/%s", ev->system, ev->name);
			ret = snoop_write_file(path, cmd, true);
			if (ret < 0 && ret != -ENOENT)
				snoop_warn(s, "could not remove probe %s/%s: %s (snoop-reset will)", ev->system,
					   ev->name, strerror(-ret));
		}
		free(ev->filter);
		free(ev->kfilter);
		free(ev);
	}
	free(s->events);
	if (s->instance_created) {
		struct snoop_sweep_report rep = { 0 };

		/* Synthetic events named after the group (restoring what they
		 * record), and probes made by other means than ours. Then the
		 * reaper may go: at once if nothing is left. */
		if (snoop_sweep_session(s->tracing_dir, access(s->instance_dir, F_OK) == 0 ? s->instance_name : NULL,
					s->sid, false, false, &rep) != 0 || access(s->instance_dir, F_OK) == 0)
			snoop_warn(s, "could not remove every leftover of %s (the reaper or snoop-reset will)",
				   s->group);
		else
			s->clean = true;
	}
	snoop_reaper_release(s->reaper_fd, s->clean || !s->instance_created);
	s->reaper_fd = -1;
	snoop_pidset_free(&s->pidset);
	snoop_tasks_free(s->tasks);
	snoop_cgroups_free(s->cgroups);
	snoop_cgroup_session_free(s);
	if (s->instance)
		tracefs_instance_free(s->instance);
	if (s->tep)
		tep_free(s->tep);
	snoop_signals_restore();
	if (s->sig_pipe[0] >= 0)
		close(s->sig_pipe[0]);
	if (s->sig_pipe[1] >= 0)
		close(s->sig_pipe[1]);
	snoop_buf_free(&s->out);
	failed = s->failed;
	free(s);
	return failed;
}

void snoop_session_close(struct snoop_session *s)
{
	if (s)
		teardown(s);
}

int snoop_session_end(struct snoop_session *s, int status)
{
	bool failed = s ? teardown(s) : status != 0;

	/* An error was said: the run failed, whatever the tool thought. */
	if (failed)
		return status ? status : 1;
	/* A stop signal and no error said: a normal end, also when it cut a
	 * set-up step short (which then returned -1 without a word). */
	if (snoop_signals_pending())
		return 0;
	return status;
}

/* ---- accessors and time ------------------------------------------------ */

void snoop_session_on_tick(struct snoop_session *s, double interval, snoop_tick_fn fn, void *ctx)
{
	s->tick_interval = interval;
	s->tick_fn = fn;
	s->tick_ctx = ctx;
}

void snoop_session_on_batch(struct snoop_session *s, snoop_batch_fn fn, void *ctx)
{
	s->batch_fn = fn;
	s->batch_ctx = ctx;
}

int snoop_session_watch_fd(struct snoop_session *s, int fd, snoop_fd_fn fn, void *ctx)
{
	if (s->nwatch >= SNOOP_MAX_WATCH) {
		snoop_err(s, "too many watched file descriptors");
		return -1;
	}
	s->watch[s->nwatch].fd = fd;
	s->watch[s->nwatch].fn = fn;
	s->watch[s->nwatch].ctx = ctx;
	s->nwatch++;
	return 0;
}

void snoop_session_on_arm(struct snoop_session *s, snoop_arm_fn fn, void *ctx)
{
	s->arm_fn = fn;
	s->arm_ctx = ctx;
}

void snoop_session_on_close(struct snoop_session *s, snoop_close_fn fn, void *ctx)
{
	s->close_fn = fn;
	s->close_ctx = ctx;
}

const struct snoop_opts *snoop_session_opts(struct snoop_session *s) { return &s->opts; }
const struct snoop_features *snoop_session_features(struct snoop_session *s) { return &s->features; }
const char *snoop_session_tool(struct snoop_session *s) { return s->tool; }
/* A synthetic event <group>_<what>: a record in tracefs, which every
 * namespace sharing it reads, of something the sweep must know. */
static int session_record(struct snoop_session *s, const char *prefix, const char *what)
{
	char path[1024], def[SNOOP_NAME_MAX + 64];

	if (strlen(what) > 40 || !name_ok(what) || strchr(what, '.'))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/synthetic_events", s->tracing_dir);
	snprintf(def, sizeof(def), "%s_%s%s u64 unused", s->group, prefix, what);
	return snoop_write_file(path, def, true);
}

int snoop_session_record_restore(struct snoop_session *s, const char *option)
{
	return session_record(s, SNOOP_RESTORE_PREFIX, option);
}

int snoop_session_need_option(struct snoop_session *s, const char *option)
{
	char file[128], path[1024];
	int lock = snoop_option_lock(s->tracing_dir, option), ret;
	char *v;

	snprintf(file, sizeof(file), "options/%s", option);
	snprintf(path, sizeof(path), "%s/%s", s->instance_dir, file);
	v = snoop_read_file(path, NULL);
	if (!v) {
		snoop_err(s, "cannot read %s: %s", file, strerror(errno));
		ret = -1;
	} else if (v[0] == '1') {
		/* Another session's record: it will turn the option off when
		 * it ends unless ours is still there. */
		ret = SNOOP_OPTION_FOREIGN;
		if (snoop_option_recorded(s->tracing_dir, option, s->sid) &&
		    session_record(s, SNOOP_RESTORE_PREFIX, option) == 0)
			ret = SNOOP_OPTION_SHARED;
	} else {
		ret = session_record(s, SNOOP_RESTORE_PREFIX, option) == 0 ? SNOOP_OPTION_SET : SNOOP_OPTION_UNRECORDED;
		if (snoop_session_instance_write(s, file, "1") < 0)
			ret = -1;
	}
	free(v);
	if (lock >= 0)
		close(lock);
	return ret;
}

int snoop_session_record_triggers(struct snoop_session *s)
{
	return session_record(s, "", SNOOP_TRIGGERS_RECORD);
}

const char *snoop_session_group(struct snoop_session *s) { return s->group; }
const char *snoop_session_instance_name(struct snoop_session *s) { return s->instance_name; }
const char *snoop_session_tracing_dir(struct snoop_session *s) { return s->tracing_dir; }
struct tracefs_instance *snoop_session_instance(struct snoop_session *s) { return s->instance; }
struct snoop_buf *snoop_session_out(struct snoop_session *s) { return &s->out; }
uint64_t snoop_session_lost(struct snoop_session *s) { return s->lost; }
uint64_t snoop_session_loss_seq(struct snoop_session *s) { return s->loss_seq; }
uint64_t snoop_session_events(struct snoop_session *s) { return s->nevents_seen; }

static void put_wall(struct snoop_session *s, struct snoop_buf *b, uint64_t ts, bool iso)
{
	uint64_t wall = s->start_real_ns + (ts - s->start_mono_ns);
	time_t sec = (time_t)(wall / 1000000000ull);
	struct tm tm;
	char tbuf[64];

	localtime_r(&sec, &tm);
	if (iso) {
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		snoop_buf_printf(b, "%s.%06u", tbuf, (unsigned)((wall % 1000000000ull) / 1000));
		strftime(tbuf, sizeof(tbuf), "%z", &tm);
		snoop_buf_adds(b, tbuf);
	} else {
		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
		snoop_buf_printf(b, "%s.%03u ", tbuf, (unsigned)((wall % 1000000000ull) / 1000000));
	}
}

void snoop_session_put_time(struct snoop_session *s, struct snoop_buf *b, uint64_t ts)
{
	if (s->opts.time_rel) {
		double rel = ts >= s->start_mono_ns ? (double)(ts - s->start_mono_ns) / 1e9 : 0.0;

		snoop_buf_printf(b, "%-11.6f ", rel);
	} else if (s->opts.time_wall) {
		put_wall(s, b, ts, false);
	}
}

void snoop_session_put_time_header(struct snoop_session *s, struct snoop_buf *b)
{
	if (s->opts.time_rel)
		snoop_buf_printf(b, "%-11s ", "TIME(s)");
	else if (s->opts.time_wall)
		snoop_buf_printf(b, "%-12s ", "TIME");
	/* -C: the CGROUP column follows the time (snoop_session_put_cgroup). */
	if (s->opts.print_cgroup)
		snoop_buf_printf(b, "%-*s ", SNOOP_CGROUP_WIDTH, "CGROUP");
}

void snoop_session_json_time(struct snoop_session *s, struct snoop_json *j, uint64_t ts)
{
	/* Seconds with 6 decimals, rounded to the microsecond, from the
	 * integer nanoseconds: snoop_json_double's printf("%.6f") was ~12% of
	 * opensnoop -j's CPU per event in an open loop (bench/RESULTS.md), a
	 * division per decimal another 1%. */
	uint64_t us = ts >= s->start_mono_ns ? (ts - s->start_mono_ns + 500) / 1000 : 0;

	snoop_json_key(j, "time");
	snoop_json_put_micros(j->b, us);
	if (s->opts.time_wall) {
		struct snoop_buf w;

		snoop_buf_init(&w);
		put_wall(s, &w, ts, true);
		snoop_json_str(j, "walltime", w.data, w.len);
		snoop_buf_free(&w);
	}
}

/* ---- optional events and the task cache --------------------------------- */

bool snoop_session_has_event(struct snoop_session *s, const char *system, const char *event)
{
	char path[1024];

	if (!name_ok(system) || !name_ok(event))
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", s->tracing_dir, system, event);
	return access(path, F_OK) == 0;
}

struct snoop_event *snoop_session_tracepoint_opt(struct snoop_session *s, const char *system,
						 const char *event, snoop_handler_fn fn, void *ctx)
{
	/* Absent is not an error: the session stays usable. Present but
	 * unreadable or unparsable still is (add_event says why). */
	if (!snoop_session_has_event(s, system, event))
		return NULL;
	return add_event(s, system, event, fn, ctx);
}

static void tasks_newtask(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)s;
	snoop_tasks_on_newtask(ctx, r);
}

static void tasks_exec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)s;
	snoop_tasks_on_exec(ctx, r);
}

static void tasks_rename(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)s;
	snoop_tasks_on_rename(ctx, r);
}

struct snoop_tasks *snoop_session_tasks(struct snoop_session *s, unsigned int follow)
{
	static const struct {
		unsigned int bit;
		const char *system, *event;
		snoop_handler_fn fn;
	} evs[] = {
		{ SNOOP_TASKS_FORK, "task", "task_newtask", tasks_newtask },
		{ SNOOP_TASKS_EXEC, "sched", "sched_process_exec", tasks_exec },
		{ SNOOP_TASKS_RENAME, "task", "task_rename", tasks_rename },
	};

	if (s->tasks)
		return s->tasks;
	s->tasks = snoop_tasks_new(0, "/proc", s->tracing_dir);
	if (!s->tasks) {
		snoop_err(s, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (!(follow & evs[i].bit))
			continue;
		if (!snoop_session_tracepoint_opt(s, evs[i].system, evs[i].event, evs[i].fn, s->tasks) &&
		    s->failed)
			return NULL;
	}
	if ((follow & SNOOP_TASKS_UID) && snoop_tasks_follow_setuid(s->tasks, s) < 0)
		return NULL;
	/* The kernel then keeps TID -> TGID of every task it records in
	 * saved_tgids (a global table; the option is the instance's). */
	if (follow & SNOOP_TASKS_SAVED) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/options/record-tgid", s->instance_dir);
		if (access(path, F_OK) == 0 && snoop_session_instance_write(s, "options/record-tgid", "1") < 0)
			return NULL;
	}
	return s->tasks;
}

uint64_t snoop_session_watermark(struct snoop_session *s)
{
	return s->reader.watermark;
}

void snoop_session_batch_soon(struct snoop_session *s)
{
	s->batch_soon = true;
}
