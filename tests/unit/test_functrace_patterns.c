// SPDX-License-Identifier: GPL-2.0-or-later
/* functrace's pattern parsing and matching against available_filter_functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The tool's file is built into its binary, not the library: include it. */
#include "../../tools/functrace/patterns.c"

static const char list_text[] = "vfs_read\n"
				"vfs_write\n"
				"vfs_open\n"
				"do_sys_openat2\n"
				"__ftrace_invalid_address___123\n"
				"ext4_file_open [ext4]\n"
				"ext4_sync_fs [ext4]\n"
				"xfs_file_open [xfs]\n"
				"vfs_read\n"; /* the same name twice: two static functions */

static size_t match(const char **inc, size_t ninc, const char **exc, size_t nexc, struct ft_pattern *pi)
{
	struct ft_pattern pe[8];
	char err[256];
	char *list = strdup(list_text);
	size_t n;

	for (size_t i = 0; i < ninc; i++)
		assert_int_equal(ft_pattern_parse(inc[i], &pi[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < nexc; i++)
		assert_int_equal(ft_pattern_parse(exc[i], &pe[i], err, sizeof(err)), 0);
	n = ft_match(list, pi, ninc, pe, nexc);
	free(list);
	for (size_t i = 0; i < nexc; i++)
		ft_pattern_free(&pe[i]);
	return n;
}

static void test_parse(void **state)
{
	struct ft_pattern p;
	char err[256], kf[300];

	(void)state;
	assert_int_equal(ft_pattern_parse("ext4_*:mod:ext4", &p, err, sizeof(err)), 0);
	assert_string_equal(p.glob, "ext4_*");
	assert_string_equal(p.module, "ext4");
	ft_pattern_kernel_form(&p, kf, sizeof(kf));
	assert_string_equal(kf, "ext4_*:mod:ext4");
	ft_pattern_free(&p);
	assert_int_equal(ft_pattern_parse(":mod:xfs", &p, err, sizeof(err)), 0);
	assert_string_equal(p.glob, "*");
	ft_pattern_free(&p);

	static const char *const bad[] = { "", "!vfs_read", "vfs read", "vfs\nread", "a:traceoff", "a:mod:",
					   "a:mod:b:c", "x:y:mod:z", "vfs_\x1b[2J", "caf\xc3\xa9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ft_pattern_parse(bad[i], &p, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
	char longp[FT_PATTERN_MAX + 1];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(ft_pattern_parse(longp, &p, err, sizeof(err)), -1);
}

static void test_match(void **state)
{
	struct ft_pattern pi[8];
	const char *inc1[] = { "vfs_*" };
	const char *inc2[] = { "vfs_*", "*open*" };
	const char *exc2[] = { "vfs_open", "nothing_matches" };
	const char *inc3[] = { "*open*:mod:ext4", "*:mod:x?s" };
	const char *inc4[] = { "no_such" };

	(void)state;
	assert_int_equal(match(inc1, 1, NULL, 0, pi), 4); /* both vfs_read entries */
	assert_int_equal(pi[0].matches, 4);
	ft_pattern_free(&pi[0]);

	/* vfs_read x2, vfs_write, do_sys_openat2, ext4_file_open, xfs_file_open */
	assert_int_equal(match(inc2, 2, exc2, 2, pi), 6);
	assert_int_equal(pi[0].matches, 4);
	assert_int_equal(pi[1].matches, 4);
	ft_pattern_free(&pi[0]);
	ft_pattern_free(&pi[1]);

	assert_int_equal(match(inc3, 2, NULL, 0, pi), 2);
	assert_int_equal(pi[0].matches, 1);
	assert_int_equal(pi[1].matches, 1);
	ft_pattern_free(&pi[0]);
	ft_pattern_free(&pi[1]);

	assert_int_equal(match(inc4, 1, NULL, 0, pi), 0);
	assert_int_equal(pi[0].matches, 0);
	ft_pattern_free(&pi[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
