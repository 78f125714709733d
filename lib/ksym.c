// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel symbolisation from /proc/kallsyms. See include/snoop/ksym.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/ksym.h>
#include <snoop/tracefs.h>

struct snoop_ksyms {
	struct snoop_ksym *syms;
	size_t n;
	char *pool; /* the file's text, NUL-split in place: names point here */
};

static int cmp_addr(const void *a, const void *b)
{
	const struct snoop_ksym *x = a, *y = b;

	bool gx = x->type == 'T' || x->type == 'W', gy = y->type == 'T' || y->type == 'W';

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Aliases at one address: global symbols first, then by name, so
	 * that a lookup gives a stable answer and the name people know. */
	if (gx != gy)
		return gx ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

struct snoop_ksyms *snoop_ksym_load(const char *path)
{
	struct snoop_ksyms *k;
	size_t len, cap = 0;
	bool nonzero = false;
	char *line, *next;

	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->pool = snoop_read_file(path ? path : "/proc/kallsyms", &len);
	if (!k->pool) {
		int e = errno;

		free(k);
		errno = e;
		return NULL;
	}
	for (line = k->pool; line && *line; line = next) {
		char *addr_end, *name, *mod, *end;
		unsigned long long addr;
		char type;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* "ffffffff81000000 T _stext" or "... t fn\t[module]" */
		addr = strtoull(line, &addr_end, 16);
		if (addr_end == line || addr_end[0] != ' ' || !addr_end[1] || addr_end[2] != ' ')
			continue;
		type = addr_end[1];
		if (!is_text(type))
			continue;
		name = addr_end + 3;
		mod = strchr(name, '\t');
		if (mod) {
			*mod++ = '\0';
			if (*mod == '[') {
				mod++;
				end = strchr(mod, ']');
				if (end)
					*end = '\0';
			} else {
				mod = NULL;
			}
		}
		if (!*name)
			continue;
		if (k->n == cap) {
			struct snoop_ksym *ns;

			cap = cap ? cap * 2 : 16384;
			ns = realloc(k->syms, cap * sizeof(*ns));
			if (!ns) {
				snoop_ksym_free(k);
				errno = ENOMEM;
				return NULL;
			}
			k->syms = ns;
		}
		k->syms[k->n++] = (struct snoop_ksym){ .addr = addr, .name = name, .module = mod, .type = type };
		if (addr)
			nonzero = true;
	}
	if (!nonzero) {
		/* kptr_restrict hides the addresses (not root, or level 2). */
		snoop_ksym_free(k);
		errno = EPERM;
		return NULL;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), cmp_addr);
	return k;
}

void snoop_ksym_free(struct snoop_ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->pool);
	free(k);
}

size_t snoop_ksym_count(const struct snoop_ksyms *k)
{
	return k ? k->n : 0;
}

const struct snoop_ksym *snoop_ksym_lookup(const struct snoop_ksyms *k, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->syms[0].addr)
		return NULL;
	/* The last symbol with sym.addr <= addr; among aliases, the first. */
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo > 0 && k->syms[lo - 1].addr == k->syms[lo].addr)
		lo--;
	if (off)
		*off = addr - k->syms[lo].addr;
	return &k->syms[lo];
}

const struct snoop_ksym *snoop_ksym_by_name(const struct snoop_ksyms *k, const char *name, const char *module)
{
	if (!k)
		return NULL;
	for (size_t i = 0; i < k->n; i++) {
		const struct snoop_ksym *s = &k->syms[i];

		if (strcmp(s->name, name) != 0)
			continue;
		if (!module || (!*module && !s->module) || (*module && s->module && !strcmp(module, s->module)))
			return s;
	}
	return NULL;
}
