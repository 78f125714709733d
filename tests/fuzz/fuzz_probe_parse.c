// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the probe definition parser (lib/probe_parse.c) and
 * what it feeds the kernel. Any input: no crash, no overread (ASan), and a
 * definition that parses renders to one line without newline or NUL, so
 * nothing but one probe can ever reach dynamic_events. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/probe_parse.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snoop_probe_def d;
	struct snoop_probe_error err;
	struct snoop_buf out;
	char name[SNOOP_PROBE_NAME_MAX + 1];
	char *text = malloc(size + 1);
	size_t deflen;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0; /* the parser gets C strings: an embedded NUL ends it */
	(void)snoop_probe_split_filter(text, &deflen);
	(void)snoop_probe_type_ok(text);
	memset(&d, 0, sizeof(d));
	if (snoop_probe_parse(text, &d, &err) == 0) {
		snoop_probe_event_name(&d, name, sizeof(name));
		if (strlen(name) > SNOOP_PROBE_NAME_MAX)
			abort();
		for (const char *p = name; *p; p++)
			if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9')))
				abort(); /* the kernel would refuse it, or worse */
		snoop_buf_init(&out);
		if (snoop_probe_render(&d, "snoop_1", name, "__comm=$comm", &out, &err) == 0) {
			if (memchr(out.data, '\n', out.len) || memchr(out.data, '\0', out.len))
				abort(); /* a second command for dynamic_events */
			if (out.len >= 3 && out.len > 2 && strstr(snoop_buf_cstr(&out), "-:"))
				; /* "-:" inside a fetcharg is the kernel's business, not a removal */
		}
		snoop_buf_free(&out);
	} else if (err.pos < 0 || (size_t)err.pos > size) {
		abort(); /* the caret must point into the text */
	}
	free(text);
	return 0;
}
