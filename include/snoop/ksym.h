/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel symbols from /proc/kallsyms: address -> function name (+ module),
 * and name -> address. Only text symbols (t, T, w, W) are kept: the ones a
 * traced ip, a return address or a stack entry can fall into.
 *
 * kallsyms gives no sizes, so an address resolves to the closest symbol at
 * or below it; addresses before the first symbol resolve to nothing.
 * Loading needs root (or kptr_restrict 0): with the addresses hidden (all
 * zero) snoop_ksym_load() fails with EPERM rather than resolve everything
 * to one wrong name.
 */
#ifndef SNOOP_KSYM_H
#define SNOOP_KSYM_H

#include <stddef.h>
#include <stdint.h>

struct snoop_ksyms;

struct snoop_ksym {
	uint64_t addr;
	const char *name;
	const char *module; /* NULL for the kernel image */
	char type;          /* t, T, w or W as kallsyms says */
};

/* Load /proc/kallsyms (path NULL) or another file of the same format.
 * NULL with errno set on failure (EPERM: addresses hidden). */
struct snoop_ksyms *snoop_ksym_load(const char *path);
void snoop_ksym_free(struct snoop_ksyms *k);
size_t snoop_ksym_count(const struct snoop_ksyms *k);

/* The symbol containing addr (closest at or below it), NULL when none;
 * *off (may be NULL) gets addr - sym->addr. */
const struct snoop_ksym *snoop_ksym_lookup(const struct snoop_ksyms *k, uint64_t addr,
					   uint64_t *off);
/* The first symbol called name (module NULL: any; "" : the kernel image
 * only), NULL when none. Linear: for set-up, not per event. */
const struct snoop_ksym *snoop_ksym_by_name(const struct snoop_ksyms *k, const char *name,
					    const char *module);

#endif
