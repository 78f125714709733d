// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Entry/exit pairing by TID with the loss guard (include/snoop/pair.h).
 * A direct-mapped table: one syscall in flight per thread, and a bounded
 * memory whatever the number of threads; a collision evicts (and reports)
 * the older entry.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/pair.h>

struct snoop_pairs {
	unsigned char *slots;
	size_t nslots, esize;
	snoop_pair_drop_fn drop;
	void *ctx;
	struct snoop_pair_stats st;
};

struct snoop_pairs *snoop_pairs_new(size_t entry_size, size_t slots, snoop_pair_drop_fn drop, void *ctx)
{
	struct snoop_pairs *p;

	if (entry_size < sizeof(struct snoop_pair_slot))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	/* Keep every slot aligned for the tool's struct. */
	p->esize = (entry_size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	p->nslots = slots ? slots : 4096;
	p->slots = calloc(p->nslots, p->esize);
	p->drop = drop;
	p->ctx = ctx;
	if (!p->slots) {
		free(p);
		return NULL;
	}
	return p;
}

void snoop_pairs_free(struct snoop_pairs *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p);
}

static struct snoop_pair_slot *slot_of(struct snoop_pairs *p, pid_t tid)
{
	return (struct snoop_pair_slot *)(p->slots + ((size_t)(unsigned int)tid % p->nslots) * p->esize);
}

static void drop(struct snoop_pairs *p, struct snoop_pair_slot *e, enum snoop_pair_drop why)
{
	uint64_t *count[] = { &p->st.no_exit, &p->st.split, &p->st.evicted, &p->st.flushed };

	(*count[why])++;
	if (p->drop)
		p->drop(p->ctx, e, why);
	memset(e, 0, p->esize);
}

void *snoop_pairs_enter(struct snoop_pairs *p, pid_t tid, uint64_t ts, uint64_t loss_seq)
{
	struct snoop_pair_slot *e = slot_of(p, tid);

	if (e->tid)
		drop(p, e, e->tid == tid ? SNOOP_PAIR_NO_EXIT : SNOOP_PAIR_EVICTED);
	memset(e, 0, p->esize);
	e->tid = tid;
	e->ts = ts;
	e->loss_seq = loss_seq;
	p->st.entered++;
	return e;
}

void *snoop_pairs_peek(struct snoop_pairs *p, pid_t tid)
{
	struct snoop_pair_slot *e = slot_of(p, tid);

	return e->tid && e->tid == tid ? e : NULL;
}

void *snoop_pairs_exit(struct snoop_pairs *p, pid_t tid, uint64_t loss_seq)
{
	struct snoop_pair_slot *e = snoop_pairs_peek(p, tid);

	if (!e) {
		p->st.no_entry++;
		return NULL;
	}
	if (e->loss_seq != loss_seq) {
		/* Records went missing in between: this exit may be of a later
		 * call whose entry was lost. */
		drop(p, e, SNOOP_PAIR_SPLIT);
		p->st.no_entry++;
		return NULL;
	}
	/* Out of the table, contents kept until the slot is used again. */
	e->tid = 0;
	p->st.paired++;
	return e;
}

static int by_ts(const void *a, const void *b)
{
	const struct snoop_pair_slot *x = *(struct snoop_pair_slot *const *)a;
	const struct snoop_pair_slot *y = *(struct snoop_pair_slot *const *)b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

void snoop_pairs_flush(struct snoop_pairs *p)
{
	struct snoop_pair_slot **w;
	size_t n = 0;

	w = malloc(p->nslots * sizeof(*w));
	for (size_t i = 0; i < p->nslots; i++) {
		struct snoop_pair_slot *e = (struct snoop_pair_slot *)(p->slots + i * p->esize);

		if (!e->tid)
			continue;
		if (w)
			w[n++] = e;
		else
			drop(p, e, SNOOP_PAIR_FLUSHED); /* no memory to sort: slot order */
	}
	if (!w)
		return;
	qsort(w, n, sizeof(*w), by_ts);
	for (size_t i = 0; i < n; i++)
		drop(p, w[i], SNOOP_PAIR_FLUSHED);
	free(w);
}

void snoop_pairs_get_stats(const struct snoop_pairs *p, struct snoop_pair_stats *st)
{
	*st = p->st;
}
