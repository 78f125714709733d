/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own hit counter of each kprobe event: kprobe_profile, one
 * line per probe, "  EVENT  NHIT  NMISSED". The kprobe handler counts every
 * hit there (nhit, per CPU, summed when read) once the probe is registered,
 * which soft-enabling its event does; a hit the kernel could not handle
 * (reentered, or a kretprobe without a free instance) is counted as
 * missed instead.
 *
 * The file names events without their group: a caller names its events so
 * that no one else's can have the name, and snoop_hitcount_find() says how
 * many lines carry it, so that a clash is seen, not summed.
 */
#ifndef SNOOP_HITCOUNT_H
#define SNOOP_HITCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* kprobe_profile, kept open and read whole at each call. */
struct snoop_hitcount {
	int fd;
	bool open;
	char *text;
	size_t cap;
};

/* Open TRACING_DIR/kprobe_profile. 0, or -errno (-ENOENT: no kprobe events). */
int snoop_hitcount_open(struct snoop_hitcount *h, const char *tracing_dir);
/* Read it again: 0 (h->text holds it), or -errno. */
int snoop_hitcount_read(struct snoop_hitcount *h);
void snoop_hitcount_close(struct snoop_hitcount *h);

/*
 * In the text of a kprobe_profile: the hits and misses of EVENT. Returns
 * how many lines name it (1: found; 0: none; more: the name is not unique
 * and the numbers are the first line's); -1 when a line naming it is not in
 * that form. Pure: no kernel.
 */
int snoop_hitcount_find(const char *text, const char *event, uint64_t *hits, uint64_t *missed);

#endif
