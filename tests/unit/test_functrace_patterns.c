// SPDX-License-Identifier: GPL-2.0-or-later
/* functrace's pattern parsing and matching against available_filter_functions. */
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

/* What the kernel took: set_ftrace_filter less set_ftrace_notrace, the same
 * number as ft_match gives for the same patterns (the --limit check is
 * made on both, and must agree). */
static void test_kernel_selected(void **state)
{
	struct ft_pattern pi[8];
	const char *inc[] = { "vfs_*", "*open*" };
	const char *exc[] = { "vfs_r*", "*:mod:xfs" };
	/* What the kernel lists for those patterns, in its own order. */
	char filter[] = "vfs_write\nvfs_read\ndo_sys_openat2\nvfs_open\next4_file_open [ext4]\n"
			"xfs_file_open [xfs]\nvfs_read\n";
	char notrace[] = "vfs_read\nxfs_file_open [xfs]\nxfs_sync [xfs]\nvfs_read\n";
	char all[] = "#### all functions enabled ####\n";
	char none[] = "";
	char only_mod[] = "ext4_file_open [ext4]\n";
	char plain_name[] = "ext4_file_open\n";
	size_t nf = 99, want;

	(void)state;
	want = match(inc, 2, exc, 2, pi);
	ft_pattern_free(&pi[0]);
	ft_pattern_free(&pi[1]);
	assert_int_equal(want, 4); /* vfs_write, do_sys_openat2, vfs_open, ext4_file_open */
	assert_int_equal(ft_kernel_selected(filter, notrace, &nf), want);
	assert_int_equal(nf, 7);

	/* The count that used to be checked: the filter alone. */
	char filter2[] = "vfs_write\nvfs_read\n";
	assert_int_equal(ft_kernel_selected(filter2, NULL, &nf), 2);
	assert_int_equal(nf, 2);

	/* An empty filter is no function, whatever the header line says. */
	assert_int_equal(ft_kernel_selected(all, NULL, &nf), 0);
	assert_int_equal(nf, 0);
	assert_int_equal(ft_kernel_selected(none, NULL, NULL), 0);

	/* A module's function and a name without module are different lines. */
	char notrace2[] = "ext4_file_open\n";
	assert_int_equal(ft_kernel_selected(only_mod, notrace2, &nf), 1);
	char notrace3[] = "ext4_file_open [ext4]\n";
	assert_int_equal(ft_kernel_selected(plain_name, notrace3, &nf), 1);
	char only_mod2[] = "ext4_file_open [ext4]\n";
	char notrace4[] = "ext4_file_open [ext4]\n";
	assert_int_equal(ft_kernel_selected(only_mod2, notrace4, &nf), 0);
	assert_int_equal(nf, 1);
}

/* The limit check's status and message, shared by the check before
 * anything is written and the one on what the kernel took. */
static void test_check_count(void **state)
{
	char path[] = "/tmp/test_ft_count.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char buf[2048];
	ssize_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	assert_int_equal(ft_check_count(10, 10, false), 0);
	assert_int_equal(ft_check_count(11, 10, true), 0);
	assert_int_equal(ft_check_count(11, 10, false), FT_EXIT_USAGE);
	assert_int_equal(ft_check_count(0, 10, true), FT_EXIT_USAGE);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "functrace: the patterns match 11 functions, more than the limit of 10: narrow them, "
				 "raise --limit or add --force (tracing many functions slows the whole system)\n"
				 "functrace: the exclusions (-x) leave no function to trace\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_kernel_selected),
		cmocka_unit_test(test_check_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
