// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output buffer, escapers and JSON writer. See include/snoop/output.h for
 * the escaping rules; this file only says why it does things the way it
 * does.
 *
 * Everything here runs once or more per traced event, so the escapers copy
 * runs of bytes that need no escaping with one memcpy and only slow down on
 * the bytes that do. Nothing here keeps state outside the caller's objects.
 */
#include <snoop/output.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Buffer
 */

void snoop_buf_init(struct snoop_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}

void snoop_buf_free(struct snoop_buf *b)
{
	free(b->data);
	snoop_buf_init(b);
}

/*
 * Out of line so that the inline check in buf_reserve() stays small. A
 * failed allocation is sticky: cap shrinks to len, so every later append
 * comes here and is dropped too (no hole in the middle of a line), and the
 * owner finds out with snoop_buf_failed(). A tracer must not abort() once
 * its instance exists: the session tears down and says why.
 */
static bool __attribute__((noinline)) buf_grow(struct snoop_buf *b, size_t more)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return false;
	if (more > SIZE_MAX - b->len)
		goto fail;
	want = b->len + more;
	cap = b->cap ? b->cap : 128;
	while (cap < want) {
		if (cap > SIZE_MAX / 2) {
			cap = want;
			break;
		}
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	b->cap = b->len;
	return false;
}

static inline bool buf_reserve(struct snoop_buf *b, size_t more)
{
	if (b->cap - b->len < more)
		return buf_grow(b, more);
	return true;
}

size_t snoop_buf_whole_lines(const struct snoop_buf *b)
{
	size_t n = b->len;

	while (n && b->data[n - 1] != '\n')
		n--;
	return n;
}

/* Callers have reserved room: the escapers reserve once per escape instead
 * of once per output byte. */
static inline void put(struct snoop_buf *b, const void *p, size_t n)
{
	/* An empty buffer's data is NULL, and NULL + 0 is undefined too. */
	if (!n)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void putc_(struct snoop_buf *b, char c)
{
	b->data[b->len++] = c;
}

void snoop_buf_add(struct snoop_buf *b, const void *p, size_t n)
{
	/* memcpy from NULL is undefined even for n == 0. */
	if (!n)
		return;
	if (buf_reserve(b, n))
		put(b, p, n);
}

void snoop_buf_addc(struct snoop_buf *b, char c)
{
	if (buf_reserve(b, 1))
		putc_(b, c);
}

void snoop_buf_adds(struct snoop_buf *b, const char *s)
{
	snoop_buf_add(b, s, strlen(s));
}

/*
 * The subset of printf that the tools' columns use ("%-7d ", "%4ld ",
 * "%-16s ", "%llu"), formatted here: vsnprintf cost ~150 ns a call and was a
 * third of opensnoop's CPU per event in an open loop (bench/RESULTS.md).
 * Flags: '-' only; a width of digits (not starting with 0, no '*'); length
 * none, l or ll; conversions d i u s and %%. One pass: at the first
 * directive outside the subset, fast_printf() gives up before taking its
 * argument, and snoop_buf_printf() drops what it wrote and hands the whole
 * format to vsnprintf. Same output as printf for the subset (a width counts
 * bytes; NULL %s prints "(null)").
 */
static inline void put_u64(struct snoop_buf *b, uint64_t v, bool neg);

static inline void put_spaces(struct snoop_buf *b, size_t n)
{
	char *q = b->data + b->len;

	for (size_t i = 0; i < n; i++)
		q[i] = ' ';
	b->len += n;
}

static bool fast_printf(struct snoop_buf *b, const char *f, va_list *ap)
{
	while (*f) {
		const char *lit = f;
		size_t width = 0, n, mark;
		bool left = false;
		int lng = 0;

		while (*f && *f != '%')
			f++;
		if (f > lit) {
			char *q;

			if (!buf_reserve(b, (size_t)(f - lit)))
				return true; /* failed: takes nothing more */
			q = b->data + b->len;
			for (const char *c = lit; c < f; c++)
				*q++ = *c;
			b->len += (size_t)(f - lit);
		}
		if (!*f)
			break;
		if (*++f == '%') {
			snoop_buf_addc(b, '%');
			f++;
			continue;
		}
		if (*f == '-') {
			left = true;
			f++;
		}
		if (*f == '0')
			return false;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (size_t)(*f++ - '0');
		while (*f == 'l' && lng < 2) {
			lng++;
			f++;
		}
		if (*f == 's') {
			const char *s = va_arg(*ap, const char *);

			if (!s)
				s = "(null)";
			n = strlen(s);
			if (!buf_reserve(b, n + width))
				return true;
			if (!left && width > n)
				put_spaces(b, width - n);
			put(b, s, n);
			if (left && width > n)
				put_spaces(b, width - n);
		} else if (*f == 'd' || *f == 'i' || *f == 'u') {
			uint64_t u;
			bool neg = false;

			if (*f == 'u') {
				u = lng == 0 ? va_arg(*ap, unsigned int)
				    : lng == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long);
			} else {
				int64_t v = lng == 0 ? va_arg(*ap, int) : lng == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);

				neg = v < 0;
				u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			}
			/* Write the number, then move it right if the width asks
			 * for padding on the left (rare: "%4ld"). */
			if (!buf_reserve(b, width + 21))
				return true;
			mark = b->len;
			put_u64(b, u, neg);
			n = b->len - mark;
			if (width > n) {
				if (!left) {
					memmove(b->data + mark + (width - n), b->data + mark, n);
					b->len = mark;
					put_spaces(b, width - n);
					b->len += n;
				} else {
					put_spaces(b, width - n);
				}
			}
		} else {
			return false;
		}
		f++;
	}
	return true;
}

void snoop_buf_printf(struct snoop_buf *b, const char *fmt, ...)
{
	va_list ap, again;
	size_t start = b->len, avail;
	int r;

	va_start(ap, fmt);
	if (fast_printf(b, fmt, &ap)) {
		va_end(ap);
		return;
	}
	va_end(ap);
	b->len = start;

	/* Try in the room we have first: most calls fit, and then the
	 * format is only interpreted once. */
	avail = b->cap - b->len;
	va_start(ap, fmt);
	va_copy(again, ap);
	r = vsnprintf(avail ? b->data + b->len : NULL, avail, fmt, ap);
	va_end(ap);
	if (r < 0) {
		/* Only an invalid wide string can do this; a line missing
		 * one field beats a tracer that dies. */
		va_end(again);
		return;
	}
	if ((size_t)r >= avail) {
		if (!buf_reserve(b, (size_t)r + 1)) {
			va_end(again);
			return;
		}
		vsnprintf(b->data + b->len, (size_t)r + 1, fmt, again);
	}
	va_end(again);
	b->len += (size_t)r;
}

void snoop_buf_pad(struct snoop_buf *b, size_t mark, size_t width)
{
	size_t cols = 0, i;

	/* Count code points, not bytes: escaped output is ASCII plus
	 * well-formed UTF-8, and a column holding "café" must line up with
	 * one holding "cafe". UTF-8 continuation bytes are 10xxxxxx. */
	for (i = mark; i < b->len; i++)
		cols += ((unsigned char)b->data[i] & 0xc0) != 0x80;
	if (cols >= width)
		return;
	if (!buf_reserve(b, width - cols))
		return;
	memset(b->data + b->len, ' ', width - cols);
	b->len += width - cols;
}

const char *snoop_buf_cstr(struct snoop_buf *b)
{
	/* Out of memory: the text is cut by one byte, and the buffer says it
	 * failed; never a string without its end. */
	if (!buf_reserve(b, 1)) {
		if (!b->len)
			return "";
		b->len--;
	}
	b->data[b->len] = '\0';
	return b->data;
}

/* ------------------------------------------------------------------------
 * Byte classes and UTF-8
 */

enum {
	C_TEXT = 1,  /* copied as is by the text escaper */
	C_JSON = 2,  /* copied as is inside a JSON string */
	C_BARE = 4,  /* needs no shell quoting at all */
	C_SQ = 8,    /* may appear inside '...' ("'" itself gets '\'') */
	C_DSQ = 16,  /* copied as is inside $'...' */
};

/* A table rather than range tests: one load per byte in the scan loops,
 * and the shell's "bare" set is irregular anyway. */
#define P_ (C_TEXT | C_JSON | C_SQ | C_DSQ)  /* printable, needs quoting */
#define W_ (P_ | C_BARE)                     /* printable, a word char */
static const unsigned char cls[256] = {
	/* 0x20 ' ' .. 0x2f '/' */
	[' '] = P_, ['!'] = P_, ['"'] = C_TEXT | C_SQ | C_DSQ, ['#'] = P_,
	['$'] = P_, ['%'] = W_, ['&'] = P_, ['\''] = C_TEXT | C_JSON | C_SQ,
	['('] = P_, [')'] = P_, ['*'] = P_, ['+'] = W_,
	[','] = W_, ['-'] = W_, ['.'] = W_, ['/'] = W_,
	['0'] = W_, ['1'] = W_, ['2'] = W_, ['3'] = W_, ['4'] = W_,
	['5'] = W_, ['6'] = W_, ['7'] = W_, ['8'] = W_, ['9'] = W_,
	[':'] = W_, [';'] = P_, ['<'] = P_, ['='] = W_, ['>'] = P_,
	['?'] = P_, ['@'] = W_,
	['A'] = W_, ['B'] = W_, ['C'] = W_, ['D'] = W_, ['E'] = W_,
	['F'] = W_, ['G'] = W_, ['H'] = W_, ['I'] = W_, ['J'] = W_,
	['K'] = W_, ['L'] = W_, ['M'] = W_, ['N'] = W_, ['O'] = W_,
	['P'] = W_, ['Q'] = W_, ['R'] = W_, ['S'] = W_, ['T'] = W_,
	['U'] = W_, ['V'] = W_, ['W'] = W_, ['X'] = W_, ['Y'] = W_,
	['Z'] = W_,
	['['] = P_, ['\\'] = C_SQ, [']'] = P_, ['^'] = P_, ['_'] = W_,
	['`'] = P_,
	['a'] = W_, ['b'] = W_, ['c'] = W_, ['d'] = W_, ['e'] = W_,
	['f'] = W_, ['g'] = W_, ['h'] = W_, ['i'] = W_, ['j'] = W_,
	['k'] = W_, ['l'] = W_, ['m'] = W_, ['n'] = W_, ['o'] = W_,
	['p'] = W_, ['q'] = W_, ['r'] = W_, ['s'] = W_, ['t'] = W_,
	['u'] = W_, ['v'] = W_, ['w'] = W_, ['x'] = W_, ['y'] = W_,
	['z'] = W_,
	['{'] = P_, ['|'] = P_, ['}'] = P_, ['~'] = P_,
	/* everything else, controls, DEL and bytes >= 0x80: 0 */
};
#undef P_
#undef W_

static const char hexdig[16] = "0123456789abcdef";

/*
 * Length (2..4) of the well-formed UTF-8 sequence of a non-ASCII code point
 * at p, or 0. Well-formed is Unicode's Table 3-7: no overlong forms, no
 * encoded surrogates, nothing above U+10FFFF, no truncated sequence. The
 * second byte's range depends on the lead byte, which is what rules out
 * overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4).
 */
static inline size_t utf8_seq(const unsigned char *p, const unsigned char *end,
			      uint32_t *cp)
{
	size_t avail = (size_t)(end - p);
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (avail < len)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	v = (v << 6) | (p[1] & 0x3f);
	for (i = 2; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* Code points that are valid text but steer a terminal (C1 controls: CSI,
 * OSC, NEL...), break a line where no newline byte is (U+2028/9), reorder
 * what is shown (the bidi controls of "Trojan Source", CVE-2021-42574), or
 * hide at the start of a field (BOM). */
static inline bool cp_steers(uint32_t cp)
{
	if (cp < 0x061c)
		return cp <= 0x9f;
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/*
 * Eight bytes at a time for the common case, plain ASCII (paths, comms):
 * a word is plain when no byte has the high bit, none is below ' ', none is
 * DEL or '\\' and, for JSON, none is '"'. The tests are the usual
 * "has a zero byte" bit tricks, exact for "is there any such byte".
 */
#define ONES_ 0x0101010101010101ull
#define HIGH_ 0x8080808080808080ull
static inline bool word_has_zero(uint64_t w)
{
	return ((w - ONES_) & ~w & HIGH_) != 0;
}

static inline bool word_plain(uint64_t w, bool json)
{
	if (w & HIGH_)
		return false;
	/* Some byte < 0x20: exact while no byte has its high bit set. */
	if ((w - ONES_ * 0x20) & ~w & HIGH_)
		return false;
	if (word_has_zero(w ^ (ONES_ * 0x7f)) || word_has_zero(w ^ (ONES_ * '\\')))
		return false;
	return !json || !word_has_zero(w ^ (ONES_ * '"'));
}

static inline const unsigned char *plain_words(const unsigned char *p,
					       const unsigned char *end, bool json)
{
	while (end - p >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		if (!word_plain(w, json))
			break;
		p += 8;
	}
	return p;
}

/* End of the longest run at p that an escaper copies as is: bytes of class
 * mask, plus well-formed UTF-8 that does not steer the terminal. */
static inline const unsigned char *plain_run(const unsigned char *p,
					     const unsigned char *end,
					     unsigned mask)
{
	while (p < end) {
		uint32_t cp;
		size_t len;

		if (cls[*p] & mask) {
			p++;
			continue;
		}
		if (*p < 0x80)
			break;
		len = utf8_seq(p, end, &cp);
		if (!len || cp_steers(cp))
			break;
		p += len;
	}
	return p;
}

static inline void put_hex2(struct snoop_buf *b, unsigned char c)
{
	putc_(b, hexdig[c >> 4]);
	putc_(b, hexdig[c & 15]);
}

static inline void put_hex4(struct snoop_buf *b, uint32_t v)
{
	put_hex2(b, (unsigned char)(v >> 8));
	put_hex2(b, (unsigned char)v);
}

/* ------------------------------------------------------------------------
 * Escapers
 */

void snoop_escape_text(struct snoop_buf *b, const void *s, size_t n)
{
	const unsigned char *p = s, *end, *run;

	if (!n)
		return;
	end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t len;

		run = p;
		p = plain_run(plain_words(p, end, false), end, C_TEXT);
		snoop_buf_add(b, run, (size_t)(p - run));
		if (p == end)
			break;
		if (!buf_reserve(b, 8))  /* the longest escape: \u{XXXX} */
			return;
		if (*p >= 0x80 && (len = utf8_seq(p, end, &cp))) {
			/* Only steering code points get here, all < U+10000. */
			put(b, "\\u{", 3);
			put_hex4(b, cp);
			putc_(b, '}');
			p += len;
			continue;
		}
		putc_(b, '\\');
		switch (*p) {
		case '\\': putc_(b, '\\'); break;
		case '\n': putc_(b, 'n'); break;
		case '\t': putc_(b, 't'); break;
		case '\r': putc_(b, 'r'); break;
		default:
			putc_(b, 'x');
			put_hex2(b, *p);
		}
		p++;
	}
}

void snoop_escape_json(struct snoop_buf *b, const void *s, size_t n)
{
	const unsigned char *p = s, *end, *run;

	if (!n)
		return;
	end = p + n;
	while (p < end) {
		uint32_t cp;
		size_t len;

		run = p;
		p = plain_run(plain_words(p, end, true), end, C_JSON);
		snoop_buf_add(b, run, (size_t)(p - run));
		if (p == end)
			break;
		if (!buf_reserve(b, 6))  /* \uXXXX */
			return;
		putc_(b, '\\');
		if (*p == '"' || *p == '\\') {
			putc_(b, (char)*p++);
			continue;
		}
		putc_(b, 'u');
		if (*p < 0x80) {
			put_hex4(b, *p++);  /* C0 controls, DEL */
		} else if ((len = utf8_seq(p, end, &cp))) {
			put_hex4(b, cp);    /* steering, all < U+10000 */
			p += len;
		} else {
			/* surrogateescape: a lone low surrogate per byte, which
			 * no well-formed text can contain, so decoders can
			 * tell it from real text and give the byte back. */
			put_hex4(b, 0xdc00u | *p++);
		}
	}
}

static inline bool is_xdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* $'...': for bytes that cannot be shown as they are. */
static void shell_dollar(struct snoop_buf *b, const unsigned char *p,
			 const unsigned char *end)
{
	const unsigned char *run;

	snoop_buf_add(b, "$'", 2);
	while (p < end) {
		run = p;
		p = plain_run(p, end, C_DSQ);
		snoop_buf_add(b, run, (size_t)(p - run));
		if (p == end)
			break;
		if (!buf_reserve(b, 4))
			return;
		putc_(b, '\\');
		switch (*p) {
		case '\\': putc_(b, '\\'); break;
		case '\'': putc_(b, '\''); break;
		case '\n': putc_(b, 'n'); break;
		case '\t': putc_(b, 't'); break;
		case '\r': putc_(b, 'r'); break;
		default:
			/* POSIX leaves \x followed by more than two hex digits
			 * unspecified (ksh93 reads them all); octal takes at
			 * most three digits, so it is safe before any char. */
			if (p + 1 < end && is_xdigit(p[1])) {
				putc_(b, (char)('0' + (*p >> 6)));
				putc_(b, (char)('0' + ((*p >> 3) & 7)));
				putc_(b, (char)('0' + (*p & 7)));
			} else {
				putc_(b, 'x');
				put_hex2(b, *p);
			}
		}
		p++;
	}
	snoop_buf_addc(b, '\'');
}

void snoop_escape_shell(struct snoop_buf *b, const void *s, size_t n)
{
	const unsigned char *p = s, *end, *q, *run;
	bool open = false;

	if (!n) {
		snoop_buf_add(b, "''", 2);
		return;
	}
	end = p + n;
	q = p;
	while (q < end && (cls[*q] & C_BARE))
		q++;
	if (q == end) {
		snoop_buf_add(b, p, n);
		return;
	}
	if (plain_run(q, end, C_SQ) != end) {
		shell_dollar(b, p, end);
		return;
	}
	/* '...', with each "'" written as \' between quoted pieces, so that
	 * "it's" reads 'it'\''s' and a leading quote adds no empty ''. */
	while (p < end) {
		if (*p == '\'') {
			snoop_buf_add(b, open ? "'\\'" : "\\'", open ? 3 : 2);
			open = false;
			p++;
			continue;
		}
		run = p;
		while (p < end && *p != '\'')
			p++;
		if (!open)
			snoop_buf_addc(b, '\'');
		open = true;
		snoop_buf_add(b, run, (size_t)(p - run));
	}
	if (open)
		snoop_buf_addc(b, '\'');
}

/* ------------------------------------------------------------------------
 * JSON writer
 */

void snoop_json_begin(struct snoop_json *j, struct snoop_buf *b)
{
	j->b = b;
	j->first = true;
	j->in_array = false;
	j->array_first = false;
	snoop_buf_addc(b, '{');
}

void snoop_json_end(struct snoop_json *j)
{
	/* Closing an array left open keeps the line valid JSON. */
	if (j->in_array)
		snoop_json_array_end(j);
	snoop_buf_add(j->b, "}\n", 2);
}

bool snoop_buf_reserve_slow(struct snoop_buf *b, size_t more)
{
	return buf_reserve(b, more);
}

void snoop_json_put_str(struct snoop_buf *b, const void *s, size_t n)
{
	const unsigned char *p = s, *end;
	char *q;

	if (!s) {
		snoop_json_put_lit(b, "null", 4);
		return;
	}
	/* The common case, plain ASCII (comm, paths, flag names), is copied
	 * while it is checked, a word at a time: one pass over the bytes and
	 * no memcpy call. The first byte that needs more goes with the rest
	 * to the escaper. Room for both quotes is made at once, so a plain
	 * string costs one check. */
	if (!buf_reserve(b, n + 2))
		return;
	q = b->data + b->len;
	*q++ = '"';
	end = p + n;
	while (end - p >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		if (!word_plain(w, true))
			break;
		memcpy(q, &w, 8);
		p += 8;
		q += 8;
	}
	/* The last 1..7 bytes of a string of 8 or more: the word that ends
	 * with them, overlapping bytes already copied (the same values), in
	 * place of a loop over the bytes. */
	if (p < end && n >= 8 && end - p < 8) {
		uint64_t w;

		memcpy(&w, end - 8, 8);
		if (word_plain(w, true)) {
			memcpy(q - (8 - (end - p)), &w, 8);
			q += end - p;
			p = end;
		}
	}
	while (p < end && (cls[*p] & C_JSON))
		*q++ = (char)*p++;
	if (p == end) {
		*q++ = '"';
		b->len = (size_t)(q - b->data);
		return;
	}
	b->len = (size_t)(q - b->data);
	snoop_escape_json(b, p, (size_t)(end - p));
	snoop_buf_addc(b, '"');
}

/* Digits by hand, two at a time: these run for every field of every event,
 * and vsnprintf would parse a format string each time. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Two digits at a time from the end, into p (which is past the last). */
static inline void digits32(char *p, uint32_t v)
{
	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		*--p = digit_pairs[2 * r + 1];
		*--p = digit_pairs[2 * r];
	}
	if (v >= 10) {
		*--p = digit_pairs[2 * v + 1];
		*--p = digit_pairs[2 * v];
	} else {
		*--p = (char)('0' + v);
	}
}

/* Decimal digits of v: log2 from the highest set bit, times log10(2)
 * (1233/4096), then one compare to correct it; v | 1 makes 0 count one
 * digit, like 1. A loop over powers of ten was a compare and a multiply
 * per digit. */
static inline unsigned count32(uint32_t v)
{
	static const uint32_t pow10[10] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	};
	uint32_t u = v | 1;
	unsigned t = ((unsigned)(32 - __builtin_clz(u)) * 1233) >> 12;

	return t + 1 - (u < pow10[t]);
}

/* Inline in its few callers (the JSON values and fast_printf's %d): a
 * call chain of three functions was a fifth of a number's cost. */
static inline void put_u64(struct snoop_buf *b, uint64_t v, bool neg)
{
	unsigned n;
	char *p;

	/* Count the digits, then write them from the end straight into the
	 * buffer: no temporary and no memcpy call. PIDs, fds, flags and
	 * errnos fit 32 bits, whose arithmetic is cheaper. */
	if (!buf_reserve(b, 21))
		return;
	if (neg)
		putc_(b, '-');
	if (v <= UINT32_MAX) {
		n = count32((uint32_t)v);
		digits32(b->data + b->len + n, (uint32_t)v);
		b->len += n;
		return;
	}
	n = 10;
	for (uint64_t t = 10000000000ull; n < 20 && v >= t; t *= 10)
		n++;
	p = b->data + b->len + n;
	b->len += n;
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		*--p = digit_pairs[2 * r + 1];
		*--p = digit_pairs[2 * r];
	}
	digits32(p, (uint32_t)v);
}

static void put_i64(struct snoop_buf *b, int64_t v)
{
	/* Negate in unsigned arithmetic: -INT64_MIN overflows int64_t. */
	if (v < 0)
		put_u64(b, (uint64_t)0 - (uint64_t)v, true);
	else
		put_u64(b, (uint64_t)v, false);
}

void snoop_json_put_i64(struct snoop_buf *b, int64_t v)
{
	if (v < 0)
		put_u64(b, (uint64_t)0 - (uint64_t)v, true);
	else
		put_u64(b, (uint64_t)v, false);
}

void snoop_json_put_u64(struct snoop_buf *b, uint64_t v)
{
	put_u64(b, v, false);
}

void snoop_json_put_micros(struct snoop_buf *b, uint64_t us)
{
	uint32_t f = (uint32_t)(us % 1000000);
	char *p;

	put_u64(b, us / 1000000, false);
	if (!buf_reserve(b, 7))
		return;
	/* Six digits, leading zeros kept: three pairs from the table. */
	p = b->data + b->len;
	p[0] = '.';
	memcpy(p + 1, digit_pairs + 2 * (f / 10000), 2);
	memcpy(p + 3, digit_pairs + 2 * (f / 100 % 100), 2);
	memcpy(p + 5, digit_pairs + 2 * (f % 100), 2);
	b->len += 7;
}

void snoop_json_double(struct snoop_json *j, const char *key, double v, int decimals)
{
	char tmp[400];
	int r, i;
	bool point = false;

	snoop_json_key(j, key);
	/* JSON has no NaN or infinity. */
	if (!isfinite(v)) {
		snoop_buf_add(j->b, "null", 4);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	/* %f of DBL_MAX is 309 digits: tmp always holds the whole number. */
	r = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	if (r < 0 || (size_t)r >= sizeof(tmp)) {
		snoop_buf_add(j->b, "null", 4);
		return;
	}
	/* printf writes the locale's decimal point, and a tool that calls
	 * setlocale() for ncurses may get "," (or a multibyte point): JSON
	 * needs ".". %f writes nothing else but '-' and digits. */
	if (!buf_reserve(j->b, (size_t)r))
		return;
	for (i = 0; i < r; i++) {
		if ((tmp[i] >= '0' && tmp[i] <= '9') || tmp[i] == '-') {
			putc_(j->b, tmp[i]);
		} else if (!point) {
			putc_(j->b, '.');
			point = true;
		}
	}
}

void snoop_json_array_begin(struct snoop_json *j, const char *key)
{
	snoop_json_key(j, key);
	snoop_buf_addc(j->b, '[');
	j->in_array = true;
	j->array_first = true;
}

static void array_sep(struct snoop_json *j)
{
	if (!j->array_first)
		snoop_buf_addc(j->b, ',');
	j->array_first = false;
}

void snoop_json_array_str(struct snoop_json *j, const void *s, size_t n)
{
	array_sep(j);
	snoop_json_put_str(j->b, s, n);
}

void snoop_json_array_int(struct snoop_json *j, int64_t v)
{
	array_sep(j);
	put_i64(j->b, v);
}

void snoop_json_array_end(struct snoop_json *j)
{
	snoop_buf_addc(j->b, ']');
	j->in_array = false;
}

/* ------------------------------------------------------------------------
 * errno names
 */

/* Indexed by the <errno.h> macros rather than by numbers: alpha, mips,
 * parisc and sparc number errnos differently from asm-generic. Aliases
 * (EWOULDBLOCK, EDEADLOCK, ENOTSUP) are left out where they equal their
 * twin, which is the name the kernel's own headers use. */
static const char *const errno_names[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",
	[EINTR] = "EINTR", [EIO] = "EIO", [ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF",
	[ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES", [EFAULT] = "EFAULT", [ENOTBLK] = "ENOTBLK",
	[EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [EXDEV] = "EXDEV",
	[ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
	[EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE",
	[ENOTTY] = "ENOTTY", [ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG",
	[ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS",
	[EMLINK] = "EMLINK", [EPIPE] = "EPIPE", [EDOM] = "EDOM",
	[ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG", [ENOLCK] = "ENOLCK",
	[ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP",
	[ENOMSG] = "ENOMSG", [EIDRM] = "EIDRM", [ECHRNG] = "ECHRNG",
	[EL2NSYNC] = "EL2NSYNC", [EL3HLT] = "EL3HLT", [EL3RST] = "EL3RST",
	[ELNRNG] = "ELNRNG", [EUNATCH] = "EUNATCH", [ENOCSI] = "ENOCSI",
	[EL2HLT] = "EL2HLT", [EBADE] = "EBADE", [EBADR] = "EBADR",
	[EXFULL] = "EXFULL", [ENOANO] = "ENOANO", [EBADRQC] = "EBADRQC",
	[EBADSLT] = "EBADSLT",
#if EDEADLOCK != EDEADLK
	[EDEADLOCK] = "EDEADLOCK",
#endif
	[EBFONT] = "EBFONT", [ENOSTR] = "ENOSTR", [ENODATA] = "ENODATA",
	[ETIME] = "ETIME", [ENOSR] = "ENOSR", [ENONET] = "ENONET",
	[ENOPKG] = "ENOPKG", [EREMOTE] = "EREMOTE", [ENOLINK] = "ENOLINK",
	[EADV] = "EADV", [ESRMNT] = "ESRMNT", [ECOMM] = "ECOMM",
	[EPROTO] = "EPROTO", [EMULTIHOP] = "EMULTIHOP",
	[EDOTDOT] = "EDOTDOT", [EBADMSG] = "EBADMSG",
	[EOVERFLOW] = "EOVERFLOW", [ENOTUNIQ] = "ENOTUNIQ",
	[EBADFD] = "EBADFD", [EREMCHG] = "EREMCHG", [ELIBACC] = "ELIBACC",
	[ELIBBAD] = "ELIBBAD", [ELIBSCN] = "ELIBSCN", [ELIBMAX] = "ELIBMAX",
	[ELIBEXEC] = "ELIBEXEC", [EILSEQ] = "EILSEQ",
	[ERESTART] = "ERESTART", [ESTRPIPE] = "ESTRPIPE",
	[EUSERS] = "EUSERS", [ENOTSOCK] = "ENOTSOCK",
	[EDESTADDRREQ] = "EDESTADDRREQ", [EMSGSIZE] = "EMSGSIZE",
	[EPROTOTYPE] = "EPROTOTYPE", [ENOPROTOOPT] = "ENOPROTOOPT",
	[EPROTONOSUPPORT] = "EPROTONOSUPPORT",
	[ESOCKTNOSUPPORT] = "ESOCKTNOSUPPORT",
	[EOPNOTSUPP] = "EOPNOTSUPP", [EPFNOSUPPORT] = "EPFNOSUPPORT",
	[EAFNOSUPPORT] = "EAFNOSUPPORT", [EADDRINUSE] = "EADDRINUSE",
	[EADDRNOTAVAIL] = "EADDRNOTAVAIL", [ENETDOWN] = "ENETDOWN",
	[ENETUNREACH] = "ENETUNREACH", [ENETRESET] = "ENETRESET",
	[ECONNABORTED] = "ECONNABORTED", [ECONNRESET] = "ECONNRESET",
	[ENOBUFS] = "ENOBUFS", [EISCONN] = "EISCONN",
	[ENOTCONN] = "ENOTCONN", [ESHUTDOWN] = "ESHUTDOWN",
	[ETOOMANYREFS] = "ETOOMANYREFS", [ETIMEDOUT] = "ETIMEDOUT",
	[ECONNREFUSED] = "ECONNREFUSED", [EHOSTDOWN] = "EHOSTDOWN",
	[EHOSTUNREACH] = "EHOSTUNREACH", [EALREADY] = "EALREADY",
	[EINPROGRESS] = "EINPROGRESS", [ESTALE] = "ESTALE",
	[EUCLEAN] = "EUCLEAN", [ENOTNAM] = "ENOTNAM", [ENAVAIL] = "ENAVAIL",
	[EISNAM] = "EISNAM", [EREMOTEIO] = "EREMOTEIO", [EDQUOT] = "EDQUOT",
	[ENOMEDIUM] = "ENOMEDIUM", [EMEDIUMTYPE] = "EMEDIUMTYPE",
	[ECANCELED] = "ECANCELED", [ENOKEY] = "ENOKEY",
	[EKEYEXPIRED] = "EKEYEXPIRED", [EKEYREVOKED] = "EKEYREVOKED",
	[EKEYREJECTED] = "EKEYREJECTED", [EOWNERDEAD] = "EOWNERDEAD",
	[ENOTRECOVERABLE] = "ENOTRECOVERABLE", [ERFKILL] = "ERFKILL",
	[EHWPOISON] = "EHWPOISON",
};

/* The kernel's internal errnos (include/linux/errno.h, the same on every
 * architecture). Userspace never sees them from a syscall, but a tracer
 * does: sys_exit shows -ERESTARTSYS for an interrupted call, and kretprobes
 * on kernel functions return any of these. 520 is unused. */
static const char *const kernel_errno_names[] = {
	"ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ENOIOCTLCMD",
	"ERESTART_RESTARTBLOCK", "EPROBE_DEFER", "EOPENSTALE", "ENOPARAM",
	NULL, "EBADHANDLE", "ENOTSYNC", "EBADCOOKIE", "ENOTSUPP",
	"ETOOSMALL", "ESERVERFAULT", "EBADTYPE", "EJUKEBOX", "EIOCBQUEUED",
	"ERECALLCONFLICT", "ENOGRACE",
};
#define KERNEL_ERRNO_BASE 512

const char *snoop_errno_name(int err)
{
	unsigned int e;

	/* Kernel return values are negative errnos: take either sign.
	 * The unsigned negation keeps INT_MIN defined (and unknown). */
	e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;
	/* On mips the table reaches past 512 (EDQUOT is 1133), with holes
	 * where the kernel's internal numbers are: hence no early return. */
	if (e < sizeof(errno_names) / sizeof(errno_names[0]) && errno_names[e])
		return errno_names[e];
	if (e >= KERNEL_ERRNO_BASE &&
	    e - KERNEL_ERRNO_BASE <
		    sizeof(kernel_errno_names) / sizeof(kernel_errno_names[0]))
		return kernel_errno_names[e - KERNEL_ERRNO_BASE];
	return NULL;
}
