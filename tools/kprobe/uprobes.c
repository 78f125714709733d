// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe's user-space probes (u:, ur:, p:/PATH:SYM): the binary and symbol
 * resolved to a file offset through libsnoop's uprobe code, fetch args
 * made into what trace_uprobe accepts, and -l's symbol listing.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/output.h>
#include <snoop/uprobe.h>

#include "kprobe.h"

/* trace_uprobe has no $argN (only kprobes and fprobes do, with the
 * kernel's calling convention): at a function's first instruction the
 * integer arguments are in the ABI's registers, so $argN becomes those. */
static int args_to_user_registers(struct snoop_probe_def *d, struct snoop_probe_error *err)
{
	for (int i = 0; i < d->nargs; i++) {
		struct snoop_probe_arg *a = &d->args[i];
		char out[sizeof(a->fetch)];
		size_t o = 0;

		if (a->btf)
			return snprintf(err->msg, sizeof(err->msg),
					"'%.40s': user-space probes have no BTF names; use %%REG, argN or +OFF(ARG)",
					a->fetch), err->pos = a->pos, -1;
		for (const char *s = a->fetch; *s;) {
			if (!strncmp(s, "$arg", 4) && s[4] >= '1' && s[4] <= '9' && d->offset)
				return snprintf(err->msg, sizeof(err->msg),
						"argN is a register at the function's entry, not at +OFFS: use %%REG"),
				       err->pos = a->pos, -1;
			if (!strncmp(s, "$arg", 4) && s[4] >= '1' && s[4] <= '9') {
				char *end;
				long n = strtol(s + 4, &end, 10);
				const char *reg = snoop_uprobe_arg_reg((int)n - 1);

				if (!reg)
					return snprintf(err->msg, sizeof(err->msg),
							"$arg%ld: only the arguments passed in registers can be fetched "
							"in user space", n), err->pos = a->pos, -1;
				if (o + strlen(reg) >= sizeof(out))
					return snprintf(err->msg, sizeof(err->msg), "fetch argument too long"),
					       err->pos = a->pos, -1;
				memcpy(out + o, reg, strlen(reg));
				o += strlen(reg);
				s = end;
			} else {
				if (o + 1 >= sizeof(out))
					return snprintf(err->msg, sizeof(err->msg), "fetch argument too long"),
					       err->pos = a->pos, -1;
				out[o++] = *s++;
			}
		}
		out[o] = '\0';
		memcpy(a->fetch, out, o + 1);
	}
	return 0;
}

int kp_uprobe_resolve(struct kp_probe *p)
{
	struct snoop_probe_def *d = p->def;
	struct snoop_probe_error err = { 0 };
	struct snoop_buf q;

	snoop_buf_init(&q);
	snoop_escape_text(&q, d->binary, strlen(d->binary));
	if (snoop_uprobe_find_binary(d->binary, d->ufile, sizeof(d->ufile)) < 0) {
		snoop_errx("kprobe", "no such binary '%s' (not a readable file, nor a program in PATH or a library)",
			   snoop_buf_cstr(&q));
		snoop_buf_free(&q);
		return KP_EXIT_USAGE;
	}
	if (d->has_addr) {
		/* BINARY:0xADDR is a file offset already, as in uprobe_events. */
		if (snoop_uprobe_each_sym(d->ufile, NULL, NULL) < 0) {
			snoop_errx("kprobe", "'%s' is not a 64-bit ELF file", snoop_buf_cstr(&q));
			snoop_buf_free(&q);
			return KP_EXIT_USAGE;
		}
		d->uoff = d->addr;
	} else {
		struct snoop_usym sym = { d->func, 0 };

		if (snoop_uprobe_offsets(d->ufile, &sym, 1) < 0) {
			snoop_errx("kprobe", "'%s' is not a 64-bit ELF file", snoop_buf_cstr(&q));
			snoop_buf_free(&q);
			return KP_EXIT_USAGE;
		}
		if (!sym.off) {
			snoop_errx("kprobe", "no function '%s' in %s (kprobe -l %s lists them)", d->func, d->ufile,
				   snoop_buf_cstr(&q));
			snoop_buf_free(&q);
			return KP_EXIT_USAGE;
		}
		d->uoff = sym.off + d->offset;
	}
	snoop_buf_free(&q);
	d->uresolved = true;
	if (args_to_user_registers(d, &err) < 0) {
		kp_def_error(p->text, err.pos, "%s", err.msg);
		return KP_EXIT_USAGE;
	}
	return 0;
}

struct list_ctx {
	const char *glob;
	char **names;
	size_t n, cap;
	bool oom;
};

static int collect(const char *name, uint64_t off, uint64_t size, void *ctx)
{
	struct list_ctx *c = ctx;

	(void)off;
	(void)size;
	if (c->glob && fnmatch(c->glob, name, 0) != 0)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		char **nn = realloc(c->names, cap * sizeof(*nn));

		if (!nn)
			return c->oom = true, 1;
		c->names = nn;
		c->cap = cap;
	}
	c->names[c->n] = strdup(name);
	if (!c->names[c->n])
		return c->oom = true, 1;
	c->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kp_uprobe_list(const char *binary, const char *glob)
{
	struct list_ctx c = { .glob = glob };
	char file[256];
	struct snoop_buf b;
	int ret = 0;

	snoop_buf_init(&b);
	snoop_escape_text(&b, binary, strlen(binary));
	if (snoop_uprobe_find_binary(binary, file, sizeof(file)) < 0) {
		snoop_errx("kprobe", "no such binary '%s' (not a readable file, nor a program in PATH or a library)",
			   snoop_buf_cstr(&b));
		snoop_buf_free(&b);
		return KP_EXIT_USAGE;
	}
	if (snoop_uprobe_each_sym(file, collect, &c) < 0 || c.oom) {
		snoop_errx("kprobe", c.oom ? "out of memory" : "'%s' is not a 64-bit ELF file", snoop_buf_cstr(&b));
		ret = c.oom ? 1 : KP_EXIT_USAGE;
		goto out;
	}
	/* .dynsym and .symtab both name most functions: once each. */
	qsort(c.names, c.n, sizeof(*c.names), by_name);
	b.len = 0;
	for (size_t i = 0; i < c.n; i++) {
		if (i && !strcmp(c.names[i], c.names[i - 1]))
			continue;
		snoop_escape_text(&b, c.names[i], strlen(c.names[i]));
		snoop_buf_addc(&b, '\n');
	}
	fwrite(b.data, 1, b.len, stdout);
	if (fflush(stdout) != 0)
		ret = 1;
out:
	for (size_t i = 0; i < c.n; i++)
		free(c.names[i]);
	free(c.names);
	snoop_buf_free(&b);
	return ret;
}
