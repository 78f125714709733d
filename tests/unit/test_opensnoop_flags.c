// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of opensnoop's pure helpers: flag names and kernel-safe globs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

/* The helpers live with the tool; unit tests link only libsnoop. */
#include "../../tools/opensnoop/flags.c"

static void expect_flags(uint64_t flags, const char *want)
{
	struct snoop_buf b;

	snoop_buf_init(&b);
	snoop_buf_adds(&b, "prefix ");
	opensnoop_flags_str(&b, flags);
	assert_string_equal(snoop_buf_cstr(&b) + 7, want);
	snoop_buf_free(&b);
}

static void test_flags(void **state)
{
	(void)state;
	expect_flags(0, "O_RDONLY");
	expect_flags(O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC");
	expect_flags(O_RDWR | O_CLOEXEC | O_NOFOLLOW, "O_RDWR|O_NOFOLLOW|O_CLOEXEC");
	expect_flags(O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC, "O_RDONLY|O_NONBLOCK|O_DIRECTORY|O_CLOEXEC");
	/* Composite flags are named as a whole, not as their parts. */
	expect_flags(O_WRONLY | O_SYNC, "O_WRONLY|O_SYNC");
	expect_flags(O_WRONLY | O_DSYNC, "O_WRONLY|O_DSYNC");
	expect_flags(O_RDWR | O_TMPFILE, "O_RDWR|O_TMPFILE");
	/* O_PATH ignores the access mode: no O_RDONLY in front. */
	expect_flags(O_PATH | O_CLOEXEC, "O_PATH|O_CLOEXEC");
	expect_flags(OPENSNOOP_O_LARGEFILE, "O_RDONLY|O_LARGEFILE");
	/* Unknown bits stay visible. */
	expect_flags(0x80000000u | O_WRONLY, "O_WRONLY|0x80000000");
	expect_flags(3, "O_ACCMODE");
}

static void test_mode(void **state)
{
	(void)state;
	assert_true(opensnoop_flags_have_mode(O_CREAT));
	assert_true(opensnoop_flags_have_mode(O_RDWR | O_TMPFILE));
	/* O_DIRECTORY alone is part of O_TMPFILE's bits, not O_TMPFILE. */
	assert_false(opensnoop_flags_have_mode(O_DIRECTORY));
	assert_false(opensnoop_flags_have_mode(O_RDONLY | O_CLOEXEC));
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(opensnoop_glob_kernel_safe("/etc/*"));
	assert_true(opensnoop_glob_kernel_safe("*.so.[0-9]"));
	assert_true(opensnoop_glob_kernel_safe("thread [!12].txt"));
	assert_false(opensnoop_glob_kernel_safe(""));
	assert_false(opensnoop_glob_kernel_safe("a\"b"));
	assert_false(opensnoop_glob_kernel_safe("a\\*"));
	assert_false(opensnoop_glob_kernel_safe("[^a]*"));
	assert_false(opensnoop_glob_kernel_safe("a\nb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_glob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
