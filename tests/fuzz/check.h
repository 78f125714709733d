/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output checks shared by the fuzz targets: what may reach a terminal
 * (check_terminal_safe) and what a JSON parser must accept
 * (check_json_line). Both abort() on a violation, which libFuzzer reports
 * with the input that caused it.
 */
#ifndef SNOOP_FUZZ_CHECK_H
#define SNOOP_FUZZ_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Strict UTF-8 (Unicode Table 3-7): the length of the code point at s, or
 * 0 when it is not valid there. */
static inline int fz_u8len(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf && n >= 2 && (s[1] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
		return 2;
	}
	if (s[0] >= 0xe0 && s[0] <= 0xef && n >= 3 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0xfu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
		return (*cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff)) ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4 && n >= 4 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		*cp = ((s[0] & 0x7u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
		return (*cp >= 0x10000 && *cp <= 0x10ffff) ? 4 : 0;
	}
	return 0;
}

/* Code points that steer a terminal or reorder text (README "Output and
 * escaping"): C1 controls, bidi embeddings/overrides/isolates and marks. */
static inline bool fz_steering(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0x61c || cp == 0x200e || cp == 0x200f || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0xfeff || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Valid UTF-8, no C0 control but newline (when allowed), no DEL, no
 * steering code point. */
static inline void check_terminal_safe(const char *data, size_t len, bool newlines)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		int l = fz_u8len(s + i, len - i, &cp);

		if (!l || (cp < 0x20 && !(newlines && cp == '\n')) || cp == 0x7f || fz_steering(cp))
			abort();
		i += (size_t)l;
	}
}

/* ---- a strict JSON (RFC 8259) recogniser ---------------------------- */

struct fz_json {
	const char *s;
	size_t n, i;
	int depth;
};

static inline void fz_ws(struct fz_json *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r'))
		p->i++;
}

static inline bool fz_lit(struct fz_json *p, const char *w)
{
	size_t l = strlen(w);

	if (p->n - p->i < l || memcmp(p->s + p->i, w, l))
		return false;
	p->i += l;
	return true;
}

static inline bool fz_hex4(struct fz_json *p)
{
	for (int k = 0; k < 4; k++, p->i++)
		if (p->i >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i]) || !p->s[p->i])
			return false;
	return true;
}

static inline bool fz_string(struct fz_json *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	for (p->i++; p->i < p->n; p->i++) {
		unsigned char c = (unsigned char)p->s[p->i];

		if (c == '"') {
			p->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++p->i >= p->n)
				return false;
			c = (unsigned char)p->s[p->i];
			if (c == 'u') {
				p->i++;
				if (!fz_hex4(p))
					return false;
				p->i--;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return false;
			}
		}
	}
	return false;
}

static inline bool fz_number(struct fz_json *p)
{
	size_t st = p->i;

	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0') {
		p->i++;
	} else {
		if (p->i >= p->n || p->s[p->i] < '1' || p->s[p->i] > '9')
			return false;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
			return false;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
			return false;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	}
	return p->i > st;
}

static inline bool fz_value(struct fz_json *p);

static inline bool fz_members(struct fz_json *p, char close, bool keys)
{
	p->i++;
	if (++p->depth > 64)
		return false;
	fz_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return true;
	}
	for (;;) {
		fz_ws(p);
		if (keys) {
			if (!fz_string(p))
				return false;
			fz_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return false;
			p->i++;
			fz_ws(p);
		}
		if (!fz_value(p))
			return false;
		fz_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			p->depth--;
			return true;
		}
		return false;
	}
}

static inline bool fz_value(struct fz_json *p)
{
	if (p->i >= p->n)
		return false;
	switch (p->s[p->i]) {
	case '{':
		return fz_members(p, '}', true);
	case '[':
		return fz_members(p, ']', false);
	case '"':
		return fz_string(p);
	case 't':
		return fz_lit(p, "true");
	case 'f':
		return fz_lit(p, "false");
	case 'n':
		return fz_lit(p, "null");
	default:
		return fz_number(p);
	}
}

/* Every line of buf (each ending in '\n') is one JSON object, and the
 * whole is safe for a terminal. */
static inline void check_json_lines(const char *buf, size_t len)
{
	size_t st = 0;

	check_terminal_safe(buf, len, true);
	while (st < len) {
		const char *nl = memchr(buf + st, '\n', len - st);
		struct fz_json p;

		if (!nl)
			abort(); /* a line without its end */
		p = (struct fz_json){ .s = buf + st, .n = (size_t)(nl - (buf + st)) };
		if (p.n == 0 || p.s[0] != '{' || !fz_value(&p))
			abort();
		fz_ws(&p);
		if (p.i != p.n)
			abort();
		st = (size_t)(nl - buf) + 1;
	}
}

#endif
