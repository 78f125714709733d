// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --libc: paths without kprobes, from uprobes on the C library's open
 * functions (open/open64, openat/openat64, and __open_nocancel, which
 * fopen() and friends use). A uprobe runs in the caller's context before the
 * syscall, so it can fetch the path string the syscall will get; its record
 * is matched to the syscalls:sys_enter_* record of the same thread that
 * carries the same string address, and only then trusted.
 *
 * Limits (also in the man page): only programs that map the probed C
 * library file (the one opensnoop itself uses, and with -p the target's);
 * statically linked programs, other C libraries (musl, a container's
 * glibc), raw syscall(2) and io_uring opens get no path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/tracefs.h>
#include <snoop/uprobe.h>

#include "opensnoop.h"

struct libc_sym {
	const char *name;
	int path_arg; /* which argument is the path */
};

static const struct libc_sym syms[] = {
	{ "open", 0 }, { "open64", 0 }, { "__open_nocancel", 0 }, { "__open64_nocancel", 0 },
	{ "openat", 1 }, { "openat64", 1 },
};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))

static void on_uprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	struct open_entry *e;
	const char *p = NULL;
	size_t n = 0;
	uint64_t ptr = 0;

	if (r->pid == x->self)
		return;
	e = opensnoop_entry_new(x, r->pid, r->ts);
	for (int i = 0; i < x->nup; i++) {
		if (x->ev_up[i] == r->ev) {
			p = snoop_field_str(r, x->f_up_path[i], &n);
			ptr = snoop_field_u64(r, x->f_up_ptr[i]);
			break;
		}
	}
	/* open64 -> (nothing) but __open_2 -> open: the same string twice is
	 * one open. */
	(void)s;
	e->uptr = ptr;
	opensnoop_entry_path(x, e, p, n);
}

int opensnoop_setup_libc(struct opensnoop *x)
{
	const struct snoop_features *feat = snoop_session_features(x->s);
	char *libs[2] = { NULL, NULL };
	int nlibs = 0;

	if (!snoop_uprobe_arg_reg(1)) {
		snoop_err(x->s, "--libc: this architecture is not supported");
		return -1;
	}
	if (!feat->uprobe_events) {
		snoop_err(x->s, "--libc needs uprobe events (CONFIG_UPROBE_EVENTS), which this kernel lacks");
		return -1;
	}
	libs[nlibs] = snoop_uprobe_find_libc(0);
	if (libs[nlibs])
		nlibs++;
	if (x->a.common.pid) {
		libs[nlibs] = snoop_uprobe_find_libc(x->a.common.pid);
		if (libs[nlibs] && (!nlibs || strcmp(libs[0], libs[nlibs]) != 0))
			nlibs++;
		else
			free(libs[nlibs]);
	}
	if (!nlibs) {
		snoop_err(x->s, "--libc: no C library (libc.so*) mapped by %s", x->a.common.pid ? "the process" : "opensnoop");
		return -1;
	}
	for (int l = 0; l < nlibs; l++) {
		struct snoop_usym us[NSYMS];
		uint64_t done[NSYMS];
		int ndone = 0;

		for (size_t j = 0; j < NSYMS; j++)
			us[j].name = syms[j].name;
		if (snoop_uprobe_offsets(libs[l], us, NSYMS) < 0) {
			snoop_err(x->s, "--libc: cannot read the symbols of %s", libs[l]);
			goto fail;
		}
		for (size_t j = 0; j < NSYMS; j++) {
			const char *reg = snoop_uprobe_arg_reg(syms[j].path_arg);
			char args[64], name[64];
			struct snoop_event *ev;
			bool dup = false;

			if (!us[j].off || x->nup >= 8)
				continue;
			/* Aliases (open/open64) share an address: probe it once. */
			for (int d = 0; d < ndone; d++)
				dup |= done[d] == us[j].off;
			if (dup)
				continue;
			done[ndone++] = us[j].off;
			snprintf(name, sizeof(name), "libc%d_%s", l, syms[j].name[0] == '_' ? syms[j].name + 2 : syms[j].name);
			snprintf(args, sizeof(args), "path=+0(%s):ustring ptr=%s:x64", reg, reg);
			ev = snoop_uprobe_add(x->s, name, libs[l], us[j].off, args, on_uprobe, x);
			if (!ev)
				goto fail;
			x->ev_up[x->nup] = ev;
			x->f_up_path[x->nup] = snoop_event_field(ev, "path");
			x->f_up_ptr[x->nup] = snoop_event_field(ev, "ptr");
			/* No filter: our own opens are dropped by on_uprobe(),
			 * a PATTERN is matched in user space, where opens
			 * without a libc path are dropped too. */
			x->nup++;
		}
	}
	for (int l = 0; l < nlibs; l++)
		free(libs[l]);
	return 0;
fail:
	for (int l = 0; l < nlibs; l++)
		free(libs[l]);
	return -1;
}
