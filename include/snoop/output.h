/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output building blocks: a growable byte buffer and the escapers that every
 * untrusted byte (argv, paths, comm, kernel strings) goes through before it
 * reaches stdout.
 *
 * Escaping rules (documented in README "Output and escaping"; unit-tested for
 * all 256 byte values):
 *
 * Hex digits are lower case. "Steering" code points are the ones that are
 * valid text but steer a terminal or reorder text: U+0080..U+009F (C1
 * controls), U+061C, U+200E/F, U+2028, U+2029, U+202A..U+202E,
 * U+2066..U+2069 (bidi controls, "Trojan Source"), U+FEFF. Well-formed
 * UTF-8 is Unicode's Table 3-7: overlong forms, encoded surrogates
 * (U+D800..U+DFFF), code points above U+10FFFF and truncated sequences are
 * not, and each of their bytes is escaped on its own.
 *
 * text  printable ASCII 0x21..0x7e as is, except '\' which becomes "\\";
 *       space as is; \n \t \r as "\n" "\t" "\r"; every other byte < 0x80
 *       (C0 controls, DEL, ESC) as "\xHH"; well-formed UTF-8 sequences of
 *       code points >= U+00A0 as is, except steering ones, which become
 *       "\u{XXXX}" (always 4 digits); bytes of malformed UTF-8 as "\xHH".
 *       The output is valid UTF-8 and the escaping is reversible.
 * shell one argument as a POSIX-shell word that re-reads as the same bytes:
 *       bare when every byte is in [A-Za-z0-9_@%+=:,./-]; '' when empty;
 *       '...' when the bytes are printable (printable ASCII and
 *       well-formed, non-steering UTF-8), a "'" written as \' between
 *       quoted pieces ('it'\''s'); else $'...' with \\ \' \n \t \r and
 *       \xHH escapes (\ooo octal instead when a hex digit follows, since
 *       POSIX leaves \x with more than two hex digits unspecified).
 * json  the contents of a JSON string (no surrounding quotes): '"' and '\'
 *       escaped, control characters and DEL as \u00XX, steering code points
 *       (C1 controls, U+2028/9, bidi controls...) as \uXXXX; well-formed
 *       UTF-8 as is; every byte that is not part of well-formed UTF-8 as
 *       \uDCXX (XX = the byte, always >= 0x80), the "surrogateescape"
 *       convention: Python's json.loads(s).encode('utf-8',
 *       'surrogateescape') gives back the original bytes.
 */
#ifndef SNOOP_OUTPUT_H
#define SNOOP_OUTPUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snoop_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;     /* an allocation failed: see snoop_buf_failed() */
};

void snoop_buf_init(struct snoop_buf *b);
void snoop_buf_free(struct snoop_buf *b);
/* Empties the buffer; a failed one stays failed (and takes nothing more)
 * until snoop_buf_free(). */
static inline void snoop_buf_reset(struct snoop_buf *b)
{
	b->len = 0;
	if (b->failed)
		b->cap = 0;
}
/*
 * Out of memory, the appenders drop the bytes instead of aborting (a tracer
 * must not die with its instance and probes in place): from the first
 * failed append on, the buffer takes nothing more and snoop_buf_failed()
 * is true, so what it holds is whole up to that append and nothing after.
 * The session's output buffer is checked at every flush (the run ends with
 * "out of memory"); a tool checks its own buffers before it uses them and
 * ends the run with snoop_session_fail(s, "out of memory").
 */
static inline bool snoop_buf_failed(const struct snoop_buf *b) { return b->failed; }
/* Bytes of b up to and including its last newline. */
size_t snoop_buf_whole_lines(const struct snoop_buf *b);
void snoop_buf_add(struct snoop_buf *b, const void *p, size_t n);
void snoop_buf_addc(struct snoop_buf *b, char c);
void snoop_buf_adds(struct snoop_buf *b, const char *s);
void snoop_buf_printf(struct snoop_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Pad with spaces to at least width columns since mark (left-aligned
 * columns). A column is a code point: UTF-8 continuation bytes do not count,
 * so escaped non-ASCII text lines up (East Asian wide characters do not). */
void snoop_buf_pad(struct snoop_buf *b, size_t mark, size_t width);
/* A malloc'd copy of n bytes with a NUL after them (the bytes may hold
 * NULs of their own); NULL when memory ran out (the caller ends the run).
 * For keeping a record's string past the handler call. */
char *snoop_memdup(const void *p, size_t n);
/* Make b->data NUL-terminated (not counted in len) and return it. */
const char *snoop_buf_cstr(struct snoop_buf *b);

void snoop_escape_text(struct snoop_buf *b, const void *s, size_t n);
void snoop_escape_shell(struct snoop_buf *b, const void *s, size_t n);
void snoop_escape_json(struct snoop_buf *b, const void *s, size_t n);

/*
 * JSON object writer for one JSON Lines record. Keys are trusted ASCII
 * literals, written as they are; string values go through snoop_escape_json.
 *   struct snoop_json j;
 *   snoop_json_begin(&j, b);              -> {
 *   snoop_json_str(&j, "comm", p, n);     -> "comm":"..."
 *   snoop_json_int(&j, "pid", 42);        -> ,"pid":42
 *   snoop_json_end(&j);                   -> }\n
 * Nesting: one level of arrays inside the object:
 * snoop_json_array_begin(&j, "argv") / snoop_json_array_str(&j, p, n)
 * / snoop_json_array_end(&j). The writer tracks the commas itself in the
 * struct below. String functions write null for a NULL pointer; doubles
 * that are NaN or infinite are written as null; decimals is clamped to
 * 0..17 and the decimal point is always '.', whatever the locale.
 */
struct snoop_json {
	struct snoop_buf *b;
	bool first;      /* no member written yet at this level */
	bool in_array;
	bool array_first;
};

void snoop_json_begin(struct snoop_json *j, struct snoop_buf *b);
void snoop_json_end(struct snoop_json *j);               /* writes "}\n" */
void snoop_json_double(struct snoop_json *j, const char *key, double v, int decimals);
void snoop_json_array_begin(struct snoop_json *j, const char *key);
void snoop_json_array_str(struct snoop_json *j, const void *s, size_t n);
void snoop_json_array_int(struct snoop_json *j, int64_t v);
void snoop_json_array_end(struct snoop_json *j);

/*
 * The members below run for every member of every event (17 a line for
 * opensnoop -j), so they are inline: with a literal key the compiler knows
 * its length and copies it with a few moves, where a call with strlen and
 * memcpy per key was 30% of a JSON line's CPU (bench/RESULTS.md, issue 21).
 * A key computed at run time (kprobe's fetch-arg names) works the same way,
 * through strlen. The values go to the out-of-line writers after them.
 */

/* Make room for more bytes (out of line: the check stays inline); false
 * when the buffer has failed (snoop_buf_failed()): write nothing then. */
bool snoop_buf_reserve_slow(struct snoop_buf *b, size_t more);
static inline bool snoop_buf_reserve(struct snoop_buf *b, size_t more)
{
	if (b->cap - b->len < more)
		return snoop_buf_reserve_slow(b, more);
	return true;
}

/* ,"key": (no comma before the first member). Keys are trusted ASCII. */
static inline void snoop_json_key(struct snoop_json *j, const char *key)
{
	size_t n = __builtin_strlen(key);
	struct snoop_buf *b = j->b;
	char *p;

	if (!snoop_buf_reserve(b, n + 4))
		return;
	p = b->data + b->len;
	*p = ',';
	p += !j->first;
	j->first = false;
	*p++ = '"';
	__builtin_memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	b->len = (size_t)(p - b->data);
}

/* Values only, for the members below. */
void snoop_json_put_str(struct snoop_buf *b, const void *s, size_t n); /* "..." or null */
void snoop_json_put_i64(struct snoop_buf *b, int64_t v);
void snoop_json_put_u64(struct snoop_buf *b, uint64_t v);
/* A count of microseconds as seconds with 6 decimals ("12.000340"). */
void snoop_json_put_micros(struct snoop_buf *b, uint64_t us);
/* A literal (null, true, ...): inline, so a constant length is a few moves. */
static inline void snoop_json_put_lit(struct snoop_buf *b, const char *lit, size_t n)
{
	if (!snoop_buf_reserve(b, n))
		return;
	__builtin_memcpy(b->data + b->len, lit, n);
	b->len += n;
}

static inline void snoop_json_str(struct snoop_json *j, const char *key, const void *s, size_t n)
{
	snoop_json_key(j, key);
	snoop_json_put_str(j->b, s, n);
}

/*
 * A name from the program's own tables (a syscall, errno, flag, status or
 * source name): ASCII that JSON needs no escape for, never bytes from the
 * traced system, so it is copied between quotes as it is; NULL -> null.
 * Escaping checked every byte of such constants, 4 a line in opensnoop -j,
 * for nothing.
 */
static inline void snoop_json_name(struct snoop_json *j, const char *key, const char *s)
{
	struct snoop_buf *b = j->b;
	size_t n;
	char *p;

	snoop_json_key(j, key);
	if (!s) {
		snoop_json_put_lit(b, "null", 4);
		return;
	}
	n = __builtin_strlen(s);
	if (!snoop_buf_reserve(b, n + 2))
		return;
	p = b->data + b->len;
	*p++ = '"';
	__builtin_memcpy(p, s, n);
	p[n] = '"';
	b->len += n + 2;
}

/* NULL -> null */
static inline void snoop_json_cstr(struct snoop_json *j, const char *key, const char *s)
{
	snoop_json_key(j, key);
	snoop_json_put_str(j->b, s, s ? __builtin_strlen(s) : 0);
}

static inline void snoop_json_int(struct snoop_json *j, const char *key, int64_t v)
{
	snoop_json_key(j, key);
	snoop_json_put_i64(j->b, v);
}

static inline void snoop_json_uint(struct snoop_json *j, const char *key, uint64_t v)
{
	snoop_json_key(j, key);
	snoop_json_put_u64(j->b, v);
}

static inline void snoop_json_bool(struct snoop_json *j, const char *key, bool v)
{
	snoop_json_key(j, key);
	snoop_json_put_lit(j->b, v ? "true" : "false", v ? 4 : 5);
}

static inline void snoop_json_null(struct snoop_json *j, const char *key)
{
	snoop_json_key(j, key);
	snoop_json_put_lit(j->b, "null", 4);
}

/* errno number -> "ENOENT" (NULL when unknown). Either sign is accepted
 * (kernel return values are -errno). Knows every Linux errno name, and the
 * kernel-internal ones a tracer can see (ERESTARTSYS 512 .. ENOGRACE 531). */
const char *snoop_errno_name(int err);

/* Signal number -> "SIGTERM"; real-time signals as "SIGRTMIN", "SIGRTMIN+N"
 * (N counted from the kernel's SIGRTMIN, 32, not glibc's 34) and "SIGRTMAX";
 * 0 (a kill(2) that only checks) as "0". NULL when out of 0..64. buf holds
 * the generated names. */
#define SNOOP_SIGNAME_MAX 16
const char *snoop_signal_name(int sig, char buf[SNOOP_SIGNAME_MAX]);

#endif
