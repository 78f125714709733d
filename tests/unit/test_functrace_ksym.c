// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/ksym.c: kallsyms parsing and address lookup (used by functrace). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <snoop/ksym.h>

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/test_ksym.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_lookup(void **state)
{
	/* Unsorted on purpose, with data symbols, aliases and a module. */
	char *p = write_tmp("ffffffff81000200 T vfs_read\n"
			    "ffffffff81000100 t helper\n"
			    "ffffffff81000100 T _stext\n"
			    "ffffffff81000180 D some_data\n"
			    "ffffffff81000300 W weak_fn\n"
			    "ffffffffc0001000 t ext4_foo\t[ext4]\n"
			    "garbage line\n");
	struct snoop_ksyms *k = snoop_ksym_load(p);
	const struct snoop_ksym *s;
	uint64_t off;

	(void)state;
	assert_non_null(k);
	assert_int_equal(snoop_ksym_count(k), 5);
	assert_null(snoop_ksym_lookup(k, 0xffffffff81000000ull, &off));
	s = snoop_ksym_lookup(k, 0xffffffff81000104ull, &off);
	assert_string_equal(s->name, "_stext"); /* the global alias wins */
	assert_int_equal(off, 4);
	s = snoop_ksym_lookup(k, 0xffffffff81000190ull, &off); /* data symbols skipped */
	assert_string_equal(s->name, "_stext");
	s = snoop_ksym_lookup(k, 0xffffffff81000200ull, &off);
	assert_string_equal(s->name, "vfs_read");
	assert_int_equal(off, 0);
	assert_null(s->module);
	s = snoop_ksym_lookup(k, 0xffffffffc0001010ull, NULL);
	assert_string_equal(s->name, "ext4_foo");
	assert_string_equal(s->module, "ext4");
	s = snoop_ksym_by_name(k, "ext4_foo", "ext4");
	assert_non_null(s);
	assert_null(snoop_ksym_by_name(k, "ext4_foo", ""));
	assert_int_equal(snoop_ksym_by_name(k, "weak_fn", NULL)->addr, 0xffffffff81000300ull);
	snoop_ksym_free(k);
	unlink(p);
	free(p);
}

static void test_hidden(void **state)
{
	char *p = write_tmp("0000000000000000 T a\n0000000000000000 t b\n");

	(void)state;
	errno = 0;
	assert_null(snoop_ksym_load(p));
	assert_int_equal(errno, EPERM);
	unlink(p);
	free(p);
	assert_null(snoop_ksym_load("/nonexistent/kallsyms"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_hidden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
