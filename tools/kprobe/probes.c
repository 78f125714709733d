// SPDX-License-Identifier: GPL-2.0-or-later
/* kprobe's set-up: check each definition against the running kernel,
 * resolve its conveniences, create it in the session's group. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <snoop/tracefs.h>

#include "kprobe.h"

/* The file at path, read once into *cache; NULL (errno set, and kept in
 * *err for the next calls) when unreadable. */
static const char *read_once(const char *path, char **cache, int *err)
{
	if (!*cache && !*err) {
		*cache = snoop_read_file(path, NULL);
		if (!*cache)
			*err = errno ? errno : EIO;
	}
	if (!*cache)
		errno = *err;
	return *cache;
}

/* Is func (in module mod, "" for any) a line of available_filter_functions
 * ("name" or "name [module]")? -1 when the file cannot be read. */
static int in_filter_functions(struct kp *kp, const char *func, const char *mod)
{
	char path[512];
	size_t n = strlen(func);
	const char *buf, *p;

	snprintf(path, sizeof(path), "%s/available_filter_functions", snoop_session_tracing_dir(kp->a.s));
	buf = read_once(path, &kp->filter_functions, &kp->filter_functions_errno);
	if (!buf)
		return -1;
	for (p = buf; (p = strstr(p, func)); p += n) {
		if (p != buf && p[-1] != '\n')
			continue;
		if ((p[n] == '\n' || p[n] == '\0') && !*mod)
			return 1;
		if (p[n] == ' ' && p[n + 1] == '[') {
			size_t ml = strlen(mod);

			if (!*mod || (!strncmp(p + n + 2, mod, ml) && p[n + 2 + ml] == ']'))
				return 1;
		}
	}
	return 0;
}

/* The kprobe blacklist ("0xSTART-0xEND\tsym [mod]" lines) is only in
 * debugfs, which may not be mounted (or may be mounted elsewhere): 1 listed,
 * 0 not, -1 unreadable (errno set). Unreadable means unchecked: the kernel
 * still refuses a blacklisted function, with a terser message. */
#define KP_BLACKLIST "/sys/kernel/debug/kprobes/blacklist"

static int blacklisted(struct kp *kp, const char *func)
{
	const char *buf = read_once(KP_BLACKLIST, &kp->blacklist, &kp->blacklist_errno);
	size_t n = strlen(func);

	if (!buf)
		return -1;
	for (const char *p = buf; (p = strstr(p, func)); p += n)
		if (p != buf && p[-1] == '\t' && (p[n] == '\n' || p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

/* 1 known, 0 unknown, -1 cannot tell. */
static int func_known(struct kp *kp, const char *func, const char *mod)
{
	int r = in_filter_functions(kp, func, mod);

	if (r < 0) {
		/* No function tracer or not readable: kallsyms knows every
		 * text symbol, traceable or not. */
		if (!kp->ksyms)
			kp->ksyms = snoop_ksym_load(NULL);
		if (kp->ksyms)
			r = snoop_ksym_by_name(kp->ksyms, func, mod[0] ? mod : NULL) != NULL;
	}
	return r;
}

/* "p:FUNC ident": the kernel's reading (event FUNC on function ident)
 * when ident is a function, else perf-tools' (FUNC with argument ident). */
static int disambiguate(struct kp *kp, struct kp_probe *p)
{
	struct snoop_probe_def *alt;
	struct snoop_probe_error err;
	char *text;

	if (!p->def->ambiguous || func_known(kp, p->def->func, p->def->module) != 0)
		return 0;
	text = strdup(p->text);
	alt = calloc(1, sizeof(*alt));
	if (!text || !alt)
		goto out;
	text[p->def->name_pos - 1] = ' ';
	if (snoop_probe_parse(text, alt, &err) == 0 && func_known(kp, alt->func, alt->module) == 1) {
		/* Keep the filter given apart from the definition. */
		memcpy(alt->filter, p->def->filter, sizeof(alt->filter));
		free(p->def);
		p->def = alt;
		alt = NULL;
		snoop_probe_event_name(p->def, p->event, sizeof(p->event));
	}
out:
	free(text);
	free(alt);
	return 0;
}

static int check_function(struct kp *kp, struct kp_probe *p)
{
	const struct snoop_probe_def *d;
	int r;

	if (p->def->has_addr || kp->o->no_func_check)
		return 0;
	disambiguate(kp, p);
	d = p->def;
	r = func_known(kp, d->func, d->module);
	if (r == 0) {
		kp_def_error(p->text, d->target_pos,
			     "function '%s' is not in available_filter_functions%s (a typo, inlined, or notrace?); -F skips this check",
			     d->func, kp->ksyms ? " nor kallsyms" : "");
		return -1;
	}
	if (d->kind == SNOOP_PROBE_TRACEPOINT)
		return 0;
	r = blacklisted(kp, d->func);
	if (r > 0) {
		kp_def_error(p->text, d->target_pos, "function '%s' is on the kernel's kprobe blacklist", d->func);
		return -1;
	}
	if (r < 0 && kp->a.common.verbose)
		snoop_warn(kp->a.s, "the kprobe blacklist (%s) is not readable (%s; is debugfs mounted?): '%s' is not "
			   "checked against it, the kernel refuses a blacklisted function itself", KP_BLACKLIST,
			   strerror(errno), d->func);
	return 0;
}

/* The registers of a function's integer arguments, in kprobe fetch syntax,
 * per architecture (uname's machine: the kernel's, whatever this binary
 * was built for). */
struct kp_arg_regs {
	const char *machine;
	const char *regs[8];
};

static const struct kp_arg_regs kp_arg_regs[] = {
	{ "x86_64", { "%di", "%si", "%dx", "%cx", "%r8", "%r9" } },
	{ "aarch64", { "%x0", "%x1", "%x2", "%x3", "%x4", "%x5", "%x6", "%x7" } },
};

static const struct kp_arg_regs *arg_regs(struct utsname *u)
{
	if (uname(u) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(kp_arg_regs) / sizeof(kp_arg_regs[0]); i++)
		if (!strcmp(u->machine, kp_arg_regs[i].machine))
			return &kp_arg_regs[i];
	return NULL;
}

/* Kernels without $argN (before 4.20, or an arch without the API): the
 * calling convention gives the first arguments in registers. */
static int args_to_registers(struct kp_probe *p)
{
	struct utsname u;
	const struct kp_arg_regs *ar = arg_regs(&u);

	if (!ar)
		return -1;
	for (int i = 0; i < p->def->nargs; i++) {
		struct snoop_probe_arg *a = &p->def->args[i];
		char out[sizeof(a->fetch)], *q;
		size_t o = 0;

		for (const char *s = a->fetch; *s;) {
			if (!strncmp(s, "$arg", 4) && s[4] >= '1' && s[4] <= '8' && ar->regs[s[4] - '1'] &&
			    !(s[5] >= '0' && s[5] <= '9')) {
				q = (char *)ar->regs[s[4] - '1'];
				if (o + strlen(q) >= sizeof(out))
					return -1;
				memcpy(out + o, q, strlen(q));
				o += strlen(q);
				s += 5;
			} else if (!strncmp(s, "$arg", 4)) {
				return -1;
			} else {
				if (o + 1 >= sizeof(out))
					return -1;
				out[o++] = *s++;
			}
		}
		out[o] = '\0';
		memcpy(a->fetch, out, o + 1);
	}
	return 0;
}

/* Does the kernel resolve BTF argument names itself (6.x with
 * CONFIG_PROBE_EVENTS_BTF_ARGS)? Its README then lists "<argname>". */
static bool kernel_btf_args(struct snoop_session *s)
{
	char path[512];
	char *buf;
	bool yes;

	snprintf(path, sizeof(path), "%s/README", snoop_session_tracing_dir(s));
	buf = snoop_read_file(path, NULL);
	yes = buf && strstr(buf, "<argname>");
	free(buf);
	return yes;
}

static int print_format(struct kp *kp, struct kp_probe *p)
{
	struct snoop_buf b;
	char path[1024];
	size_t len;
	char *fmt;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", snoop_session_tracing_dir(kp->a.s),
		 snoop_event_system(p->ev), snoop_event_name(p->ev));
	fmt = snoop_read_file(path, &len);
	if (!fmt) {
		snoop_err(kp->a.s, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	snoop_buf_init(&b);
	if (p->line[0]) {
		snoop_buf_adds(&b, "# definition: ");
		snoop_escape_text(&b, p->line, strlen(p->line));
		snoop_buf_addc(&b, '\n');
	}
	/* Kernel text, but from a file anyone with tracefs access shapes
	 * (names): through the escaper, line by line. */
	for (char *line = fmt, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		/* Tabs are the format file's layout: keep them. */
		for (char *seg = line, *end = line + (nl - line) + (*nl != '\n'); seg < end;) {
			char *tab = memchr(seg, '\t', (size_t)(end - seg));

			snoop_escape_text(&b, seg, (size_t)((tab ? tab : end) - seg));
			if (!tab)
				break;
			snoop_buf_addc(&b, '\t');
			seg = tab + 1;
		}
		snoop_buf_addc(&b, '\n');
		if (!nl[1])
			break;
	}
	free(fmt);
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	snoop_buf_free(&b);
	return 0;
}

bool kp_needs_comm(const struct kp *kp)
{
	const struct kp_opts *o = kp->o;

	if (!o->count && !o->hist_field && !o->latency && !kp->a.common.top)
		return true; /* a line per hit names its task */
	return o->by == KP_BY_COMM || (o->by == KP_BY_PID && kp->a.common.top);
}

static int setup_probe(struct kp *kp, struct kp_probe *p, bool kbtf)
{
	const struct snoop_features *f = snoop_session_features(kp->a.s);
	struct snoop_probe_def *d = p->def;
	struct snoop_probe_error err;
	struct snoop_buf line;
	const char *file;

	if (d->kind == SNOOP_PROBE_TRACEPOINT) {
		p->ev = snoop_session_tracepoint(kp->a.s, d->group, d->event, kp_on_hit, p);
		return p->ev ? 0 : 1;
	}
	if (snoop_probe_is_user(d)) {
		/* Binary and symbol were resolved before the session opened. */
		if (!f->uprobe_events) {
			snoop_err(kp->a.s, "uprobe events are not available on this kernel (CONFIG_UPROBE_EVENTS)");
			return KP_EXIT_UNAVAILABLE;
		}
		goto render;
	}
	if ((d->kind == SNOOP_PROBE_KPROBE || d->kind == SNOOP_PROBE_KRETPROBE) && !f->kprobe_events) {
		snoop_err(kp->a.s, "kprobe events are not available on this kernel (CONFIG_KPROBE_EVENTS)%s: "
			  "use t:SYSTEM:EVENT tracepoints instead", f->lockdown ? " or locked down" : "");
		return KP_EXIT_UNAVAILABLE;
	}
	if ((d->kind == SNOOP_PROBE_FENTRY || d->kind == SNOOP_PROBE_FEXIT) && !f->fprobe) {
		snoop_err(kp->a.s, "fprobe events are not available on this kernel (CONFIG_FPROBE_EVENTS, 6.4+): "
			  "use p: or r: instead");
		return KP_EXIT_UNAVAILABLE;
	}
	if (check_function(kp, p) < 0)
		return KP_EXIT_USAGE;
	d = p->def; /* check_function() may have reparsed it */
	/* BTF names: the kernel's own resolver for fprobes where it has
	 * one; our offsets from /sys/kernel/btf/vmlinux everywhere else. */
	p->kernel_btf = kbtf && (d->kind == SNOOP_PROBE_FENTRY || d->kind == SNOOP_PROBE_FEXIT);
	if (kp_btf_resolve(d, p->kernel_btf, &err) < 0) {
		kp_def_error(p->text, err.pos, "%s", err.msg);
		return KP_EXIT_USAGE;
	}
	if (!f->kprobe_args && args_to_registers(p) < 0) {
		struct utsname u;

		snoop_err(kp->a.s, "this kernel has no $argN and kprobe knows no registers for %s%s: use %%REG fetch args",
			  arg_regs(&u) ? "this argument on " : "", uname(&u) < 0 ? "this architecture" : u.machine);
		return KP_EXIT_UNAVAILABLE;
	}
render:
	if (kp->nhit_path)
		kp_nhit_event_name(kp, p);
	else
		snprintf(p->kevent, sizeof(p->kevent), "%s", p->event);
	snoop_buf_init(&line);
	if (snoop_probe_render(d, snoop_session_group(kp->a.s), p->kevent, kp_needs_comm(kp) ? KP_COMM_ARG "=$comm" : NULL,
			       &line, &err) < 0) {
		snoop_buf_free(&line);
		kp_def_error(p->text, err.pos, "%s", err.msg);
		return KP_EXIT_USAGE;
	}
	snprintf(p->line, sizeof(p->line), "%s", snoop_buf_cstr(&line));
	snoop_buf_free(&line);
	if (snoop_probe_is_user(d))
		file = "uprobe_events";
	else if ((d->kind == SNOOP_PROBE_KPROBE || d->kind == SNOOP_PROBE_KRETPROBE) && f->kprobe_events)
		file = "kprobe_events";
	else
		file = "dynamic_events";
	if (kp->a.common.verbose)
		snoop_warn(kp->a.s, "%s: %s", file, p->line);
	p->ev = snoop_session_dynevent(kp->a.s, file, p->line, p->kevent, kp_on_hit, p);
	return p->ev ? 0 : KP_EXIT_USAGE;
}

/* The user's filter, checked on its own first (so that an error names
 * only what the user wrote), then with our own pid left out: kprobe's
 * reads of the ring buffer would otherwise show up in every probe on the
 * read path and feed themselves. */
static int apply_filter(struct kp_probe *p)
{
	struct snoop_buf f;
	int r;

	if (p->def->filter[0] && snoop_event_filter(p->ev, p->def->filter) < 0)
		return -1;
	snoop_buf_init(&f);
	if (p->def->filter[0])
		snoop_buf_printf(&f, "(%s) && ", p->def->filter);
	snoop_buf_printf(&f, "common_pid != %d", (int)getpid());
	r = snoop_event_filter(p->ev, snoop_buf_cstr(&f));
	snoop_buf_free(&f);
	return r;
}

/* Tracepoints have no $comm: their hits are named by the session's task
 * cache, which follows fork, exec and rename through the kernel's events.
 * An event the user traces too feeds the cache from kprobe's handler (one
 * event is declared once). */
static int setup_tasks(struct kp *kp)
{
	static const struct {
		unsigned int bit;
		const char *system, *event;
		void (*feed)(struct snoop_tasks *t, const struct snoop_record *r);
	} evs[] = {
		{ SNOOP_TASKS_FORK, "task", "task_newtask", snoop_tasks_on_newtask },
		{ SNOOP_TASKS_EXEC, "sched", "sched_process_exec", snoop_tasks_on_exec },
		{ SNOOP_TASKS_RENAME, "task", "task_rename", snoop_tasks_on_rename },
	};
	unsigned int follow = SNOOP_TASKS_ALL;
	bool need = false;

	for (int i = 0; i < kp->nprobes; i++) {
		const struct snoop_probe_def *d = kp->probes[i].def;

		need |= !kp->probes[i].comm_field && kp_needs_comm(kp);
		for (size_t k = 0; k < sizeof(evs) / sizeof(evs[0]); k++)
			if (d->kind == SNOOP_PROBE_TRACEPOINT && !strcmp(d->group, evs[k].system) &&
			    !strcmp(d->event, evs[k].event)) {
				follow &= ~evs[k].bit;
				kp->probes[i].tasks_feed = evs[k].feed;
			}
	}
	if (!need)
		return 0;
	kp->tasks = snoop_session_tasks(kp->a.s, follow);
	return kp->tasks ? 0 : 1;
}

int kp_setup(struct kp *kp)
{
	bool kbtf = kernel_btf_args(kp->a.s);
	const char *why_not_nhit = kp->o->show_format ? "" : kp_nhit_why_not(kp);
	int r;

	/* Decided before the probes: it names their events. */
	kp->nhit_path = !why_not_nhit;
	if (why_not_nhit && *why_not_nhit && kp->a.common.verbose)
		snoop_warn(kp->a.s, "not counting with the kernel's hit counter: %s", why_not_nhit);
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];

		r = setup_probe(kp, p, kbtf);
		if (r)
			return r;
		if (apply_filter(p) < 0)
			return KP_EXIT_USAGE;
		if (kp->o->show_format) {
			if (print_format(kp, p) < 0)
				return 1;
			continue;
		}
		if (kp_fields_prepare(p) < 0)
			return 1;
	}
	if (kp->o->show_format)
		return 0;
	r = setup_tasks(kp);
	if (r)
		return r;
	if (kp->o->stacks && !kp->o->count) {
		if (snoop_session_instance_write(kp->a.s, "options/stacktrace", "1") < 0)
			return 1;
		kp->ev_stack = snoop_session_format_event(kp->a.s, "ftrace", "kernel_stack", kp_on_stack, kp);
		if (!kp->ev_stack)
			return 1;
		kp->f_stack_size = snoop_event_field(kp->ev_stack, "size");
		kp->f_stack_caller = snoop_event_field(kp->ev_stack, "caller");
		kp->pending = calloc((size_t)sysconf(_SC_NPROCESSORS_CONF) + 1, sizeof(*kp->pending));
		if (!kp->pending) {
			snoop_err(kp->a.s, "out of memory");
			return 1;
		}
		kp->npending = (int)sysconf(_SC_NPROCESSORS_CONF) + 1;
		for (int i = 0; i < kp->npending; i++)
			snoop_buf_init(&kp->pending[i].line);
	}
	if (kp->o->stacks && !kp->o->count && !kp->ksyms) {
		kp->ksyms = snoop_ksym_load(NULL);
		if (!kp->ksyms)
			snoop_warn(kp->a.s, "cannot read /proc/kallsyms (%s): stacks show addresses", strerror(errno));
	}
	if (kp->o->latency) {
		kp->lat_def = calloc(1, sizeof(*kp->lat_def));
		if (!kp->lat_def) {
			snoop_err(kp->a.s, "out of memory");
			return 1;
		}
	}
	if (kp->o->hist_field) {
		r = kp_histogram_setup(kp);
		if (r)
			return r;
	}
	if (kp->nhit_path)
		r = kp_nhit_setup(kp);
	else
		r = kp_hist_setup(kp);
	if (r)
		return r;
	snoop_session_on_batch(kp->a.s, kp_on_batch, kp);
	if (kp->o->count || kp->o->hist_field || kp->o->latency)
		snoop_session_on_tick(kp->a.s, kp->o->interval, kp_on_tick, kp);
	return 0;
}
