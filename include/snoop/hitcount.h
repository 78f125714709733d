/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own hit counter of each dynamic probe: kprobe_profile ("
 * EVENT NHIT NMISSED" per kprobe) and uprobe_profile (" FILE EVENT NHIT"
 * per uprobe). The probe's handler counts every hit there once the probe
 * is registered, which soft-enabling its event does; a kprobe hit the
 * kernel could not handle (reentered, or a kretprobe without a free
 * instance) is counted as missed instead. kprobes count per CPU; uprobes
 * did so only from 6.12 on (a plain increment, racy between CPUs, before),
 * and count a uretprobe's calls, not its returns.
 *
 * The files name events without their group: a caller names its events so
 * that no one else's can have the name, and snoop_hitcount_find() says how
 * many lines carry it, so that a clash is seen, not summed.
 */
#ifndef SNOOP_HITCOUNT_H
#define SNOOP_HITCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A profile file, kept open and read whole at each call. */
struct snoop_hitcount {
	int fd;
	bool open;
	char *text;
	size_t cap;
};

/* Open TRACING_DIR/FILE (kprobe_profile, uprobe_profile). 0, or -errno
 * (-ENOENT: no such probes). */
int snoop_hitcount_open(struct snoop_hitcount *h, const char *tracing_dir, const char *file);
/* Read it again: 0 (h->text holds it), or -errno. */
int snoop_hitcount_read(struct snoop_hitcount *h);
void snoop_hitcount_close(struct snoop_hitcount *h);

/*
 * In the text of a profile file: the hits (and, in kprobe_profile, misses;
 * else 0) of EVENT, the word on a line followed by nothing but one or two
 * numbers. Returns how many lines name it so (1: found; 0: none; more: the
 * name is not unique and the numbers are the first line's). Pure: no
 * kernel.
 */
int snoop_hitcount_find(const char *text, const char *event, uint64_t *hits, uint64_t *missed);

#endif
