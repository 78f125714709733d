// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pure helpers of opensnoop: open flags as names, and which path patterns
 * the kernel's event filter can apply. Unit-tested by
 * tests/unit/test_opensnoop_flags.c, which includes this file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_DIRECT, O_NOATIME, O_PATH, O_TMPFILE */
#endif
#include <fcntl.h>
#include <string.h>

#include "opensnoop.h"

/* The C library's values are the kernel's for the architecture it was built
 * for, except O_LARGEFILE (0 in 64-bit glibc) and the composite O_SYNC and
 * O_TMPFILE, which are decoded as a whole before their parts. */
static const struct {
	uint64_t bit;
	const char *name;
} open_flags[] = {
	{ O_PATH, "O_PATH" }, /* first: it stands where the access mode would */
	{ O_CREAT, "O_CREAT" },
	{ O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" },
	{ O_NONBLOCK, "O_NONBLOCK" },
	{ O_SYNC, "O_SYNC" },   /* __O_SYNC | O_DSYNC: before O_DSYNC */
	{ O_DSYNC, "O_DSYNC" },
	{ O_ASYNC, "O_ASYNC" },
	{ O_DIRECT, "O_DIRECT" },
	{ OPENSNOOP_O_LARGEFILE, "O_LARGEFILE" },
	{ O_TMPFILE, "O_TMPFILE" }, /* __O_TMPFILE | O_DIRECTORY: before it */
	{ O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" },
};

void opensnoop_flags_str(struct snoop_buf *b, uint64_t flags)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	size_t start = b->len;

	/* O_PATH ignores the access mode: the kernel keeps only O_PATH,
	 * O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC, so O_RDONLY would mislead. */
	if (!(flags & O_PATH) || (flags & O_ACCMODE))
		snoop_buf_adds(b, acc[flags & O_ACCMODE]);
	flags &= ~(uint64_t)O_ACCMODE;
	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if ((flags & open_flags[i].bit) != open_flags[i].bit)
			continue;
		if (b->len > start)
			snoop_buf_addc(b, '|');
		snoop_buf_adds(b, open_flags[i].name);
		flags &= ~open_flags[i].bit;
	}
	if (flags || b->len == start) {
		if (b->len > start)
			snoop_buf_addc(b, '|');
		snoop_buf_printf(b, "0x%llx", (unsigned long long)flags);
	}
}

/*
 * A column must not push the ones after it (MODE, PATH) out of line, and
 * cutting names would hide flags: so a shorter spelling of the same set,
 * then the exact number. JSON always has both in full.
 */
void opensnoop_flags_col(struct snoop_buf *b, uint64_t flags, size_t width)
{
	size_t start = b->len, w = start;

	opensnoop_flags_str(b, flags);
	if (b->len - start <= width)
		return;
	/* "O_WRONLY|O_CREAT" -> "WRONLY|CREAT", in place */
	for (size_t r = start; r < b->len; r++) {
		if ((r == start || b->data[r - 1] == '|') && r + 1 < b->len && b->data[r] == 'O' &&
		    b->data[r + 1] == '_')
			r++;
		else
			b->data[w++] = b->data[r];
	}
	b->len = w;
	if (b->len - start > width) {
		b->len = start;
		snoop_buf_printf(b, "0x%llx", (unsigned long long)flags);
	}
}

bool opensnoop_flags_have_mode(uint64_t flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/*
 * The kernel's "~" operator (filter_parse_regex) reads a pattern as a
 * prefix, suffix or substring match, or as glob_match() with * ? and [...],
 * and takes a backslash as an escape; glob_match() knows "!" but not "^"
 * as set negation. Patterns outside the common ground of the kernel and
 * fnmatch(3), and anything that would need quoting inside the filter's
 * double quotes, stay in user space.
 */
bool opensnoop_glob_kernel_safe(const char *glob)
{
	if (!*glob || strlen(glob) > 256)
		return false;
	for (const char *p = glob; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f)
			return false;
		if (c == '[' && p[1] == '^')
			return false;
	}
	return true;
}
