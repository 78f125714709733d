// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of lib/output.c: the buffer, the three escapers (for all 256 byte
 * values and the UTF-8 edge cases), the JSON writer and errno names.
 *
 * The checks do not trust the code under test's idea of UTF-8: they use
 * their own decoder, their own text unescaper, bash itself for shell words,
 * and (through json_roundtrip.sh) Python's json module for JSON, which reads
 * the file test_json_roundtrip_file writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <snoop/output.h>

typedef void (*escaper)(struct snoop_buf *, const void *, size_t);

/* Escape into a fresh NUL-terminated string (the escapers never write NUL:
 * every NUL byte of input comes out escaped). */
static char *esc(escaper fn, const void *s, size_t n)
{
	struct snoop_buf b;
	char *r;

	snoop_buf_init(&b);
	fn(&b, s, n);
	assert_null(memchr(b.data ? b.data : "", '\0', b.len));
	r = strdup(snoop_buf_cstr(&b));
	snoop_buf_free(&b);
	return r;
}

static void check_esc(escaper fn, const void *s, size_t n, const char *want)
{
	char *got = esc(fn, s, n);

	assert_string_equal(got, want);
	free(got);
}

#define S(lit) lit, sizeof(lit) - 1

/* ------------------------------------------------------------------------
 * An independent UTF-8 decoder: decode generously, then reject by value.
 */
static size_t t_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t v;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		len = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	v = p[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min[len] || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return len;
}

static bool t_steers(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* What may reach a terminal: valid UTF-8, no C0 control (so no ESC), no
 * DEL, no C1 control in UTF-8 form, no other steering code point.
 * allow_nl is for whole lines. */
static void assert_terminal_safe(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = t_utf8(p + i, n - i, &cp);

		if (!len)
			fail_msg("invalid UTF-8 at offset %zu of output \"%s\"", i, s);
		if (cp < 0x20 || cp == 0x7f || t_steers(cp))
			fail_msg("code point U+%04X at offset %zu of output", cp, i);
		i += len;
	}
}

static void put_utf8(char **o, uint32_t cp)
{
	unsigned char *q = (unsigned char *)*o;

	if (cp < 0x80) {
		*q++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*q++ = (unsigned char)(0xc0 | (cp >> 6));
		*q++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		assert_true(cp < 0x10000);
		*q++ = (unsigned char)(0xe0 | (cp >> 12));
		*q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)q;
}

static unsigned hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	fail_msg("bad hex digit '%c' (escapes must be lower case)", c);
	return 0;
}

/* Undo snoop_escape_text: the rules say it is reversible. Returns length. */
static size_t text_unescape(const char *s, char *out)
{
	char *o = out;

	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case '\\': *o++ = '\\'; s++; break;
		case 'n': *o++ = '\n'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 'x':
			assert_true(s[1] && s[2]);
			*o++ = (char)(hexval(s[1]) << 4 | hexval(s[2]));
			s += 3;
			break;
		case 'u': {
			uint32_t cp = 0;
			int i;

			assert_int_equal(s[1], '{');
			for (i = 2; i < 6; i++)
				cp = cp << 4 | hexval(s[i]);
			assert_int_equal(s[6], '}');
			assert_true(t_steers(cp));
			put_utf8(&o, cp);
			s += 7;
			break;
		}
		default:
			fail_msg("unknown escape \\%c", *s);
		}
	}
	return (size_t)(o - out);
}

static void check_text_roundtrip(const void *in, size_t n)
{
	char *t = esc(snoop_escape_text, in, n);
	char *back = malloc(strlen(t) + 1);
	size_t m;

	assert_terminal_safe(t, strlen(t));
	m = text_unescape(t, back);
	assert_int_equal(m, n);
	assert_memory_equal(back, in, n);
	free(back);
	free(t);
}

/* A fixed-seed generator (xorshift64*), so failures reproduce. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Random strings that hit the interesting cases often: raw bytes, ASCII,
 * and pieces of valid, invalid and steering UTF-8. */
static size_t random_bytes(uint64_t *seed, unsigned char *out, size_t max)
{
	static const char *const pieces[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc2\x9b",
		"\xe2\x80\xae", "\xef\xbb\xbf", "\xed\xa0\x80", "\xc0\xaf",
		"\xf4\x90\x80\x80", "\xe2\x82", "\xf0\x9f", "\x1b[31m",
		"\x1b]0;x\x07", "'", "\\", "\"", "\n", "$(id)", "\xff\xfe",
	};
	size_t len = rnd(seed) % (max + 1), n = 0;

	while (n < len) {
		uint64_t r = rnd(seed);

		switch (r % 4) {
		case 0: /* any byte */
			out[n++] = (unsigned char)(r >> 8);
			break;
		case 1: /* printable ASCII */
			out[n++] = (unsigned char)(0x20 + (r >> 8) % 95);
			break;
		default: {
			const char *p = pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t k = strlen(p);

			if (n + k > len)
				k = len - n;
			memcpy(out + n, p, k);
			n += k;
		}
		}
	}
	return n;
}

/* ------------------------------------------------------------------------
 * Buffer
 */

static void test_buf_basic(void **state)
{
	struct snoop_buf b;

	(void)state;
	snoop_buf_init(&b);
	assert_string_equal(snoop_buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	snoop_buf_add(&b, NULL, 0);
	snoop_buf_add(&b, "ab", 2);
	snoop_buf_addc(&b, 'c');
	snoop_buf_adds(&b, "de");
	snoop_buf_printf(&b, "[%d|%s]", 42, "x");
	assert_int_equal(b.len, 11);
	assert_string_equal(snoop_buf_cstr(&b), "abcde[42|x]");
	assert_int_equal(b.len, 11);
	snoop_buf_reset(&b);
	assert_string_equal(snoop_buf_cstr(&b), "");
	snoop_buf_adds(&b, "again");
	assert_string_equal(snoop_buf_cstr(&b), "again");
	snoop_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	snoop_buf_free(&b); /* twice is harmless */
}

static void test_buf_growth(void **state)
{
	struct snoop_buf b;
	char *big = malloc(100001);
	size_t i;

	(void)state;
	snoop_buf_init(&b);
	for (i = 0; i < 100000; i++)
		snoop_buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 100000);
	assert_true(b.cap >= b.len);
	for (i = 0; i < 100000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);

	/* printf that does not fit in the room left, and one that does */
	memset(big, 'z', 100000);
	big[100000] = '\0';
	snoop_buf_reset(&b);
	snoop_buf_adds(&b, "<");
	snoop_buf_printf(&b, "%s>%d", big, -7);
	assert_int_equal(b.len, 100004);
	assert_int_equal(b.data[0], '<');
	assert_memory_equal(b.data + 1, big, 100000);
	assert_memory_equal(b.data + 100001, ">-7", 3);
	snoop_buf_printf(&b, "%s", "");
	assert_int_equal(b.len, 100004);

	/* printf into an empty buffer, which has no data at all yet */
	snoop_buf_free(&b);
	snoop_buf_printf(&b, "%05u", 42u);
	assert_string_equal(snoop_buf_cstr(&b), "00042");

	/* one large add into a small buffer */
	snoop_buf_reset(&b);
	snoop_buf_add(&b, big, 100000);
	assert_int_equal(b.len, 100000);
	assert_memory_equal(b.data, big, 100000);

	/* a long escaped run, copied in one piece */
	snoop_buf_reset(&b);
	snoop_escape_text(&b, big, 100000);
	snoop_escape_json(&b, big, 100000);
	assert_int_equal(b.len, 200000);
	assert_memory_equal(b.data + 100000, big, 100000);
	snoop_buf_free(&b);
	free(big);
}

/*
 * An allocation that cannot be made (here: more bytes than a size_t holds,
 * the same path as realloc() returning NULL): no abort, the buffer keeps
 * what it had, takes nothing more (no hole in a line) and says it failed,
 * through reset too, until it is freed.
 */
static void test_buf_failed(void **state)
{
	static const char huge_src[1];
	struct snoop_buf b;

	(void)state;
	snoop_buf_init(&b);
	assert_false(snoop_buf_failed(&b));
	snoop_buf_adds(&b, "one\ntw");
	snoop_buf_add(&b, huge_src, SIZE_MAX);
	assert_true(snoop_buf_failed(&b));
	assert_int_equal(b.len, 6);
	snoop_buf_adds(&b, "o\n");
	snoop_buf_addc(&b, 'x');
	snoop_buf_printf(&b, "%d %s", 42, "y");
	snoop_buf_printf(&b, "%5.2f", 1.0);
	snoop_escape_text(&b, "\x1b", 1);
	snoop_escape_json(&b, "\x1b", 1);
	snoop_escape_shell(&b, "a b", 3);
	snoop_buf_pad(&b, 0, 100);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "one\ntw", 6);
	assert_int_equal(snoop_buf_whole_lines(&b), 4);
	/* A C string still ends: cut by one byte rather than unterminated. */
	assert_string_equal(snoop_buf_cstr(&b), "one\nt");
	snoop_buf_reset(&b);
	assert_true(snoop_buf_failed(&b));
	snoop_buf_adds(&b, "z");
	assert_int_equal(b.len, 0);
	assert_string_equal(snoop_buf_cstr(&b), "");
	snoop_buf_free(&b);
	assert_false(snoop_buf_failed(&b));
	snoop_buf_adds(&b, "ok");
	assert_string_equal(snoop_buf_cstr(&b), "ok");
	snoop_buf_free(&b);
}

static void test_buf_pad(void **state)
{
	struct snoop_buf b;
	size_t mark;

	(void)state;
	snoop_buf_init(&b);
	snoop_buf_pad(&b, 0, 3);
	assert_string_equal(snoop_buf_cstr(&b), "   ");

	snoop_buf_reset(&b);
	snoop_buf_adds(&b, "PID ");
	mark = b.len;
	snoop_buf_adds(&b, "42");
	snoop_buf_pad(&b, mark, 6);
	snoop_buf_adds(&b, "|");
	assert_string_equal(snoop_buf_cstr(&b), "PID 42    |");

	/* already as wide or wider: nothing added, nothing cut */
	mark = b.len;
	snoop_buf_adds(&b, "abcdef");
	snoop_buf_pad(&b, mark, 6);
	snoop_buf_pad(&b, mark, 3);
	snoop_buf_pad(&b, mark, 0);
	assert_string_equal(snoop_buf_cstr(&b), "PID 42    |abcdef");

	/* columns are code points: "café" (5 bytes) is 4 wide */
	snoop_buf_reset(&b);
	snoop_escape_text(&b, S("caf\xc3\xa9"));
	snoop_buf_pad(&b, 0, 6);
	snoop_buf_adds(&b, "|");
	assert_string_equal(snoop_buf_cstr(&b), "caf\xc3\xa9  |");

	/* a wide pad that makes the buffer grow */
	snoop_buf_reset(&b);
	snoop_buf_pad(&b, 0, 5000);
	assert_int_equal(b.len, 5000);
	assert_int_equal(strspn(snoop_buf_cstr(&b), " "), 5000);
	snoop_buf_free(&b);
}

/* ------------------------------------------------------------------------
 * Text
 */

static void text_expected_byte(unsigned char c, char *out)
{
	if (c == '\\')
		strcpy(out, "\\\\");
	else if (c == '\n')
		strcpy(out, "\\n");
	else if (c == '\t')
		strcpy(out, "\\t");
	else if (c == '\r')
		strcpy(out, "\\r");
	else if (c >= 0x20 && c <= 0x7e)
		sprintf(out, "%c", c);
	else
		sprintf(out, "\\x%02x", c); /* lone bytes >= 0x80 are never UTF-8 */
}

static void test_text_all_bytes(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		unsigned char in[3] = { 'a', (unsigned char)c, 'b' };
		char want[16], want3[24];
		char *got;

		text_expected_byte((unsigned char)c, want);
		check_esc(snoop_escape_text, in + 1, 1, want);
		snprintf(want3, sizeof(want3), "a%sb", want);
		got = esc(snoop_escape_text, in, 3);
		assert_string_equal(got, want3);
		assert_terminal_safe(got, strlen(got));
		free(got);
		check_text_roundtrip(in, 3);
	}
}

static void test_text_examples(void **state)
{
	(void)state;
	check_esc(snoop_escape_text, NULL, 0, "");
	check_esc(snoop_escape_text, S("/usr/bin/ls -la"), "/usr/bin/ls -la");
	check_esc(snoop_escape_text, S("a\\b"), "a\\\\b");
	check_esc(snoop_escape_text, S("\\x41"), "\\\\x41");
	check_esc(snoop_escape_text, S("l1\nl2\tx\r"), "l1\\nl2\\tx\\r");
	check_esc(snoop_escape_text, S("\x1b[31mred\x1b[0m"),
		  "\\x1b[31mred\\x1b[0m");
	check_esc(snoop_escape_text, S("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
	check_esc(snoop_escape_text, S("\x7f\x00\x01"), "\\x7f\\x00\\x01");
	/* 8-bit CSI: raw byte and UTF-8 form */
	check_esc(snoop_escape_text, S("\x9b" "31m"), "\\x9b31m");
	check_esc(snoop_escape_text, S("\xc2\x9b" "31m"), "\\u{009b}31m");
	/* Trojan Source: RLO ... PDF */
	check_esc(snoop_escape_text, S("a\xe2\x80\xae" "cba\xe2\x80\xac"),
		  "a\\u{202e}cba\\u{202c}");
}

struct utf8_case {
	const char *in;
	size_t n;
	const char *text;
	const char *json;
};

#define U(lit, text, json) { lit, sizeof(lit) - 1, text, json }
static const struct utf8_case utf8_cases[] = {
	/* valid, 2 bytes */
	U("\xc2\xa0", "\xc2\xa0", "\xc2\xa0"),                 /* U+00A0 */
	U("\xc3\xa9", "\xc3\xa9", "\xc3\xa9"),                 /* é */
	U("\xdf\xbf", "\xdf\xbf", "\xdf\xbf"),                 /* U+07FF */
	U("\xc2\x80", "\\u{0080}", "\\u0080"),                 /* C1 PAD */
	U("\xc2\x85", "\\u{0085}", "\\u0085"),                 /* NEL */
	U("\xc2\x9b", "\\u{009b}", "\\u009b"),                 /* CSI */
	U("\xc2\x9d", "\\u{009d}", "\\u009d"),                 /* OSC */
	U("\xc2\x9f", "\\u{009f}", "\\u009f"),                 /* APC */
	U("\xd8\x9c", "\\u{061c}", "\\u061c"),                 /* ALM */
	/* valid, 3 bytes */
	U("\xe0\xa0\x80", "\xe0\xa0\x80", "\xe0\xa0\x80"),     /* U+0800 */
	U("\xe2\x82\xac", "\xe2\x82\xac", "\xe2\x82\xac"),     /* € */
	U("\xed\x9f\xbf", "\xed\x9f\xbf", "\xed\x9f\xbf"),     /* U+D7FF */
	U("\xee\x80\x80", "\xee\x80\x80", "\xee\x80\x80"),     /* U+E000 */
	U("\xef\xbf\xbf", "\xef\xbf\xbf", "\xef\xbf\xbf"),     /* U+FFFF */
	U("\xe2\x80\x8d", "\xe2\x80\x8d", "\xe2\x80\x8d"),     /* ZWJ: emoji need it */
	U("\xe2\x80\x8e", "\\u{200e}", "\\u200e"),             /* LRM */
	U("\xe2\x80\x8f", "\\u{200f}", "\\u200f"),             /* RLM */
	U("\xe2\x80\xa8", "\\u{2028}", "\\u2028"),
	U("\xe2\x80\xa9", "\\u{2029}", "\\u2029"),
	U("\xe2\x80\xaa", "\\u{202a}", "\\u202a"),
	U("\xe2\x80\xae", "\\u{202e}", "\\u202e"),             /* RLO */
	U("\xe2\x80\xaf", "\xe2\x80\xaf", "\xe2\x80\xaf"),     /* U+202F, a space */
	U("\xe2\x81\xa6", "\\u{2066}", "\\u2066"),
	U("\xe2\x81\xa9", "\\u{2069}", "\\u2069"),
	U("\xef\xbb\xbf", "\\u{feff}", "\\ufeff"),             /* BOM */
	/* valid, 4 bytes */
	U("\xf0\x90\x80\x80", "\xf0\x90\x80\x80", "\xf0\x90\x80\x80"), /* U+10000 */
	U("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"), /* 😀 */
	U("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"), /* U+10FFFF */
	/* overlong */
	U("\xc0\x80", "\\xc0\\x80", "\\udcc0\\udc80"),
	U("\xc0\xaf", "\\xc0\\xaf", "\\udcc0\\udcaf"),
	U("\xc1\xbf", "\\xc1\\xbf", "\\udcc1\\udcbf"),
	U("\xe0\x80\xaf", "\\xe0\\x80\\xaf", "\\udce0\\udc80\\udcaf"),
	U("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf", "\\udce0\\udc9f\\udcbf"),
	U("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf", "\\udcf0\\udc80\\udc80\\udcaf"),
	U("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf", "\\udcf0\\udc8f\\udcbf\\udcbf"),
	/* encoded surrogates */
	U("\xed\xa0\x80", "\\xed\\xa0\\x80", "\\udced\\udca0\\udc80"), /* D800 */
	U("\xed\xb2\x80", "\\xed\\xb2\\x80", "\\udced\\udcb2\\udc80"), /* DC80 */
	U("\xed\xbf\xbf", "\\xed\\xbf\\xbf", "\\udced\\udcbf\\udcbf"), /* DFFF */
	U("\xed\xa0\xbd\xed\xb8\x80", "\\xed\\xa0\\xbd\\xed\\xb8\\x80",
	  "\\udced\\udca0\\udcbd\\udced\\udcb8\\udc80"),              /* CESU-8 pair */
	/* above U+10FFFF, and lead bytes that cannot start anything */
	U("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", "\\udcf4\\udc90\\udc80\\udc80"),
	U("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80", "\\udcf5\\udc80\\udc80\\udc80"),
	U("\xf7\xbf\xbf\xbf", "\\xf7\\xbf\\xbf\\xbf", "\\udcf7\\udcbf\\udcbf\\udcbf"),
	U("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80",
	  "\\udcf8\\udc88\\udc80\\udc80\\udc80"),
	U("\xfc\x84\x80\x80\x80\x80", "\\xfc\\x84\\x80\\x80\\x80\\x80",
	  "\\udcfc\\udc84\\udc80\\udc80\\udc80\\udc80"),
	U("\xfe\xff", "\\xfe\\xff", "\\udcfe\\udcff"),
	/* truncated: at the end, and before ASCII */
	U("\xc3", "\\xc3", "\\udcc3"),
	U("\xe2\x82", "\\xe2\\x82", "\\udce2\\udc82"),
	U("\xf0\x9f\x98", "\\xf0\\x9f\\x98", "\\udcf0\\udc9f\\udc98"),
	U("\xe2\x82" "A", "\\xe2\\x82A", "\\udce2\\udc82A"),
	U("\xf0\x9f\x98" "\n", "\\xf0\\x9f\\x98\\n", "\\udcf0\\udc9f\\udc98\\u000a"),
	/* stray continuation bytes, and a lead byte cut short by another */
	U("\x80", "\\x80", "\\udc80"),
	U("\xbf", "\\xbf", "\\udcbf"),
	U("\xc3\xa9\xa9", "\xc3\xa9\\xa9", "\xc3\xa9\\udca9"),
	U("\xc3\xc3\xa9", "\\xc3\xc3\xa9", "\\udcc3\xc3\xa9"),
	U("\xe2\xf0\x9f\x98\x80", "\\xe2\xf0\x9f\x98\x80", "\\udce2\xf0\x9f\x98\x80"),
	/* mixed */
	U("x\xc3\xa9\x1b\xe2\x80\xae\xff\"\\y",
	  "x\xc3\xa9\\x1b\\u{202e}\\xff\"\\\\y",
	  "x\xc3\xa9\\u001b\\u202e\\udcff\\\"\\\\y"),
};

static void test_utf8_edges(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		char *t = esc(snoop_escape_text, c->in, c->n);
		char *j = esc(snoop_escape_json, c->in, c->n);

		if (strcmp(t, c->text) || strcmp(j, c->json))
			fail_msg("case %zu: text \"%s\" (want \"%s\"), json \"%s\" (want \"%s\")",
				 i, t, c->text, j, c->json);
		assert_terminal_safe(t, strlen(t));
		assert_terminal_safe(j, strlen(j));
		check_text_roundtrip(c->in, c->n);
		free(t);
		free(j);
	}
}

/* Every 2-, 3- and 4-byte lead followed by every second byte, padded with
 * continuation bytes: compared with the independent decoder. */
static void test_utf8_exhaustive_leads(void **state)
{
	unsigned lead, second;

	(void)state;
	for (lead = 0x80; lead < 0x100; lead++) {
		for (second = 0; second < 0x100; second++) {
			unsigned char in[4] = { (unsigned char)lead,
						(unsigned char)second, 0x80, 0x80 };
			uint32_t cp = 0;
			size_t len = t_utf8(in, 4, &cp);
			char *t = esc(snoop_escape_text, in, 4);
			char want[64];

			if (len && !t_steers(cp)) {
				/* copied as is */
				assert_memory_equal(t, in, len);
			} else if (len) {
				snprintf(want, sizeof(want), "\\u{%04x}", (unsigned)cp);
				assert_memory_equal(t, want, strlen(want));
			} else {
				snprintf(want, sizeof(want), "\\x%02x", lead);
				assert_memory_equal(t, want, 4);
			}
			assert_terminal_safe(t, strlen(t));
			check_text_roundtrip(in, 4);
			free(t);
		}
	}
}

static void test_text_random_roundtrip(void **state)
{
	uint64_t seed = 0x5eed0001;
	unsigned char in[96];
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size_t n = random_bytes(&seed, in, sizeof(in));

		check_text_roundtrip(in, n);
	}
}

/* ------------------------------------------------------------------------
 * JSON escaping
 */

static void json_expected_byte(unsigned char c, char *out)
{
	if (c == '"')
		strcpy(out, "\\\"");
	else if (c == '\\')
		strcpy(out, "\\\\");
	else if (c < 0x20 || c == 0x7f)
		sprintf(out, "\\u%04x", c);
	else if (c < 0x80)
		sprintf(out, "%c", c);
	else
		sprintf(out, "\\udc%02x", c);
}

static void test_json_all_bytes(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		unsigned char in[3] = { 'a', (unsigned char)c, 'b' };
		char want[16], want3[24];
		char *got;

		json_expected_byte((unsigned char)c, want);
		check_esc(snoop_escape_json, in + 1, 1, want);
		snprintf(want3, sizeof(want3), "a%sb", want);
		got = esc(snoop_escape_json, in, 3);
		assert_string_equal(got, want3);
		assert_terminal_safe(got, strlen(got));
		free(got);
	}
	check_esc(snoop_escape_json, NULL, 0, "");
	check_esc(snoop_escape_json, S("say \"hi\"\\n"), "say \\\"hi\\\"\\\\n");
	check_esc(snoop_escape_json, S("/tmp/a b/\xc3\xa9"), "/tmp/a b/\xc3\xa9");
	check_esc(snoop_escape_json, S("\x1b[2J"), "\\u001b[2J");
}

/* ------------------------------------------------------------------------
 * Shell
 */

static void test_shell_examples(void **state)
{
	(void)state;
	check_esc(snoop_escape_shell, NULL, 0, "''");
	check_esc(snoop_escape_shell, S("ls"), "ls");
	check_esc(snoop_escape_shell, S("/usr/bin/env"), "/usr/bin/env");
	check_esc(snoop_escape_shell, S("--color=auto"), "--color=auto");
	check_esc(snoop_escape_shell, S("user@host:/a,b+c%d_e.f"),
		  "user@host:/a,b+c%d_e.f");
	check_esc(snoop_escape_shell, S("a b"), "'a b'");
	check_esc(snoop_escape_shell, S("$HOME"), "'$HOME'");
	check_esc(snoop_escape_shell, S("~"), "'~'");
	check_esc(snoop_escape_shell, S("#x"), "'#x'");
	check_esc(snoop_escape_shell, S("*.c"), "'*.c'");
	check_esc(snoop_escape_shell, S("a;rm -rf /"), "'a;rm -rf /'");
	check_esc(snoop_escape_shell, S("$(id)`id`"), "'$(id)`id`'");
	check_esc(snoop_escape_shell, S("x\\y\"z"), "'x\\y\"z'");
	check_esc(snoop_escape_shell, S("it's"), "'it'\\''s'");
	check_esc(snoop_escape_shell, S("'"), "\\'");
	check_esc(snoop_escape_shell, S("''"), "\\'\\'");
	check_esc(snoop_escape_shell, S("'a'"), "\\''a'\\'");
	check_esc(snoop_escape_shell, S("caf\xc3\xa9"), "'caf\xc3\xa9'");
	check_esc(snoop_escape_shell, S("\xf0\x9f\x98\x80"), "'\xf0\x9f\x98\x80'");
	check_esc(snoop_escape_shell, S("a\nb"), "$'a\\nb'");
	check_esc(snoop_escape_shell, S("\t\r"), "$'\\t\\r'");
	check_esc(snoop_escape_shell, S("it's\n"), "$'it\\'s\\n'");
	check_esc(snoop_escape_shell, S("a\\b\x01"), "$'a\\\\b\\x01'");
	check_esc(snoop_escape_shell, S("\x1b[0m"), "$'\\x1b[0m'");
	check_esc(snoop_escape_shell, S("\x1b" "F"), "$'\\033F'");
	check_esc(snoop_escape_shell, S("\x01" "9"), "$'\\0019'");
	check_esc(snoop_escape_shell, S("\x01" "g"), "$'\\x01g'");
	check_esc(snoop_escape_shell, S("\xff"), "$'\\xff'");
	check_esc(snoop_escape_shell, S("\xc3\xa9\xff"), "$'\xc3\xa9\\xff'");
	check_esc(snoop_escape_shell, S("\xe2\x80\xae" "x"), "$'\\xe2\\x80\\xaex'");
	check_esc(snoop_escape_shell, S("\xc2\x9b"), "$'\\xc2\\x9b'");
	check_esc(snoop_escape_shell, S("\x7f"), "$'\\x7f'");
	check_esc(snoop_escape_shell, S("\"\x00"), "$'\"\\x00'");
}

/* Runs bash on a script made of `printf '%s\0' WORD` lines and checks that
 * each word reads back as its bytes. Returns false if bash is missing. */
struct shell_case {
	unsigned char bytes[96];
	size_t n;
};

static bool bash_rereads(const struct shell_case *cases, size_t ncases,
			 const char *locale)
{
	char script[] = "/tmp/snoop_shell_XXXXXX";
	char outpath[] = "/tmp/snoop_shell_out_XXXXXX";
	struct snoop_buf b;
	char *out = NULL;
	size_t outlen = 0, i, off = 0;
	int fd, ofd, status;
	pid_t pid;
	FILE *f;

	if (access("/bin/bash", X_OK) != 0)
		return false;
	snoop_buf_init(&b);
	for (i = 0; i < ncases; i++) {
		snoop_buf_adds(&b, "printf '%s\\0' ");
		snoop_escape_shell(&b, cases[i].bytes, cases[i].n);
		snoop_buf_addc(&b, '\n');
	}
	fd = mkstemp(script);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	close(fd);
	ofd = mkstemp(outpath);
	assert_true(ofd >= 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(ofd, 1);
		setenv("LC_ALL", locale, 1);
		execl("/bin/bash", "bash", "--norc", "--noprofile", script, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ofd);

	f = fopen(outpath, "rb");
	assert_non_null(f);
	out = malloc(ncases * 100 + 1);
	outlen = fread(out, 1, ncases * 100 + 1, f);
	fclose(f);
	unlink(script);
	unlink(outpath);

	for (i = 0; i < ncases; i++) {
		char *nul = memchr(out + off, '\0', outlen - off);

		assert_non_null(nul);
		if ((size_t)(nul - (out + off)) != cases[i].n ||
		    memcmp(out + off, cases[i].bytes, cases[i].n)) {
			char *w = esc(snoop_escape_shell, cases[i].bytes, cases[i].n);

			fail_msg("bash (LC_ALL=%s) does not reread %s as the original bytes",
				 locale, w);
		}
		off = (size_t)(nul - out) + 1;
	}
	assert_int_equal(off, outlen);
	free(out);
	snoop_buf_free(&b);
	return true;
}

static void test_shell_all_bytes(void **state)
{
	enum { NBYTE = 255 * 3, NRAND = 3000 };
	struct shell_case *cases = calloc(NBYTE + NRAND, sizeof(*cases));
	uint64_t seed = 0x5eed0002;
	size_t n = 0, i;
	unsigned c;

	(void)state;
	/* NUL is left out: no shell word, and no argv string, holds one. */
	for (c = 1; c < 256; c++) {
		cases[n].bytes[0] = (unsigned char)c;
		cases[n++].n = 1;
		memcpy(cases[n].bytes, "a\0b", 3);
		cases[n].bytes[1] = (unsigned char)c;
		cases[n++].n = 3;
		/* followed by a hex digit: the \x vs octal case */
		cases[n].bytes[0] = (unsigned char)c;
		cases[n].bytes[1] = 'F';
		cases[n].bytes[2] = '0';
		cases[n++].n = 3;
	}
	for (i = 0; i < NRAND; i++) {
		size_t k, m = random_bytes(&seed, cases[n].bytes, sizeof(cases[n].bytes));

		for (k = 0; k < m; k++)
			if (!cases[n].bytes[k])
				cases[n].bytes[k] = 0x01;
		cases[n++].n = m;
	}

	/* on one line, nothing that could steer the terminal */
	for (i = 0; i < n; i++) {
		char *w = esc(snoop_escape_shell, cases[i].bytes, cases[i].n);

		assert_terminal_safe(w, strlen(w));
		free(w);
	}

	if (!bash_rereads(cases, n, "C")) {
		free(cases);
		skip();
	}
	bash_rereads(cases, n, "C.UTF-8");
	free(cases);
}

/* ------------------------------------------------------------------------
 * JSON writer
 */

static void test_json_writer(void **state)
{
	struct snoop_buf b;
	struct snoop_json j;

	(void)state;
	snoop_buf_init(&b);

	snoop_json_begin(&j, &b);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b), "{}\n");

	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_str(&j, "comm", "ls", 2);
	snoop_json_int(&j, "pid", 42);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b), "{\"comm\":\"ls\",\"pid\":42}\n");

	/* a second record in the same buffer starts its commas afresh */
	snoop_json_begin(&j, &b);
	snoop_json_uint(&j, "n", 1);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b),
			    "{\"comm\":\"ls\",\"pid\":42}\n{\"n\":1}\n");

	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_array_begin(&j, "argv");
	snoop_json_array_str(&j, "ls", 2);
	snoop_json_array_str(&j, "-l\x1b", 3);
	snoop_json_array_str(&j, NULL, 0);
	snoop_json_array_int(&j, -1);
	snoop_json_array_end(&j);
	snoop_json_array_begin(&j, "empty");
	snoop_json_array_end(&j);
	snoop_json_str(&j, "s", "", 0);
	snoop_json_str(&j, "nul", "a\0b", 3);
	snoop_json_str(&j, "none", NULL, 0);
	snoop_json_cstr(&j, "c", "q\"");
	snoop_json_cstr(&j, "cn", NULL);
	snoop_json_bool(&j, "t", true);
	snoop_json_bool(&j, "f", false);
	snoop_json_null(&j, "z");
	snoop_json_key(&j, "raw");
	snoop_buf_adds(&b, "[1,2]");
	snoop_json_array_begin(&j, "last");
	snoop_json_array_int(&j, 7);
	snoop_json_array_end(&j);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b),
			    "{\"argv\":[\"ls\",\"-l\\u001b\",null,-1],\"empty\":[],"
			    "\"s\":\"\",\"nul\":\"a\\u0000b\",\"none\":null,"
			    "\"c\":\"q\\\"\",\"cn\":null,\"t\":true,\"f\":false,"
			    "\"z\":null,\"raw\":[1,2],\"last\":[7]}\n");

	/* an array left open is closed by end, and the line stays JSON */
	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_array_begin(&j, "a");
	snoop_json_array_int(&j, 1);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b), "{\"a\":[1]}\n");

	/* an array first, then members */
	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_array_begin(&j, "a");
	snoop_json_array_end(&j);
	snoop_json_int(&j, "x", 0);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b), "{\"a\":[],\"x\":0}\n");
	snoop_buf_free(&b);
}

static void check_int(int64_t v)
{
	struct snoop_buf b;
	struct snoop_json j;
	char want[64];

	snoop_buf_init(&b);
	snoop_json_begin(&j, &b);
	snoop_json_int(&j, "v", v);
	snoop_json_end(&j);
	snprintf(want, sizeof(want), "{\"v\":%" PRId64 "}\n", v);
	assert_string_equal(snoop_buf_cstr(&b), want);

	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_uint(&j, "v", (uint64_t)v);
	snoop_json_array_begin(&j, "a");
	snoop_json_array_int(&j, v);
	snoop_json_array_end(&j);
	snoop_json_end(&j);
	snprintf(want, sizeof(want), "{\"v\":%" PRIu64 ",\"a\":[%" PRId64 "]}\n",
		 (uint64_t)v, v);
	assert_string_equal(snoop_buf_cstr(&b), want);
	snoop_buf_free(&b);
}

static void test_json_numbers(void **state)
{
	uint64_t p, seed = 0x5eed0003;
	int i;

	(void)state;
	check_int(0);
	check_int(INT64_MAX);
	check_int(INT64_MIN);
	check_int(INT64_MIN + 1);
	check_int(-1); /* also UINT64_MAX as uint */
	/* where put_u64 changes from 32- to 64-bit arithmetic */
	check_int((int64_t)UINT32_MAX - 1);
	check_int((int64_t)UINT32_MAX);
	check_int((int64_t)UINT32_MAX + 1);
	check_int(-(int64_t)UINT32_MAX - 1);
	for (p = 1; p <= UINT64_MAX / 10; p *= 10) {
		int64_t v = (int64_t)p;

		check_int(v - 1);
		check_int(v);
		check_int(v + 1);
		check_int(-v);
		check_int(-v + 1);
	}
	for (i = 0; i < 20000; i++) {
		uint64_t r = rnd(&seed);

		check_int((int64_t)(r >> (r % 64)));
		check_int((int64_t)r);
	}
}

/* Microseconds as seconds with 6 decimals, the leading zeros of the
 * fraction kept, as printf's "%llu.%06llu" writes them. */
static void test_json_micros(void **state)
{
	static const uint64_t us[] = { 0, 1, 9, 10, 99, 100, 999999, 1000000, 1000001,
				       1234567, 4294967295ull, 4294967296000000ull, UINT64_MAX };
	uint64_t seed = 0x5eed0004;
	struct snoop_buf b;
	char want[64];

	(void)state;
	snoop_buf_init(&b);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = i < (int)(sizeof(us) / sizeof(us[0])) ? us[i] : rnd(&seed) >> (i % 64);

		snoop_buf_reset(&b);
		snoop_json_put_micros(&b, v);
		snprintf(want, sizeof(want), "%" PRIu64 ".%06" PRIu64, v / 1000000, v % 1000000);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.data, want, b.len);
	}
	snoop_buf_free(&b);
}

/* The word-at-a-time paths (plain runs of 8 bytes in the escapers and in
 * snoop_json_put_str) must agree with the byte path: a special byte at every
 * position of strings around the word size gives the same escape as the
 * special alone between plain bytes. */
static void test_json_word_paths(void **state)
{
	static const char *const specials[] = { "\"", "\\", "\x01", "\x7f", "\x1f", "\xc3\xa9",
						"\x80", "\xe2\x80\xae", "\xff", " " };
	struct snoop_buf b, e, want;
	struct snoop_json j;
	char in[64];

	(void)state;
	snoop_buf_init(&b);
	snoop_buf_init(&e);
	snoop_buf_init(&want);
	for (size_t k = 0; k < sizeof(specials) / sizeof(specials[0]); k++) {
		size_t sl = strlen(specials[k]);

		snoop_buf_reset(&e);
		snoop_escape_json(&e, specials[k], sl);
		for (size_t len = 0; len <= 26; len++) {
			for (size_t at = 0; at <= len; at++) {
				size_t n = 0;

				memset(in, 'a', at);
				n = at;
				memcpy(in + n, specials[k], sl);
				n += sl;
				memset(in + n, 'z', len - at);
				n += len - at;

				snoop_buf_reset(&want);
				snoop_buf_adds(&want, "{\"s\":\"");
				snoop_buf_add(&want, in, at);
				snoop_buf_add(&want, e.data, e.len);
				snoop_buf_add(&want, in + at + sl, len - at);
				snoop_buf_adds(&want, "\"}\n");

				snoop_buf_reset(&b);
				snoop_json_begin(&j, &b);
				snoop_json_str(&j, "s", in, n);
				snoop_json_end(&j);
				assert_int_equal(b.len, want.len);
				assert_memory_equal(b.data, want.data, b.len);

				/* the text escaper's word path too */
				snoop_buf_reset(&b);
				snoop_escape_text(&b, in, n);
				snoop_buf_reset(&want);
				snoop_buf_add(&want, in, at);
				snoop_escape_text(&want, specials[k], sl);
				snoop_buf_add(&want, in + at + sl, len - at);
				assert_int_equal(b.len, want.len);
				assert_memory_equal(b.data, want.data, b.len);
			}
		}
	}
	snoop_buf_free(&b);
	snoop_buf_free(&e);
	snoop_buf_free(&want);
}

/* snoop_buf_printf formats its subset by hand and hands everything else to
 * vsnprintf, also when the first unsupported directive comes after
 * supported ones whose arguments it already took. */
static void test_printf_like_libc(void **state)
{
	struct snoop_buf b;
	char want[256];

	(void)state;
	snoop_buf_init(&b);
#define CHECK_PF(...)                                                  \
	do {                                                           \
		snoop_buf_reset(&b);                                   \
		snoop_buf_adds(&b, "<");                               \
		snoop_buf_printf(&b, __VA_ARGS__);                     \
		want[0] = '<';                                         \
		snprintf(want + 1, sizeof(want) - 1, __VA_ARGS__);     \
		assert_string_equal(snoop_buf_cstr(&b), want);         \
	} while (0)
	CHECK_PF("%-7d %-7d ", 42, -42);
	CHECK_PF("%4ld %-7s ", -1L, "ENOENT");
	CHECK_PF("%4ld %-7s|", 123456L, "-");
	CHECK_PF("%2d|%-2d|%1d", 12345, -12345, 0);
	CHECK_PF("%llu %lld %lu %u", 18446744073709551615ull, -9223372036854775807ll - 1,
		 4294967296ul, 4294967295u);
	CHECK_PF("%i%%%s", -7, "x");
	CHECK_PF("%-16s|%16s|", "comm", "comm");
	CHECK_PF("%s", "");
	CHECK_PF("plain text only");
	CHECK_PF("%d %05d %s", 1, 2, "three");    /* fallback after one taken */
	CHECK_PF("%-7d %-*s %d", 9, 10, "star", 8);
	CHECK_PF("%d %x %s", 10, 255u, "hex");
	CHECK_PF("%04llo  ", 0644ull);
#undef CHECK_PF
	snoop_buf_free(&b);
}

static void check_double(double v, int decimals, const char *want)
{
	struct snoop_buf b;
	struct snoop_json j;
	char line[512];

	snoop_buf_init(&b);
	snoop_json_begin(&j, &b);
	snoop_json_double(&j, "d", v, decimals);
	snoop_json_end(&j);
	snprintf(line, sizeof(line), "{\"d\":%s}\n", want);
	assert_string_equal(snoop_buf_cstr(&b), line);
	snoop_buf_free(&b);
}

static void test_json_double(void **state)
{
	static const char *const locales[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
		"ru_RU.UTF-8", "ps_AF.UTF-8",
	};
	size_t i;

	(void)state;
	check_double(1.5, 3, "1.500");
	check_double(-2.25, 1, "-2.2"); /* printf's round-half-even on exact .25 */
	check_double(12345.678901, 6, "12345.678901");
	check_double(3.7, 0, "4");
	check_double(0.0, 2, "0.00");
	check_double(1.0, -5, "1");
	check_double(1.0 / 3.0, 99, "0.33333333333333331");
	{
		/* the widest %f there is fits the writer's scratch space */
		char want[400];

		snprintf(want, sizeof(want), "%.17f", -DBL_MAX);
		assert_int_equal(strlen(want), 1 + 309 + 1 + 17);
		check_double(-DBL_MAX, 17, want);
	}
	check_double(NAN, 3, "null");
	check_double(INFINITY, 3, "null");
	check_double(-INFINITY, 3, "null");

	/* A locale whose decimal point is not '.' must not leak into JSON. */
	for (i = 0; i < sizeof(locales) / sizeof(locales[0]); i++) {
		if (setlocale(LC_NUMERIC, locales[i])) {
			check_double(1.5, 2, "1.50");
			check_double(-0.125, 3, "-0.125");
			setlocale(LC_NUMERIC, "C");
			return;
		}
	}
	/* No such locale installed here: the C-locale checks above stand. */
}

/* ------------------------------------------------------------------------
 * errno names
 */

static void test_errno_names(void **state)
{
	static const struct {
		int e;
		const char *name;
	} some[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EAGAIN, "EAGAIN" },
		{ EACCES, "EACCES" }, { EDEADLK, "EDEADLK" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ELOOP, "ELOOP" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENOTRECOVERABLE, "ENOTRECOVERABLE" }, { ERFKILL, "ERFKILL" },
		{ EHWPOISON, "EHWPOISON" },
		{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" },
		{ 514, "ERESTARTNOHAND" }, { 515, "ENOIOCTLCMD" },
		{ 516, "ERESTART_RESTARTBLOCK" }, { 517, "EPROBE_DEFER" },
		{ 518, "EOPENSTALE" }, { 519, "ENOPARAM" }, { 521, "EBADHANDLE" },
		{ 524, "ENOTSUPP" }, { 530, "ERECALLCONFLICT" }, { 531, "ENOGRACE" },
	};
	int e, named = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		assert_non_null(snoop_errno_name(some[i].e));
		assert_string_equal(snoop_errno_name(some[i].e), some[i].name);
		assert_string_equal(snoop_errno_name(-some[i].e), some[i].name);
	}
	assert_string_equal(snoop_errno_name(EWOULDBLOCK), "EAGAIN");
	assert_string_equal(snoop_errno_name(ENOTSUP), "EOPNOTSUPP");
	assert_null(snoop_errno_name(0));
	assert_null(snoop_errno_name(EHWPOISON + 1));
	assert_null(snoop_errno_name(511));
	assert_null(snoop_errno_name(520));
	assert_null(snoop_errno_name(532));
	assert_null(snoop_errno_name(4095));
	assert_null(snoop_errno_name(INT_MAX));
	assert_null(snoop_errno_name(INT_MIN));
	assert_null(snoop_errno_name(INT_MIN + 1));

	/* glibc knows every userspace errno name: agree with it on all. */
	for (e = 1; e < 512; e++) {
		const char *want = strerrorname_np(e), *got = snoop_errno_name(e);

		if (!want) {
			if (got)
				fail_msg("errno %d: \"%s\", glibc has no name", e, got);
			continue;
		}
		if (!got || strcmp(got, want))
			fail_msg("errno %d: \"%s\", glibc says \"%s\"", e,
				 got ? got : "(null)", want);
		named++;
	}
	assert_true(named >= 131); /* EPERM..EHWPOISON less two alias slots */
}

/* ------------------------------------------------------------------------
 * JSON lines for json_roundtrip.sh
 */

static void hex_of(struct snoop_buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snoop_buf_printf(b, "%02x", p[i]);
}

static void emit(FILE *f, struct snoop_buf *b, const char *kind,
		 const void *p, size_t n)
{
	struct snoop_json j;

	snoop_buf_reset(b);
	snoop_json_begin(&j, b);
	snoop_json_cstr(&j, "kind", kind);
	snoop_json_key(&j, "hex");
	snoop_buf_addc(b, '"');
	hex_of(b, p, n);
	snoop_buf_addc(b, '"');
	snoop_json_str(&j, "value", p, n);
	snoop_json_array_begin(&j, "argv");
	snoop_json_array_str(&j, p, n);
	snoop_json_array_str(&j, "x", 1);
	snoop_json_array_end(&j);
	snoop_json_end(&j);
	assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
}

static void test_json_roundtrip_file(void **state)
{
	static const char *const ansi[] = {
		"\x1b[31mred\x1b[0m", "\x1b[2J\x1b[H", "\x1b]0;title\x07",
		"\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\",
		"\x1bP+q544e\x1b\\", "\x1b[6n", "\x1b" "c", "\x9b" "31m",
		"\xc2\x9b" "31m", "\xc2\x9d" "0;t\xc2\x9c", "\x1b[?1049h",
		"safe\xe2\x80\xae" "fdp.exe", "\xe2\x81\xa6" "x\xe2\x81\xa9",
		"a\xe2\x80\xa8" "b\xe2\x80\xa9", "\xef\xbb\xbf" "bom", "\r\x1b[K",
	};
	const char *path = getenv("SNOOP_JSON_OUT");
	unsigned char in[128];
	uint64_t seed = 0x5eed0004;
	struct snoop_buf b;
	struct snoop_json j;
	FILE *f;
	size_t i;

	(void)state;
	if (!path || !*path)
		path = "/tmp/snoop_json_roundtrip.jsonl";
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	snoop_buf_init(&b);

	for (i = 0; i < 256; i++) {
		in[0] = (unsigned char)i;
		emit(f, &b, "byte", in, 1);
	}
	for (i = 0; i < 256; i++) {
		in[0] = 'a';
		in[1] = (unsigned char)i;
		in[2] = (unsigned char)(255 - i);
		in[3] = 'z';
		emit(f, &b, "bytes", in, 4);
	}
	emit(f, &b, "empty", "", 0);
	for (i = 0; i < sizeof(ansi) / sizeof(ansi[0]); i++)
		emit(f, &b, "ansi", ansi[i], strlen(ansi[i]));
	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++)
		emit(f, &b, "utf8", utf8_cases[i].in, utf8_cases[i].n);
	for (i = 0; i < 5000; i++) {
		size_t n = random_bytes(&seed, in, sizeof(in));

		emit(f, &b, "random", in, n);
	}

	/* integers: "s" is what printf says the value is */
	{
		static const int64_t ints[] = { 0, 1, -1, 42, INT64_MAX, INT64_MIN,
						INT32_MIN, 9007199254740993LL };
		char s[32];

		for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
			snoop_buf_reset(&b);
			snoop_json_begin(&j, &b);
			snoop_json_cstr(&j, "kind", "int");
			snoop_json_int(&j, "i", ints[i]);
			snprintf(s, sizeof(s), "%" PRId64, ints[i]);
			snoop_json_cstr(&j, "s", s);
			snoop_json_end(&j);
			fwrite(b.data, 1, b.len, f);

			snoop_buf_reset(&b);
			snoop_json_begin(&j, &b);
			snoop_json_cstr(&j, "kind", "int");
			snoop_json_uint(&j, "i", (uint64_t)ints[i]);
			snprintf(s, sizeof(s), "%" PRIu64, (uint64_t)ints[i]);
			snoop_json_cstr(&j, "s", s);
			snoop_json_end(&j);
			fwrite(b.data, 1, b.len, f);
		}
	}
	assert_int_equal(fclose(f), 0);
	snoop_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_basic),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_failed),
		cmocka_unit_test(test_buf_pad),
		cmocka_unit_test(test_text_all_bytes),
		cmocka_unit_test(test_text_examples),
		cmocka_unit_test(test_utf8_edges),
		cmocka_unit_test(test_utf8_exhaustive_leads),
		cmocka_unit_test(test_text_random_roundtrip),
		cmocka_unit_test(test_json_all_bytes),
		cmocka_unit_test(test_shell_examples),
		cmocka_unit_test(test_shell_all_bytes),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_micros),
		cmocka_unit_test(test_json_word_paths),
		cmocka_unit_test(test_printf_like_libc),
		cmocka_unit_test(test_json_double),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_json_roundtrip_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
