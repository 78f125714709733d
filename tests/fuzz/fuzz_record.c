// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: random records through libsnoop's field accessors
 * (lib/session.c): snoop_field_str/u64/s64 on random payloads and random
 * __data_loc words, for fixed, dynamic and relative dynamic fields, must
 * never read outside the record (ASan sees every byte: the record is
 * copied into a buffer of exactly its size), and a string returned lies
 * inside the record. Then the string goes through the escapers as a tool's
 * formatter would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <snoop/output.h>
#include <snoop/session.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tep_format_field f;
	struct snoop_record r;
	struct snoop_buf b;
	size_t len = 0;
	const char *s;
	uint8_t *rec;

	if (size < 4)
		return 0;
	memset(&f, 0, sizeof(f));
	/* 4 bytes of field description, the rest is the record */
	f.offset = (int8_t)data[0] * 2;
	f.size = (int8_t)data[1];
	switch (data[2] % 4) {
	case 0: f.flags = TEP_FIELD_IS_DYNAMIC; break;
	case 1: f.flags = TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_RELATIVE; break;
	case 2: f.flags = TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING; break;
	default: f.flags = (data[3] & 1) ? TEP_FIELD_IS_SIGNED : 0; break;
	}
	f.name = (char *)"fuzz";
	size -= 4;
	rec = malloc(size ? size : 1);
	if (!rec)
		return 0;
	memcpy(rec, data + 4, size);
	memset(&r, 0, sizeof(r));
	r.data = rec;
	r.size = (int)size;
	s = snoop_field_str(&r, &f, &len);
	if (s) {
		if (s < (const char *)rec || s + len > (const char *)rec + size)
			abort();
		snoop_buf_init(&b);
		snoop_escape_text(&b, s, len);
		snoop_escape_json(&b, s, len);
		snoop_buf_free(&b);
	}
	if (!(f.flags & TEP_FIELD_IS_DYNAMIC) && f.size > 0 && f.size <= 8) {
		(void)snoop_field_u64(&r, &f);
		(void)snoop_field_s64(&r, &f);
	}
	free(rec);
	return 0;
}
