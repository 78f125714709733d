// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Patterns: what the user asked for, checked against the kernel's list of
 * traceable functions (available_filter_functions) before anything is
 * written, so that a typo is an error and the number of functions is known
 * before the tracer runs.
 *
 * The kernel's ftrace glob knows '*', '?' and '[...]' (lib/glob.c), which is
 * what fnmatch(3) without flags does for names made of identifier bytes.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/session.h>

#include "functrace.h"

#define MOD_SEP ":mod:"


int ft_pattern_parse(const char *arg, struct ft_pattern *p, char *err, size_t errlen)
{
	const char *sep;
	size_t n = strlen(arg);

	memset(p, 0, sizeof(*p));
	p->arg = arg;
	if (n == 0) {
		snprintf(err, errlen, "empty pattern");
		return -1;
	}
	if (n >= FT_PATTERN_MAX) {
		snprintf(err, errlen, "pattern longer than %d bytes", FT_PATTERN_MAX - 1);
		return -1;
	}
	/* Function and module names are identifier bytes plus glob syntax;
	 * anything else (spaces, newlines, controls) would be read by the
	 * kernel as a second command in the same write. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)arg[i];

		if (c <= ' ' || c >= 0x7f) {
			snprintf(err, errlen, "pattern has a space, control or non-ASCII byte at offset %zu", i);
			return -1;
		}
	}
	if (arg[0] == '!') {
		snprintf(err, errlen, "a leading '!' is ftrace's removal syntax, not a pattern: use -x PATTERN to exclude");
		return -1;
	}
	sep = strstr(arg, MOD_SEP);
	if (sep) {
		const char *mod = sep + strlen(MOD_SEP);

		if (!*mod || strchr(mod, ':') || memchr(arg, ':', (size_t)(sep - arg))) {
			snprintf(err, errlen, "expected GLOB:mod:MODULE with one module name");
			return -1;
		}
		p->glob = sep == arg ? strdup("*") : strndup(arg, (size_t)(sep - arg));
		p->module = strdup(mod);
	} else if (strchr(arg, ':')) {
		snprintf(err, errlen,
			 "':' is only allowed in GLOB:mod:MODULE (ftrace commands such as :traceoff are not supported)");
		return -1;
	} else {
		p->glob = strndup(arg, n);
	}
	if (!p->glob || (sep && !p->module)) {
		ft_pattern_free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void ft_pattern_free(struct ft_pattern *p)
{
	free(p->glob);
	free(p->module);
	p->glob = p->module = NULL;
}

void ft_pattern_kernel_form(const struct ft_pattern *p, char *out, size_t outlen)
{
	if (p->module)
		snprintf(out, outlen, "%s" MOD_SEP "%s", p->glob, p->module);
	else
		snprintf(out, outlen, "%s", p->glob);
}

static bool pattern_matches(const struct ft_pattern *p, const char *name, const char *module)
{
	if (p->module && (!module || fnmatch(p->module, module, 0) != 0))
		return false;
	return fnmatch(p->glob, name, 0) == 0;
}

size_t ft_match(char *list, struct ft_pattern *inc, size_t ninc, struct ft_pattern *exc, size_t nexc)
{
	size_t selected = 0;
	char *line, *next;

	for (size_t i = 0; i < ninc; i++)
		inc[i].matches = 0;
	for (size_t i = 0; i < nexc; i++)
		exc[i].matches = 0;
	for (line = list; line && *line; line = next) {
		char *module = NULL, *sp;
		bool in = false, out = false;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* "name" or "name [module]" */
		sp = strchr(line, ' ');
		if (sp) {
			*sp = '\0';
			if (sp[1] == '[') {
				module = sp + 2;
				module[strcspn(module, "]")] = '\0';
			}
		}
		/* Entries the kernel could not resolve (6.1+): not functions. */
		if (!*line || strncmp(line, "__ftrace_invalid_address__", 26) == 0)
			continue;
		for (size_t i = 0; i < ninc; i++) {
			if (pattern_matches(&inc[i], line, module)) {
				inc[i].matches++;
				in = true;
			}
		}
		for (size_t i = 0; i < nexc; i++) {
			if (pattern_matches(&exc[i], line, module)) {
				exc[i].matches++;
				out = true;
			}
		}
		if (in && !out)
			selected++;
	}
	return selected;
}

/* Lines of a filter file's text, cut in place: no comments ("#### all
 * functions enabled ####"), no empty lines. */
static int filter_lines(char *text, char ***out, size_t *count)
{
	char **v = NULL;
	size_t n = 0, cap = 0;

	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || *line == '#')
			continue;
		if (n == cap) {
			char **nv = realloc(v, sizeof(*v) * (cap = cap ? cap * 2 : 64));

			if (!nv) {
				free(v);
				return -1;
			}
			v = nv;
		}
		v[n++] = line;
	}
	*out = v;
	*count = n;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t ft_kernel_selected(char *filter, char *notrace, size_t *nfilter)
{
	char **f = NULL, **x = NULL;
	size_t nf = 0, nx = 0, n = 0;

	if (filter_lines(filter, &f, &nf) < 0 || (notrace && filter_lines(notrace, &x, &nx) < 0)) {
		free(f);
		return SIZE_MAX;
	}

	/* Both files list "name" or "name [module]" per traced address, in
	 * the same form, so a line of the filter that the notrace list also
	 * holds is excluded (all the addresses of that name: a glob matches
	 * names, not addresses). */
	if (nx)
		qsort(x, nx, sizeof(*x), cmp_line);
	for (size_t i = 0; i < nf; i++)
		if (!nx || !bsearch(&f[i], x, nx, sizeof(*x), cmp_line))
			n++;
	free(f);
	free(x);
	if (nfilter)
		*nfilter = nf;
	return n;
}

int ft_check_count(size_t n, long limit, bool force)
{
	if (!n) {
		snoop_errx("functrace", "the exclusions (-x) leave no function to trace");
		return FT_EXIT_USAGE;
	}
	if (n > (size_t)limit && !force) {
		snoop_errx("functrace", "the patterns match %zu functions, more than the limit of %ld: narrow them, "
			   "raise --limit or add --force (tracing many functions slows the whole system)",
			   n, limit);
		return FT_EXIT_USAGE;
	}
	return 0;
}
