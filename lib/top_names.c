// SPDX-License-Identifier: GPL-2.0-or-later
/* --top columns by name (include/snoop/top.h). */
#include <string.h>

#include "top_internal.h"

int snoop_top_col_index(const struct snoop_top *t, const char *name)
{
	for (int i = 0; t && name && i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

void snoop_top_num_by(struct snoop_top *t, struct snoop_top_row *r, const char *col, int64_t v)
{
	int i = snoop_top_col_index(t, col);

	if (i >= 0)
		snoop_top_num(t, r, i, v);
}

void snoop_top_text_by(struct snoop_top *t, struct snoop_top_row *r, const char *col, const void *s,
		       size_t n)
{
	int i = snoop_top_col_index(t, col);

	if (i >= 0)
		snoop_top_text(t, r, i, s, n);
}

struct snoop_top_row *snoop_top_hitv(struct snoop_top *t, const char *const *fields, int n)
{
	struct snoop_top_row *row;
	struct snoop_buf key;

	snoop_buf_init(&key);
	for (int i = 0; i < n; i++) {
		if (i)
			snoop_buf_addc(&key, '\0');
		snoop_buf_adds(&key, fields[i] ? fields[i] : "?");
	}
	row = snoop_top_hit(t, key.data, key.len);
	snoop_buf_free(&key);
	return row;
}
