// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the escapers and the JSON writer (lib/output.c).
 * Invariants checked on every input:
 *  - text and JSON output hold no raw C0 control byte or DEL, and are valid
 *    UTF-8 without raw C1 controls or bidi steering (check.h);
 *  - JSON unescaping (\uDCXX -> the byte, the surrogateescape rule of
 *    README "Output and escaping") gives back the input byte for byte;
 *  - the shell quoting never leaves a raw control byte either. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/output.h>

#include "check.h"

static int hexval(const char *p)
{
	char t[5] = { p[0], p[1], p[2], p[3], 0 };
	return (int)strtol(t, NULL, 16);
}

/* Unescape a JSON string body to bytes, surrogateescape for \uDCXX. */
static void json_roundtrip(const struct snoop_buf *b, const uint8_t *orig, size_t n)
{
	struct snoop_buf o;
	const char *s = b->data;
	size_t i = 0;

	snoop_buf_init(&o);
	while (i < b->len) {
		if (s[i] != '\\') {
			snoop_buf_addc(&o, s[i++]);
			continue;
		}
		if (i + 1 >= b->len)
			abort();
		char c = s[i + 1];
		i += 2;
		switch (c) {
		case '"': case '\\': case '/': snoop_buf_addc(&o, c); break;
		case 'b': snoop_buf_addc(&o, '\b'); break;
		case 'f': snoop_buf_addc(&o, '\f'); break;
		case 'n': snoop_buf_addc(&o, '\n'); break;
		case 'r': snoop_buf_addc(&o, '\r'); break;
		case 't': snoop_buf_addc(&o, '\t'); break;
		case 'u': {
			if (i + 4 > b->len)
				abort();
			int v = hexval(s + i);
			i += 4;
			if (v >= 0xdc80 && v <= 0xdcff) {
				snoop_buf_addc(&o, (char)(v & 0xff));
			} else if (v >= 0xd800 && v <= 0xdfff) {
				abort(); /* a lone surrogate would not be valid JSON text */
			} else if (v < 0x80) {
				snoop_buf_addc(&o, (char)v);
			} else if (v < 0x800) {
				snoop_buf_addc(&o, (char)(0xc0 | (v >> 6)));
				snoop_buf_addc(&o, (char)(0x80 | (v & 0x3f)));
			} else {
				snoop_buf_addc(&o, (char)(0xe0 | (v >> 12)));
				snoop_buf_addc(&o, (char)(0x80 | ((v >> 6) & 0x3f)));
				snoop_buf_addc(&o, (char)(0x80 | (v & 0x3f)));
			}
			break;
		}
		default:
			abort();
		}
	}
	if (o.len != n || (n && memcmp(o.data, orig, n)))
		abort();
	snoop_buf_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snoop_buf b;
	struct snoop_json j;

	snoop_buf_init(&b);
	snoop_escape_text(&b, data, size);
	check_terminal_safe(b.data, b.len, false);
	snoop_buf_reset(&b);
	snoop_escape_shell(&b, data, size);
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			abort();
	snoop_buf_reset(&b);
	snoop_escape_json(&b, data, size);
	check_terminal_safe(b.data, b.len, false);
	json_roundtrip(&b, data, size);
	/* The writer around it: a record with the input as string and array. */
	snoop_buf_reset(&b);
	snoop_json_begin(&j, &b);
	snoop_json_str(&j, "s", data, size);
	snoop_json_array_begin(&j, "argv");
	snoop_json_array_str(&j, data, size / 2);
	snoop_json_array_str(&j, data + size / 2, size - size / 2);
	snoop_json_array_end(&j);
	snoop_json_double(&j, "d", size ? (double)data[0] / 3.0 : 0.0 / 0.0, size ? data[0] % 20 : 3);
	snoop_json_end(&j);
	if (b.len < 2 || b.data[b.len - 1] != '\n' || memchr(b.data, '\n', b.len - 1))
		abort();
	snoop_buf_pad(&b, 0, size % 300);
	snoop_buf_free(&b);
	return 0;
}
