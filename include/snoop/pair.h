/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entry/exit pairing by TID: a syscall's entry record holds what the exit
 * lacks (arguments), the exit holds the result. A thread runs one syscall
 * at a time, so the TID is the key; what makes pairing hard is what the
 * kernel does not deliver:
 *
 *  - a lost exit: the TID's next entry finds the old one still waiting;
 *  - a loss between entry and exit (ring buffer full): the exit that comes
 *    may not be this entry's (snoop_session_loss_seq() moved);
 *  - a lost entry: an exit with nothing to pair.
 *
 * Every entry leaves the table exactly once: paired by its exit, or handed
 * to the tool's drop function with the reason, so a tool can report it
 * ("exit not seen") instead of losing it silently.
 *
 * A tool's entry struct starts with struct snoop_pair_slot:
 *
 *	struct kill_entry { struct snoop_pair_slot slot; int sig; pid_t target; };
 *	p = snoop_pairs_new(sizeof(struct kill_entry), 0, on_drop, x);
 *	...entry handler:
 *	e = snoop_pairs_enter(p, r->pid, r->ts, snoop_session_loss_seq(s));
 *	e->sig = ...;
 *	...exit handler:
 *	e = snoop_pairs_exit(p, r->pid, snoop_session_loss_seq(s));
 *	if (e) print(e, ret); (e is valid until the next call on p)
 *	...at the end: snoop_pairs_flush(p); snoop_pairs_free(p);
 */
#ifndef SNOOP_PAIR_H
#define SNOOP_PAIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The head of every entry; the library's, read-only for the tool. */
struct snoop_pair_slot {
	pid_t tid;          /* 0: free */
	uint64_t ts;        /* the entry's timestamp */
	uint64_t loss_seq;  /* snoop_session_loss_seq() at the entry */
};

/* Why an entry left the table without its exit. */
enum snoop_pair_drop {
	SNOOP_PAIR_NO_EXIT,  /* the TID entered again: this exit was not seen */
	SNOOP_PAIR_SPLIT,    /* a loss came between entry and exit: not paired */
	SNOOP_PAIR_EVICTED,  /* another TID needed the slot */
	SNOOP_PAIR_FLUSHED,  /* still waiting at the end (snoop_pairs_flush) */
};

/* Called with the entry before its slot is reused or cleared: report it,
 * free what it points to. */
typedef void (*snoop_pair_drop_fn)(void *ctx, void *entry, enum snoop_pair_drop why);

struct snoop_pairs;

/* entry_size >= sizeof(struct snoop_pair_slot); slots 0 means 4096. NULL
 * when out of memory. drop may be NULL. */
struct snoop_pairs *snoop_pairs_new(size_t entry_size, size_t slots, snoop_pair_drop_fn drop, void *ctx);
/* Drops nothing: call snoop_pairs_flush() first to hear of the waiting ones. */
void snoop_pairs_free(struct snoop_pairs *p);

/* A new entry for TID, zeroed after the slot header. */
void *snoop_pairs_enter(struct snoop_pairs *p, pid_t tid, uint64_t ts, uint64_t loss_seq);
/* The waiting entry of TID, or NULL (nothing waits), without taking it. */
void *snoop_pairs_peek(struct snoop_pairs *p, pid_t tid);
/*
 * The exit of TID: its entry, taken out of the table (valid until the next
 * call on p), or NULL when there is none or when a loss split it from its
 * exit (then dropped as SNOOP_PAIR_SPLIT first).
 */
void *snoop_pairs_exit(struct snoop_pairs *p, pid_t tid, uint64_t loss_seq);
/* Drop every waiting entry as SNOOP_PAIR_FLUSHED, oldest first. */
void snoop_pairs_flush(struct snoop_pairs *p);

struct snoop_pair_stats {
	uint64_t entered, paired;
	uint64_t no_entry;                 /* exits with nothing to pair */
	uint64_t no_exit, split, evicted, flushed; /* drops by reason */
};
void snoop_pairs_get_stats(const struct snoop_pairs *p, struct snoop_pair_stats *st);

#endif
