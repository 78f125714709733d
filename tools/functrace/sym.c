// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel addresses as functrace prints them. Symbol and module names come
 * from /proc/kallsyms, which any loaded module shapes: they are escaped like
 * every other untrusted string (kprobe does the same), so that a module
 * cannot write to the terminal through functrace's output.
 */
#include <stdio.h>
#include <string.h>

#include <snoop/output.h>

#include "functrace.h"

void ft_put_sym(const struct snoop_ksyms *ksyms, struct snoop_buf *b, uint64_t addr, bool offset)
{
	uint64_t off;
	const struct snoop_ksym *k = ksyms ? snoop_ksym_lookup(ksyms, addr, &off) : NULL;

	if (!k) {
		snoop_buf_printf(b, "0x%llx", (unsigned long long)addr);
		return;
	}
	snoop_escape_text(b, k->name, strlen(k->name));
	if (offset && off)
		snoop_buf_printf(b, "+0x%llx", (unsigned long long)off);
}

void ft_json_sym(const struct snoop_ksyms *ksyms, struct snoop_json *j, const char *key, const char *modkey,
		 uint64_t addr)
{
	const struct snoop_ksym *k = ksyms ? snoop_ksym_lookup(ksyms, addr, NULL) : NULL;
	char hex[32];

	/* The JSON writer escapes (and keeps undecodable bytes as \uDCXX):
	 * the names round-trip to kallsyms' bytes. */
	if (k) {
		snoop_json_cstr(j, key, k->name);
	} else {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)addr);
		snoop_json_cstr(j, key, hex);
	}
	if (modkey)
		snoop_json_cstr(j, modkey, k ? k->module : NULL);
}

void ft_json_stack_entry(const struct snoop_ksyms *ksyms, struct snoop_json *j, uint64_t addr)
{
	struct snoop_buf sb;

	/* "FUNCTION+0xOFF", the text form, as kprobe's stack arrays. */
	snoop_buf_init(&sb);
	ft_put_sym(ksyms, &sb, addr, true);
	snoop_json_array_str(j, sb.data, sb.len);
	snoop_buf_free(&sb);
}
