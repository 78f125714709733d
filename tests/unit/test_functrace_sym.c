// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * functrace's symbols (tools/functrace/sym.c): names and modules from
 * kallsyms are untrusted (a module chooses them) and are escaped in text,
 * JSON-escaped (round-trip) in JSON, the way kprobe prints them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The tool's file is built into its binary, not the library: include it. */
#include "../../tools/functrace/sym.c"

static struct snoop_ksyms *load(void)
{
	static const char text[] = "ffffffff81000100 T vfs_read\n"
				   "ffffffff81000200 t evil\x1b]0;pwned\x07\n"
				   "ffffffff81000300 t caf\xc3\xa9_\xff\n"
				   "ffffffffc0001000 t mod_fn\t[bad\x1b[2Jmod]\n";
	char path[] = "/tmp/test_ft_sym.XXXXXX";
	int fd = mkstemp(path);
	struct snoop_ksyms *k;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	k = snoop_ksym_load(path);
	unlink(path);
	assert_non_null(k);
	return k;
}

static const char *text_of(struct snoop_ksyms *k, struct snoop_buf *b, uint64_t addr, bool offset)
{
	snoop_buf_reset(b);
	ft_put_sym(k, b, addr, offset);
	return snoop_buf_cstr(b);
}

static void test_text(void **state)
{
	struct snoop_ksyms *k = load();
	struct snoop_buf b;

	(void)state;
	snoop_buf_init(&b);
	assert_string_equal(text_of(k, &b, 0xffffffff81000100ull, false), "vfs_read");
	assert_string_equal(text_of(k, &b, 0xffffffff81000110ull, true), "vfs_read+0x10");
	assert_string_equal(text_of(k, &b, 0xffffffff81000100ull, true), "vfs_read");
	/* No raw control byte reaches the output. */
	assert_string_equal(text_of(k, &b, 0xffffffff81000200ull, false), "evil\\x1b]0;pwned\\x07");
	assert_string_equal(text_of(k, &b, 0xffffffff81000208ull, true), "evil\\x1b]0;pwned\\x07+0x8");
	/* Valid UTF-8 stays, an invalid byte is escaped. */
	assert_string_equal(text_of(k, &b, 0xffffffff81000300ull, false), "caf\xc3\xa9_\\xff");
	assert_string_equal(text_of(k, &b, 0xffffffffc0001004ull, false), "mod_fn");
	assert_string_equal(text_of(k, &b, 0x1000ull, false), "0x1000");
	assert_string_equal(text_of(NULL, &b, 0xffffffff81000100ull, false), "0xffffffff81000100");
	snoop_buf_free(&b);
	snoop_ksym_free(k);
}

static void test_json(void **state)
{
	struct snoop_ksyms *k = load();
	struct snoop_json j;
	struct snoop_buf b;

	(void)state;
	snoop_buf_init(&b);
	snoop_json_begin(&j, &b);
	ft_json_sym(k, &j, "func", "module", 0xffffffff81000200ull);
	ft_json_sym(k, &j, "caller", "caller_module", 0xffffffffc0001000ull);
	ft_json_sym(k, &j, "x", NULL, 0xffffffff81000300ull);
	ft_json_sym(k, &j, "y", "y_module", 0x10ull);
	snoop_json_array_begin(&j, "stack");
	ft_json_stack_entry(k, &j, 0xffffffff81000204ull);
	ft_json_stack_entry(k, &j, 0xffffffff81000100ull);
	snoop_json_array_end(&j);
	snoop_json_end(&j);
	assert_string_equal(snoop_buf_cstr(&b),
			    "{\"func\":\"evil\\u001b]0;pwned\\u0007\",\"module\":null,"
			    "\"caller\":\"mod_fn\",\"caller_module\":\"bad\\u001b[2Jmod\","
			    "\"x\":\"caf\xc3\xa9_\\udcff\","
			    "\"y\":\"0x10\",\"y_module\":null,"
			    "\"stack\":[\"evil\\\\x1b]0;pwned\\\\x07+0x4\",\"vfs_read\"]}\n");
	snoop_buf_free(&b);
	snoop_ksym_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
