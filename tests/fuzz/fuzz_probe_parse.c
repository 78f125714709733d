// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the probe definition parser (lib/probe_parse.c) and
 * what it feeds the kernel. Any input: no crash, no overread (ASan), and a
 * definition that parses renders to one line without newline or NUL, so
 * nothing but one probe can ever reach dynamic_events. The " if FILTER"
 * split is checked against a scan of its own: the split is at the first
 * " if " outside quotes, or there is none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/probe_parse.h>

/* Offset of the first " if " outside quotes (a backslash escapes inside
 * them), or -1: the rule include/snoop/probe_parse.h states. */
static long first_if(const char *t)
{
	char q = 0;

	for (size_t i = 0; t[i]; i++) {
		if (q) {
			if (t[i] == '\\' && t[i + 1])
				i++;
			else if (t[i] == q)
				q = 0;
		} else if (t[i] == '"' || t[i] == '\'') {
			q = t[i];
		} else if (!strncmp(t + i, " if ", 4)) {
			return (long)i;
		}
	}
	return -1;
}

static void check_split(const char *text)
{
	size_t deflen = (size_t)-1, n = strlen(text);
	int fpos = snoop_probe_split_filter(text, &deflen);
	long at = first_if(text);

	if (deflen > n || (deflen && text[deflen - 1] == ' '))
		abort(); /* the definition part: inside the text, blanks trimmed */
	if (at < 0) {
		if (fpos != -1)
			abort();
		return;
	}
	if (fpos < at + 4 || (size_t)fpos > n || deflen > (size_t)at)
		abort();
	for (size_t i = deflen; i < (size_t)fpos; i++)
		if (text[i] != ' ' && !((long)i > at && (long)i < at + 3))
			abort(); /* only blanks and the "if" between the parts */
	if (text[fpos] == ' ')
		abort(); /* the filter starts at its first non-blank */
}

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
	check_split(text);
	(void)deflen;
	(void)snoop_probe_type_ok(text);
	memset(&d, 0, sizeof(d));
	if (snoop_probe_parse(text, &d, &err) == 0) {
		int fpos = snoop_probe_split_filter(text, &deflen);

		/* the filter it keeps is the text after the split */
		if (fpos >= 0 ? strncmp(d.filter, text + fpos, sizeof(d.filter) - 1) != 0 : d.filter[0] != '\0')
			abort();
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
