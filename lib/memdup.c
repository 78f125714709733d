// SPDX-License-Identifier: GPL-2.0-or-later
/* snoop_memdup(): the copy every tool made of a record's string. */
#include <stdlib.h>
#include <string.h>

#include <snoop/output.h>

char *snoop_memdup(const void *p, size_t n)
{
	char *d = malloc(n + 1);

	/* NULL when memory ran out: the caller ends the run through
	 * snoop_session_fail() (no abort() once a session exists). */
	if (!d)
		return NULL;
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}
