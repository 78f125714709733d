// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probe definitions: parse the kernel's syntax, check it, render it back.
 * See include/snoop/probe_parse.h. Everything the kernel would refuse with
 * a terse error_log line we try to refuse here first, with a clearer
 * message and a column, before any byte reaches tracefs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/probe_parse.h>

int snoop_probe_fail(struct snoop_probe_error *err, int pos, const char *fmt, ...)
{
	va_list ap;

	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool ident_start(int c) { return isalpha(c) || c == '_'; }
static bool ident_char(int c) { return isalnum(c) || c == '_'; }

/* The kernel's is_good_name(): [A-Za-z_][A-Za-z0-9_]*. */
static bool good_name(const char *s, size_t n)
{
	if (n == 0 || !ident_start((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!ident_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Tracepoint system and event names are looser: "9p", "xfs-foo" exist. */
static bool good_tp_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ident_char((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

int snoop_probe_split_filter(const char *text, size_t *deflen)
{
	char quote = 0;
	size_t i, n = strlen(text);

	for (i = 0; i < n; i++) {
		char c = text[i];

		if (quote) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = c;
			continue;
		}
		if (c == ' ' && strncmp(text + i, " if ", 4) == 0) {
			size_t e = i;

			while (e > 0 && text[e - 1] == ' ')
				e--;
			*deflen = e;
			i += 4;
			while (text[i] == ' ')
				i++;
			return (int)i;
		}
	}
	*deflen = n;
	while (*deflen > 0 && text[*deflen - 1] == ' ')
		(*deflen)--;
	return -1;
}

bool snoop_probe_type_ok(const char *t)
{
	static const char *const basic[] = { "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
					     "x8", "x16", "x32", "x64", "char", "string", "ustring",
					     "symbol", "symstr", "%pd", "%pD", NULL };
	const char *br = strchr(t, '[');
	char base[32];
	size_t blen;

	if (t[0] == 'b' && isdigit((unsigned char)t[1])) {
		/* Bitfield b<width>@<offset>/<container bits>. */
		unsigned w, o, c;
		int used = 0;

		if (sscanf(t, "b%u@%u/%u%n", &w, &o, &c, &used) != 3 || t[used])
			return false;
		return (c == 8 || c == 16 || c == 32 || c == 64) && w >= 1 && w + o <= c;
	}
	blen = br ? (size_t)(br - t) : strlen(t);
	if (blen == 0 || blen >= sizeof(base))
		return false;
	memcpy(base, t, blen);
	base[blen] = '\0';
	if (br) {
		char *end;
		long n;

		/* Arrays of strings are allowed by the kernel only for string
		 * pointers: TYPE[N] with 1 <= N <= MAX_ARRAY_LEN. */
		errno = 0;
		n = strtol(br + 1, &end, 10);
		if (errno || end == br + 1 || *end != ']' || end[1] || n < 1 || n > SNOOP_PROBE_ARRAY_MAX)
			return false;
	}
	for (int i = 0; basic[i]; i++)
		if (!strcmp(base, basic[i]))
			return true;
	return false;
}

/* Copy fetch with the conveniences expanded: argN -> $argN, retval ->
 * $retval, as whole words that are not a register (%), variable ($),
 * symbol (@) or part of a longer name. */
static int expand_fetch(const char *in, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		const char *add = NULL;
		size_t addn = 0, skip = 1;

		if (ident_start((unsigned char)in[i]) &&
		    (i == 0 || !(ident_char((unsigned char)in[i - 1]) || in[i - 1] == '$' || in[i - 1] == '%' ||
				 in[i - 1] == '@' || in[i - 1] == '>' || in[i - 1] == '.'))) {
			size_t e = i;

			while (e < n && ident_char((unsigned char)in[e]))
				e++;
			if (e - i > 3 && !strncmp(in + i, "arg", 3) && in[i + 3] != '0') {
				size_t k = i + 3;

				while (k < e && isdigit((unsigned char)in[k]))
					k++;
				if (k == e) {
					if (o + 1 >= outlen)
						return -1;
					out[o++] = '$';
				}
			} else if (e - i == 6 && !strncmp(in + i, "retval", 6)) {
				if (o + 1 >= outlen)
					return -1;
				out[o++] = '$';
			}
			add = in + i;
			addn = e - i;
			skip = e - i;
		} else {
			add = in + i;
			addn = 1;
		}
		if (o + addn >= outlen)
			return -1;
		memcpy(out + o, add, addn);
		o += addn;
		i += skip;
	}
	out[o] = '\0';
	return 0;
}

/* "filename", "how->flags", "how->a->b": names the kernel may not know
 * (BTF), resolved by the caller. */
static bool is_btf_expr(const char *s)
{
	if (!ident_start((unsigned char)*s))
		return false;
	while (*s) {
		if (!ident_start((unsigned char)*s))
			return false;
		while (ident_char((unsigned char)*s))
			s++;
		if (!*s)
			return true;
		if (s[0] == '.')
			s++;
		else if (s[0] == '-' && s[1] == '>')
			s += 2;
		else
			return false;
	}
	return false;
}

/* An argument name from its expression: $arg2 -> arg2, %di -> di,
 * how->flags -> how_flags; "" when nothing sensible comes out. */
static void derive_arg_name(const char *fetch, char *out, size_t outlen)
{
	const char *s = fetch;
	size_t o = 0;

	if (*s == '$' || *s == '%')
		s++;
	if (!ident_start((unsigned char)*s)) {
		out[0] = '\0';
		return;
	}
	for (; *s && o + 1 < outlen; s++) {
		if (ident_char((unsigned char)*s))
			out[o++] = *s;
		else if (*s == '.')
			out[o++] = '_';
		else if (s[0] == '-' && s[1] == '>') {
			out[o++] = '_';
			s++;
		} else {
			o = 0;
			break;
		}
	}
	out[o] = '\0';
}

static bool name_taken(const struct snoop_probe_def *d, int upto, const char *name)
{
	for (int i = 0; i < upto; i++)
		if (!strcmp(d->args[i].name, name))
			return true;
	return false;
}

static int parse_arg(struct snoop_probe_def *d, const char *text, size_t start, size_t len,
		     struct snoop_probe_error *err)
{
	struct snoop_probe_arg *a = &d->args[d->nargs];
	const char *s = text + start;
	size_t i, eq = 0, colon = 0, flen;
	int depth = 0;
	bool has_eq = false, has_colon = false;

	if (d->nargs >= SNOOP_PROBE_ARGS_MAX)
		return snoop_probe_fail(err, (int)start, "too many fetch arguments (at most %d)", SNOOP_PROBE_ARGS_MAX);
	memset(a, 0, sizeof(*a));
	a->pos = (int)start;
	/* NAME= is a leading identifier followed by '='. */
	for (i = 0; i < len && ident_char((unsigned char)s[i]); i++)
		;
	if (i < len && s[i] == '=' && i > 0) {
		has_eq = true;
		eq = i;
	}
	/* :TYPE is the last ':' outside parentheses and brackets. */
	for (i = has_eq ? eq + 1 : 0; i < len; i++) {
		if (s[i] == '(' || s[i] == '[')
			depth++;
		else if (s[i] == ')' || s[i] == ']')
			depth--;
		else if (s[i] == ':' && depth == 0) {
			has_colon = true;
			colon = i;
		}
	}
	if (depth != 0)
		return snoop_probe_fail(err, (int)start, "unbalanced parentheses in fetch argument");
	if (has_eq) {
		if (!good_name(s, eq))
			return snoop_probe_fail(err, (int)start, "invalid argument name: use letters, digits and '_'");
		if (eq > SNOOP_PROBE_ARGNAME_MAX)
			return snoop_probe_fail(err, (int)start, "argument name longer than %d characters",
				    SNOOP_PROBE_ARGNAME_MAX);
		if (!strncmp(s, "common_", 7) || !strncmp(s, "__", 2))
			return snoop_probe_fail(err, (int)start, "argument names starting with 'common_' or '__' are reserved");
		memcpy(a->name, s, eq);
		a->named = true;
	}
	{
		size_t fs = has_eq ? eq + 1 : 0;
		size_t fe = has_colon ? colon : len;

		flen = fe - fs;
		if (flen == 0)
			return snoop_probe_fail(err, (int)(start + fs), "empty fetch argument");
		if (flen > SNOOP_PROBE_ARGSTR_MAX)
			return snoop_probe_fail(err, (int)(start + fs), "fetch argument longer than %d characters",
				    SNOOP_PROBE_ARGSTR_MAX);
		if (has_colon) {
			size_t tl = len - colon - 1;

			if (tl == 0 || tl >= sizeof(a->type))
				return snoop_probe_fail(err, (int)(start + colon + 1), "missing or overlong type after ':'");
			memcpy(a->type, s + colon + 1, tl);
			a->type[tl] = '\0';
			if (!snoop_probe_type_ok(a->type))
				return snoop_probe_fail(err, (int)(start + colon + 1),
					    "unknown type '%s' (u8..u64, s8..s64, x8..x64, char, string, ustring, "
					    "symbol, symstr, bN@O/C, TYPE[N])", a->type);
		}
		if (expand_fetch(s + fs, flen, a->fetch, sizeof(a->fetch)) < 0)
			return snoop_probe_fail(err, (int)(start + fs), "fetch argument too long");
		/* Kernel fetch syntax starts with one of these; anything else
		 * that looks like a C name is a BTF name for the caller. */
		switch (a->fetch[0]) {
		case '$':
			/* $arg2->flags: a BTF field of an argument given by number. */
			if (strstr(a->fetch, "->"))
				a->btf = true;
			break;
		case '%': case '@': case '+': case '-': case '\\':
			break;
		default:
			if (isdigit((unsigned char)a->fetch[0]))
				return snoop_probe_fail(err, (int)(start + fs),
					    "a number is not a fetch argument (use \\%s for an immediate value)",
					    a->fetch);
			if (!is_btf_expr(a->fetch))
				return snoop_probe_fail(err, (int)(start + fs),
					    "unknown fetch argument '%.40s' (%%REG, $argN, argN, $retval, $stackN, "
					    "$comm, @ADDR, +|-OFF(ARG), or a BTF name like how->flags)", a->fetch);
			if (d->kind == SNOOP_PROBE_TRACEPOINT)
				return snoop_probe_fail(err, (int)(start + fs), "tracepoints take no fetch arguments");
			a->btf = true;
		}
		/* The kernel reads a string only from memory (+OFF(...)): for a
		 * register or argument that holds the pointer, add the +0(). */
		if (!a->btf && (!strcmp(a->type, "string") || !strcmp(a->type, "ustring") || !strcmp(a->type, "symstr")) &&
		    (a->fetch[0] == '%' || !strncmp(a->fetch, "$arg", 4) || !strncmp(a->fetch, "$stack", 6) ||
		     !strncmp(a->fetch, "$retval", 7))) {
			char w[sizeof(a->fetch)];

			if (snprintf(w, sizeof(w), "+0(%s)", a->fetch) >= (int)sizeof(w))
				return snoop_probe_fail(err, (int)(start + fs), "fetch argument too long");
			memcpy(a->fetch, w, sizeof(w));
		}
		if (strstr(a->fetch, "$retval") && !snoop_probe_is_return(d))
			return snoop_probe_fail(err, (int)(start + fs), "retval is only available on return probes (r:, ur:, f: FUNC%%return)");
	}
	if (!a->named) {
		char base[SNOOP_PROBE_ARGNAME_MAX + 1];

		derive_arg_name(a->fetch, base, sizeof(base));
		if (!base[0] || !strncmp(base, "common_", 7) || !strncmp(base, "__", 2))
			snprintf(base, sizeof(base), "arg%d", d->nargs + 1);
		snprintf(a->name, sizeof(a->name), "%s", base);
		/* Two args on the same expression: tell them apart. */
		for (int k = 2; name_taken(d, d->nargs, a->name); k++) {
			char suffix[12];
			int sl = snprintf(suffix, sizeof(suffix), "_%d", k);
			size_t bl = strlen(base);

			if (bl + (size_t)sl > SNOOP_PROBE_ARGNAME_MAX)
				bl = SNOOP_PROBE_ARGNAME_MAX - (size_t)sl;
			snprintf(a->name, sizeof(a->name), "%.*s%s", (int)bl, base, suffix);
		}
	} else if (name_taken(d, d->nargs, a->name)) {
		return snoop_probe_fail(err, (int)start, "argument name '%s' used twice", a->name);
	}
	d->nargs++;
	return 0;
}

/* BINARY:SYMBOL[+OFFS] of a uprobe. BINARY is a path or a name (no
 * blanks, no ':'); SYMBOL an ELF symbol name, with '.' and '@' for clones
 * and versions (memcpy@GLIBC_2.2.5), or an address 0x... in the file. */
static int parse_user_target(struct snoop_probe_def *d, const char *buf, size_t start, struct snoop_probe_error *err)
{
	const char *colon = strrchr(buf, ':');
	const char *sym, *plus;
	size_t blen, slen;

	if (!colon || colon == buf)
		return snoop_probe_fail(err, (int)start, "a uprobe target is BINARY:SYMBOL[+OFFS]");
	blen = (size_t)(colon - buf);
	if (blen >= sizeof(d->binary))
		return snoop_probe_fail(err, (int)start, "binary path too long");
	memcpy(d->binary, buf, blen);
	d->binary[blen] = '\0';
	sym = colon + 1;
	plus = strchr(sym, '+');
	slen = plus ? (size_t)(plus - sym) : strlen(sym);
	if (plus) {
		char *end;

		errno = 0;
		d->offset = strtoul(plus + 1, &end, 0);
		if (errno || end == plus + 1 || *end)
			return snoop_probe_fail(err, (int)(start + (size_t)(plus - buf)), "invalid offset '%s'", plus + 1);
		if (d->kind == SNOOP_PROBE_URETPROBE && d->offset)
			return snoop_probe_fail(err, (int)(start + (size_t)(plus - buf)),
				    "a return probe must be on the function entry (+0)");
	}
	if (slen == 0)
		return snoop_probe_fail(err, (int)(start + blen + 1), "missing the symbol after BINARY:");
	if (slen >= sizeof(d->func))
		return snoop_probe_fail(err, (int)(start + blen + 1), "symbol name too long");
	if (isdigit((unsigned char)sym[0])) {
		char num[sizeof(d->func)], *end;

		memcpy(num, sym, slen);
		num[slen] = '\0';
		errno = 0;
		d->addr = strtoull(num, &end, 0);
		if (errno || *end)
			return snoop_probe_fail(err, (int)(start + blen + 1), "invalid address '%s'", num);
		d->has_addr = true;
		return 0;
	}
	if (!ident_start((unsigned char)sym[0]))
		return snoop_probe_fail(err, (int)(start + blen + 1), "invalid symbol name");
	for (size_t k = 0; k < slen; k++)
		if (!ident_char((unsigned char)sym[k]) && sym[k] != '.' && sym[k] != '@')
			return snoop_probe_fail(err, (int)(start + blen + 1 + k), "invalid character in symbol name");
	memcpy(d->func, sym, slen);
	d->func[slen] = '\0';
	return 0;
}

/* FUNC[+OFFS], MOD:FUNC[+OFFS], MEMADDR, or for fprobes FUNC[%return]. */
static int parse_target(struct snoop_probe_def *d, const char *text, size_t start, size_t len,
			struct snoop_probe_error *err)
{
	const char *s = text + start;
	char buf[256];
	char *plus, *colon, *pct;

	d->target_pos = (int)start;
	if (len >= sizeof(buf))
		return snoop_probe_fail(err, (int)start, "probe target too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* A path: perf-tools' uprobe spelling p:/bin/bash:readline. */
	if (buf[0] == '/' && (d->kind == SNOOP_PROBE_KPROBE || d->kind == SNOOP_PROBE_KRETPROBE))
		d->kind = d->kind == SNOOP_PROBE_KPROBE ? SNOOP_PROBE_UPROBE : SNOOP_PROBE_URETPROBE;
	if (snoop_probe_is_user(d) && d->maxactive)
		return snoop_probe_fail(err, (int)start, "uretprobes take no MAXACTIVE");
	if (snoop_probe_is_user(d))
		return parse_user_target(d, buf, start, err);
	pct = strchr(buf, '%');
	if (pct) {
		if (d->kind != SNOOP_PROBE_FENTRY || strcmp(pct, "%return"))
			return snoop_probe_fail(err, (int)start + (int)(pct - buf),
				    "'%%return' is for f: probes only; use r: for a kretprobe");
		d->kind = SNOOP_PROBE_FEXIT;
		*pct = '\0';
	}
	if (isdigit((unsigned char)buf[0])) {
		char *end;

		if (d->kind != SNOOP_PROBE_KPROBE)
			return snoop_probe_fail(err, (int)start, "only p: probes can be placed at an address");
		errno = 0;
		d->addr = strtoull(buf, &end, 0);
		if (errno || *end)
			return snoop_probe_fail(err, (int)start, "invalid address '%s'", buf);
		d->has_addr = true;
		return 0;
	}
	colon = strchr(buf, ':');
	if (colon) {
		if (!good_name(buf, (size_t)(colon - buf)) || (size_t)(colon - buf) > SNOOP_PROBE_NAME_MAX)
			return snoop_probe_fail(err, (int)start, "invalid module name in MOD:FUNC");
		memcpy(d->module, buf, (size_t)(colon - buf));
		d->module[colon - buf] = '\0';
		memmove(buf, colon + 1, strlen(colon + 1) + 1);
		start += (size_t)(colon - buf) + 1;
	}
	plus = strchr(buf, '+');
	if (plus) {
		char *end;

		if (d->kind == SNOOP_PROBE_FENTRY || d->kind == SNOOP_PROBE_FEXIT)
			return snoop_probe_fail(err, (int)start + (int)(plus - buf), "fprobes take no +OFFS");
		errno = 0;
		d->offset = strtoul(plus + 1, &end, 0);
		if (errno || end == plus + 1 || *end)
			return snoop_probe_fail(err, (int)start + (int)(plus - buf), "invalid offset '%s'", plus + 1);
		if (d->kind == SNOOP_PROBE_KRETPROBE && d->offset)
			return snoop_probe_fail(err, (int)start + (int)(plus - buf),
				    "a return probe must be on the function entry (+0)");
		*plus = '\0';
	}
	/* Kernel symbols: C names, plus '.' for compiler clones (foo.isra.0). */
	if (!buf[0] || !ident_start((unsigned char)buf[0]))
		return snoop_probe_fail(err, (int)start, "invalid function name '%s'", buf);
	for (char *p = buf; *p; p++)
		if (!ident_char((unsigned char)*p) && *p != '.')
			return snoop_probe_fail(err, (int)start + (int)(p - buf), "invalid character in function name");
	if (strlen(buf) >= sizeof(d->func))
		return snoop_probe_fail(err, (int)start, "function name too long");
	snprintf(d->func, sizeof(d->func), "%s", buf);
	return 0;
}

/* "[GRP/][EVENT]" after "p:" (len may be 0). */
static int parse_name(struct snoop_probe_def *d, const char *text, size_t start, size_t len,
		      struct snoop_probe_error *err)
{
	const char *s = text + start;
	const char *slash = memchr(s, '/', len);
	size_t glen = slash ? (size_t)(slash - s) : 0;
	size_t estart = slash ? glen + 1 : 0;
	size_t elen = len - estart;

	if (slash) {
		if (!good_name(s, glen))
			return snoop_probe_fail(err, (int)start, "invalid group name: use letters, digits and '_'");
		if (glen > SNOOP_PROBE_NAME_MAX)
			return snoop_probe_fail(err, (int)start, "group name longer than %d characters", SNOOP_PROBE_NAME_MAX);
		memcpy(d->group, s, glen);
		d->group[glen] = '\0';
	}
	if (elen) {
		if (!good_name(s + estart, elen))
			return snoop_probe_fail(err, (int)(start + estart), "invalid event name: use letters, digits and '_'");
		if (elen > SNOOP_PROBE_NAME_MAX)
			return snoop_probe_fail(err, (int)(start + estart), "event name longer than %d characters",
				    SNOOP_PROBE_NAME_MAX);
		memcpy(d->event, s + estart, elen);
		d->event[elen] = '\0';
	}
	return 0;
}

static int parse_tracepoint(struct snoop_probe_def *d, const char *text, size_t start, size_t len,
			    struct snoop_probe_error *err)
{
	const char *s = text + start;
	const char *sep = NULL;

	for (size_t i = 0; i < len; i++)
		if (s[i] == ':' || s[i] == '/') {
			sep = s + i;
			break;
		}
	if (!sep)
		return snoop_probe_fail(err, (int)start, "a tracepoint is t:SYSTEM:EVENT");
	if (!good_tp_name(s, (size_t)(sep - s)) || (size_t)(sep - s) > SNOOP_PROBE_NAME_MAX)
		return snoop_probe_fail(err, (int)start, "invalid tracepoint system name");
	if (!good_tp_name(sep + 1, len - (size_t)(sep - s) - 1) ||
	    len - (size_t)(sep - s) - 1 > SNOOP_PROBE_NAME_MAX)
		return snoop_probe_fail(err, (int)start + (int)(sep - s) + 1, "invalid tracepoint event name");
	memcpy(d->group, s, (size_t)(sep - s));
	d->group[sep - s] = '\0';
	memcpy(d->event, sep + 1, len - (size_t)(sep - s) - 1);
	d->event[len - (size_t)(sep - s) - 1] = '\0';
	return 0;
}

/* Could the word [s, e) be a fetch arg rather than a probe target? */
static bool looks_like_arg(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	char type[32];

	if (memchr(s, '=', n) || strchr("%$+-@\\", s[0]))
		return true;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '-' && s[i + 1] == '>')
			return true;
	if (colon && (size_t)(s + n - colon - 1) < sizeof(type)) {
		memcpy(type, colon + 1, (size_t)(s + n - colon - 1));
		type[s + n - colon - 1] = '\0';
		if (snoop_probe_type_ok(type))
			return true;
	}
	if ((n == 6 && !strncmp(s, "retval", 6)) || (n > 3 && !strncmp(s, "arg", 3) && isdigit((unsigned char)s[3])))
		return true;
	return false;
}

/*
 * After "p:", the kernel wants [GRP/][EVENT], then the target. perf-tools
 * users write "p:do_sys_open" and "p:do_sys_open filename=...": the word is
 * the function when it cannot be a name (FUNC+OFFS, MOD:FUNC, an address)
 * or when what follows is no target (nothing, or a fetch arg).
 */
static bool name_is_target(const char *text, size_t s, size_t e, size_t deflen, bool *ambiguous)
{
	size_t ns, ne;

	*ambiguous = false;
	if (e == s || memchr(text + s, '/', e - s))
		return false;
	if (!good_name(text + s, e - s))
		return true;
	for (ns = e; ns < deflen && text[ns] == ' '; ns++)
		;
	if (ns >= deflen)
		return true;
	for (ne = ns; ne < deflen && text[ne] != ' '; ne++)
		;
	if (looks_like_arg(text + ns, ne - ns))
		return true;
	*ambiguous = good_name(text + ns, ne - ns);
	return false;
}

int snoop_probe_parse(const char *text, struct snoop_probe_def *d, struct snoop_probe_error *err)
{
	size_t n, deflen, i, tok, toklen;
	int fpos;

	memset(d, 0, sizeof(*d));
	memset(err, 0, sizeof(*err));
	n = strlen(text);
	if (n > SNOOP_PROBE_DEF_MAX)
		return snoop_probe_fail(err, SNOOP_PROBE_DEF_MAX, "definition longer than %d bytes", SNOOP_PROBE_DEF_MAX);
	/* One line, no control bytes: the kernel takes each line of a write
	 * as a command, so a newline would smuggle in a second one. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n' || c == '\r')
			return snoop_probe_fail(err, (int)i, "a definition is one line");
		if (c < 0x20 || c == 0x7f)
			return snoop_probe_fail(err, (int)i, "control character in definition");
		if (c >= 0x80)
			return snoop_probe_fail(err, (int)i, "non-ASCII byte in definition");
	}
	i = 0;
	while (text[i] == ' ')
		i++;
	if (!text[i])
		return snoop_probe_fail(err, (int)i, "empty definition");
	if (text[i] == '-')
		return snoop_probe_fail(err, (int)i, "'-:' removes events; kprobe only creates its own");
	if (text[i] == '#')
		return snoop_probe_fail(err, (int)i, "a definition cannot be a comment");
	fpos = snoop_probe_split_filter(text, &deflen);
	if (fpos >= 0) {
		if (!text[fpos])
			return snoop_probe_fail(err, fpos, "empty filter after 'if'");
		snprintf(d->filter, sizeof(d->filter), "%s", text + fpos);
		d->filter_pos = fpos;
	}

	/* The head: p, r[N], f, t, then ':' NAME or a blank. */
	switch (text[i]) {
	case 'p': d->kind = SNOOP_PROBE_KPROBE; break;
	case 'r': d->kind = SNOOP_PROBE_KRETPROBE; break;
	case 'f': d->kind = SNOOP_PROBE_FENTRY; break;
	case 't': d->kind = SNOOP_PROBE_TRACEPOINT; break;
	case 'e':
		return snoop_probe_fail(err, (int)i, "eprobes (e:) are not supported; filter the event with t: instead");
	case 'u':
		d->kind = SNOOP_PROBE_UPROBE;
		if (text[i + 1] == 'r') {
			d->kind = SNOOP_PROBE_URETPROBE;
			i++;
		}
		/* u:BINARY:SYMBOL: no event name, the target follows. */
		if (text[i + 1] != ':')
			return snoop_probe_fail(err, (int)i + 1, "a uprobe is u:BINARY:SYMBOL or ur:BINARY:SYMBOL");
		i += 2;
		goto words;
	default:
		return snoop_probe_fail(err, (int)i, "a definition starts with p:, r:, f:, t:, u: or ur:");
	}
	i++;
	if (d->kind == SNOOP_PROBE_KRETPROBE && isdigit((unsigned char)text[i])) {
		char *end;
		long v;

		errno = 0;
		v = strtol(text + i, &end, 10);
		if (errno || v < 1 || v > 4096)
			return snoop_probe_fail(err, (int)i, "MAXACTIVE must be 1 to 4096");
		d->maxactive = (int)v;
		i = (size_t)(end - text);
	}
	if (text[i] == ':') {
		size_t s = ++i;

		while (i < deflen && text[i] != ' ')
			i++;
		if (d->kind == SNOOP_PROBE_TRACEPOINT) {
			if (parse_tracepoint(d, text, s, i - s, err) < 0)
				return -1;
			while (i < deflen && text[i] == ' ')
				i++;
			if (i < deflen)
				return snoop_probe_fail(err, (int)i, "tracepoints take no fetch arguments; their fields are "
					    "all printed (filter them with 'if')");
			return 0;
		}
		d->name_pos = (int)s;
		if (text[s] == '/' || name_is_target(text, s, i, deflen, &d->ambiguous)) {
			/* perf-tools' "p:FUNC ARGS": no event name, and the
			 * word after ':' is the function. */
			i = s;
		} else if (parse_name(d, text, s, i - s, err) < 0) {
			return -1;
		}
	} else if (d->kind == SNOOP_PROBE_TRACEPOINT) {
		return snoop_probe_fail(err, (int)i, "a tracepoint is t:SYSTEM:EVENT");
	} else if (text[i] != ' ') {
		return snoop_probe_fail(err, (int)i, "expected ':' or a blank after the probe type");
	}

words:
	/* Blank-separated words: the target, then fetch args. */
	tok = 0;
	while (i < deflen) {
		size_t s;

		while (i < deflen && text[i] == ' ')
			i++;
		if (i >= deflen)
			break;
		s = i;
		while (i < deflen && text[i] != ' ')
			i++;
		toklen = i - s;
		if (tok == 0) {
			if (parse_target(d, text, s, toklen, err) < 0)
				return -1;
		} else if (parse_arg(d, text, s, toklen, err) < 0) {
			return -1;
		}
		tok++;
	}
	if (tok == 0)
		return snoop_probe_fail(err, (int)i, "missing the function to probe");
	return 0;
}

bool snoop_probe_is_dynamic(const struct snoop_probe_def *d)
{
	return d->kind != SNOOP_PROBE_TRACEPOINT;
}

bool snoop_probe_is_return(const struct snoop_probe_def *d)
{
	return d->kind == SNOOP_PROBE_KRETPROBE || d->kind == SNOOP_PROBE_FEXIT || d->kind == SNOOP_PROBE_URETPROBE;
}

bool snoop_probe_is_user(const struct snoop_probe_def *d)
{
	return d->kind == SNOOP_PROBE_UPROBE || d->kind == SNOOP_PROBE_URETPROBE;
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!ident_char((unsigned char)*s))
			*s = '_';
}

void snoop_probe_event_name(const struct snoop_probe_def *d, char *out, size_t outlen)
{
	char tmp[SNOOP_PROBE_NAME_MAX * 2 + 32];

	if (d->kind == SNOOP_PROBE_TRACEPOINT)
		snprintf(tmp, sizeof(tmp), "%s", d->event);
	else if (d->event[0] && d->group[0])
		snprintf(tmp, sizeof(tmp), "%s_%s", d->group, d->event);
	else if (d->event[0])
		snprintf(tmp, sizeof(tmp), "%s", d->event);
	else if (d->has_addr)
		snprintf(tmp, sizeof(tmp), "addr_%llx%s", (unsigned long long)d->addr,
			 snoop_probe_is_return(d) ? "_ret" : "");
	else if (d->offset)
		snprintf(tmp, sizeof(tmp), "%s%s%s_%lx%s", d->group, d->group[0] ? "_" : "", d->func,
			 d->offset, snoop_probe_is_return(d) ? "_ret" : "");
	else
		snprintf(tmp, sizeof(tmp), "%s%s%s%s", d->group, d->group[0] ? "_" : "", d->func,
			 snoop_probe_is_return(d) ? "_ret" : "");
	sanitize(tmp);
	if (outlen > SNOOP_PROBE_NAME_MAX + 1)
		outlen = SNOOP_PROBE_NAME_MAX + 1;
	snprintf(out, outlen, "%s", tmp);
}

int snoop_probe_render(const struct snoop_probe_def *d, const char *group, const char *event,
		       const char *extra, struct snoop_buf *out, struct snoop_probe_error *err)
{
	switch (d->kind) {
	case SNOOP_PROBE_KPROBE:
		snoop_buf_printf(out, "p:%s/%s ", group, event);
		break;
	case SNOOP_PROBE_KRETPROBE:
		if (d->maxactive)
			snoop_buf_printf(out, "r%d:%s/%s ", d->maxactive, group, event);
		else
			snoop_buf_printf(out, "r:%s/%s ", group, event);
		break;
	case SNOOP_PROBE_FENTRY:
	case SNOOP_PROBE_FEXIT:
		snoop_buf_printf(out, "f:%s/%s ", group, event);
		break;
	case SNOOP_PROBE_UPROBE:
	case SNOOP_PROBE_URETPROBE:
		if (!d->uresolved)
			return snoop_probe_fail(err, d->target_pos, "uprobe target %s:%s was not resolved", d->binary, d->func);
		snoop_buf_printf(out, "%c:%s/%s %s:0x%llx", d->kind == SNOOP_PROBE_UPROBE ? 'p' : 'r', group, event,
				 d->ufile, (unsigned long long)d->uoff);
		break;
	case SNOOP_PROBE_TRACEPOINT:
		return snoop_probe_fail(err, 0, "a tracepoint has no definition line");
	}
	if (snoop_probe_is_user(d)) {
		/* the target is written */
	} else if (d->has_addr) {
		snoop_buf_printf(out, "0x%llx", (unsigned long long)d->addr);
	} else {
		if (d->module[0])
			snoop_buf_printf(out, "%s:", d->module);
		snoop_buf_adds(out, d->func);
		if (d->offset)
			snoop_buf_printf(out, "+%lu", d->offset);
		if (d->kind == SNOOP_PROBE_FEXIT)
			snoop_buf_adds(out, "%return");
	}
	for (int k = 0; k < d->nargs; k++) {
		const struct snoop_probe_arg *a = &d->args[k];

		if (a->btf)
			return snoop_probe_fail(err, a->pos, "BTF name '%s' was not resolved", a->fetch);
		snoop_buf_printf(out, " %s=%s", a->name, a->fetch);
		if (a->type[0])
			snoop_buf_printf(out, ":%s", a->type);
	}
	if (extra && *extra)
		snoop_buf_printf(out, " %s", extra);
	return 0;
}
