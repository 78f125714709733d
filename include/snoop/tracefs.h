/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding tracefs and asking what the running kernel can do. */
#ifndef SNOOP_TRACEFS_H
#define SNOOP_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Locate tracefs (/sys/kernel/tracing, then /sys/kernel/debug/tracing),
 * mounting it at /sys/kernel/tracing when nothing is mounted. On failure
 * writes a one-line reason (not root, mount failed, ...) into err and
 * returns NULL. The string is owned by libtracefs.
 */
const char *snoop_tracefs_find(char *err, size_t errlen);

/* Kernel features, probed from tracefs files (never by trying a write). */
struct snoop_features {
	bool kprobe_events;   /* kprobe_events exists (CONFIG_KPROBE_EVENTS) */
	bool uprobe_events;   /* uprobe_events exists */
	bool dynamic_events;  /* dynamic_events exists */
	bool fprobe;          /* README lists f[:...] (CONFIG_FPROBE_EVENTS) */
	bool kprobe_args;     /* $argN fetch args on kprobes */
	bool function_tracer; /* "function" in available_tracers */
	bool function_graph;  /* "function_graph" in available_tracers */
	bool btf;             /* /sys/kernel/btf/vmlinux */
	bool lockdown;        /* /sys/kernel/security/lockdown is not [none] */
	char lockdown_mode[32];
};

void snoop_features_probe(const char *tracing_dir, struct snoop_features *f);

/* Read a whole tracefs (or /proc) file into a malloc'd NUL-terminated
 * buffer; returns NULL and sets errno on failure. len may be NULL. */
char *snoop_read_file(const char *path, size_t *len);
/* Write s to path with a single write(); returns 0 or -errno. */
int snoop_write_file(const char *path, const char *s, bool append);

#endif
