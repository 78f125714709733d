// SPDX-License-Identifier: GPL-2.0-or-later
/* kprobe -c: the table of counts per (probe, pid or comm), filled hit by hit
 * in user space or from the kernel's hist tables (hist.c). */
#include <stdlib.h>
#include <string.h>

#include "kprobe.h"

static size_t slot_of(size_t cap, int probe, pid_t pid, const char *comm, int64_t bucket)
{
	return ((size_t)probe * 31 + (size_t)pid * 2654435761u + (size_t)(unsigned char)comm[0] * 7 + strlen(comm) +
		(size_t)bucket * 40503u) & (cap - 1);
}

static struct kp_count *find(struct kp_counts *t, int probe, pid_t pid, const char *comm, int64_t bucket)
{
	size_t h;

	if (!t->cap)
		return NULL;
	h = slot_of(t->cap, probe, pid, comm, bucket);
	while (t->slot[h].used && !(t->slot[h].probe == probe && t->slot[h].pid == pid && t->slot[h].bucket == bucket &&
				    !strcmp(t->slot[h].comm, comm)))
		h = (h + 1) & (t->cap - 1);
	return &t->slot[h];
}

/* Open addressing, grown at half full: a busy function with --by pid can
 * see thousands of tasks. */
static int grow(struct kp_counts *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 256;
	struct kp_counts nt = { calloc(ncap, sizeof(*nt.slot)), 0, ncap };

	if (!nt.slot)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].used)
			*find(&nt, t->slot[i].probe, t->slot[i].pid, t->slot[i].comm, t->slot[i].bucket) = t->slot[i];
	nt.n = t->n;
	free(t->slot);
	*t = nt;
	return 0;
}

int kp_counts_add(struct kp_counts *t, int probe, pid_t pid, const char *comm, size_t commlen, int64_t bucket,
		  uint64_t n)
{
	char cbuf[16] = "";
	struct kp_count *c;

	memcpy(cbuf, comm, commlen < 15 ? commlen : 15);
	if (t->n * 2 >= t->cap && grow(t) < 0)
		return -1;
	c = find(t, probe, pid, cbuf, bucket);
	if (!c->used) {
		c->used = true;
		c->probe = probe;
		c->pid = pid;
		c->bucket = bucket;
		memcpy(c->comm, cbuf, sizeof(cbuf));
		t->n++;
	}
	c->n += n;
	return 0;
}

uint64_t kp_counts_get(struct kp_counts *t, int probe, pid_t pid, const char *comm, int64_t bucket)
{
	struct kp_count *c = find(t, probe, pid, comm, bucket);

	return c && c->used ? c->n : 0;
}

void kp_counts_clear(struct kp_counts *t)
{
	if (t->cap)
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->n = 0;
}

void kp_counts_free(struct kp_counts *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
