// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/uprobe.c's ELF side, checked against what the running process maps:
 * the file offset found for a function must be where /proc/self/maps says
 * that function's code lies in the file (the offset a uprobe takes), for a
 * function of this program (.symtab) and for a versioned C library one
 * (.dynsym, default version, as the dynamic linker bound it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include <cmocka.h>

#include <snoop/uprobe.h>

__attribute__((noinline, used)) int uprobe_elf_probe_me(int x)
{
	return x + 1;
}

/* The file and the file offset of a code address, from /proc/self/maps. */
static uint64_t mapped_off(const void *addr, char *file, size_t filelen)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	uint64_t a = (uint64_t)(uintptr_t)addr, found = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off;
		char path[PATH_MAX] = "";

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095s", &lo, &hi, &off, path) < 3)
			continue;
		if (a >= lo && a < hi) {
			found = a - lo + off;
			snprintf(file, filelen, "%s", path);
			break;
		}
	}
	fclose(f);
	return found;
}

static void test_own_function(void **state)
{
	char file[PATH_MAX];
	uint64_t want = mapped_off((const void *)uprobe_elf_probe_me, file, sizeof(file));
	struct snoop_usym sym = { "uprobe_elf_probe_me", 0 };

	(void)state;
	assert_true(want != 0);
	assert_int_equal(snoop_uprobe_offsets(file, &sym, 1), 0);
	assert_int_equal(sym.off, want);
	assert_int_equal(uprobe_elf_probe_me(1), 2);
}

static void test_libc_default_version(void **state)
{
	char file[PATH_MAX], found[PATH_MAX];
	/* realpath has two versions on x86-64 glibc; this program is bound
	 * to the default one, as a plain name is in a u: probe. */
	char *(*volatile fn)(const char *, char *) = realpath;
	uint64_t want = mapped_off((const void *)fn, file, sizeof(file));
	struct snoop_usym sym = { "realpath", 0 };

	(void)state;
	assert_true(want != 0);
	/* Under ASan, realpath is the sanitizer runtime's interceptor, in
	 * libasan, not the C library's: nothing to compare with there. */
	if (!strstr(file, "/libc.so")) {
		fprintf(stderr, "skipped: realpath is mapped from %s, not the C library (a sanitizer's interceptor)\n",
			file);
		skip();
	}
	assert_int_equal(snoop_uprobe_find_binary("libc", found, sizeof(found)), 0);
	assert_true(strstr(found, "libc") != NULL);
	assert_int_equal(snoop_uprobe_offsets(found, &sym, 1), 0);
	assert_int_equal(sym.off, want);
}

static void test_find_binary(void **state)
{
	char out[PATH_MAX];

	(void)state;
	/* A program through PATH: made absolute. */
	setenv("PATH", "/usr/bin:/bin", 1);
	assert_int_equal(snoop_uprobe_find_binary("sh", out, sizeof(out)), 0);
	assert_true(out[0] == '/');
	assert_int_equal(snoop_uprobe_find_binary("no-such-binary-zz", out, sizeof(out)), -1);
	assert_int_equal(snoop_uprobe_find_binary("/no/such/file", out, sizeof(out)), -1);
	/* A directory is no binary. */
	assert_int_equal(snoop_uprobe_find_binary("/etc", out, sizeof(out)), -1);
	/* A readable file that is not ELF: found, but has no symbols. */
	assert_int_equal(snoop_uprobe_find_binary("/etc/passwd", out, sizeof(out)), 0);
	assert_int_equal(snoop_uprobe_each_sym(out, NULL, NULL), -1);
}

static int count_main(const char *name, uint64_t off, uint64_t size, void *ctx)
{
	(void)off;
	(void)size;
	*(int *)ctx += !strcmp(name, "main");
	return 0;
}

static void test_each_sym(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(snoop_uprobe_each_sym("/proc/self/exe", count_main, &n), 0);
	assert_true(n >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_function),
		cmocka_unit_test(test_libc_default_version),
		cmocka_unit_test(test_find_binary),
		cmocka_unit_test(test_each_sym),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
