/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Uprobes on a shared library's functions: which file a process maps, where
 * a function lies in it, and the probe itself in the session's group. One
 * implementation for every tool that probes the C library (opensnoop
 * --libc, execsnoop without kprobes) and for kprobe's future u: probes.
 */
#ifndef SNOOP_UPROBE_H
#define SNOOP_UPROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/session.h>

/* The C library file (libc.so*) process pid maps; pid 0: the caller's own.
 * NULL when it maps none (statically linked, another C library). Free it. */
char *snoop_uprobe_find_libc(pid_t pid);

/* One symbol to look up: off is set to its file offset (what a uprobe
 * takes), 0 when the file does not define it as a function. */
struct snoop_usym {
	const char *name;
	uint64_t off;
};

/* Look up syms[0..n) in the symbol tables (.dynsym, then .symtab) of the
 * ELF file at path (64-bit ELF only). A plain name also matches its default
 * version ("name@@VER"). 0, or -1 when the file is not one that can be read. */
int snoop_uprobe_offsets(const char *path, struct snoop_usym *syms, size_t n);

/* Each function symbol of the ELF file at path, .dynsym then .symtab (a
 * name may come twice): its file offset and size. fn returns non-zero to
 * stop; NULL only checks the file. 0, or -1 when path is not a 64-bit ELF file that can be read. */
typedef int (*snoop_usym_fn)(const char *name, uint64_t off, uint64_t size, void *ctx);
int snoop_uprobe_each_sym(const char *path, snoop_usym_fn fn, void *ctx);

/* The file a uprobe target BINARY names: a path (made absolute), "libc"
 * (the C library this process maps), a program in PATH, or a library in
 * the usual directories ("ssl" or "libssl" finds libssl.so.N). 0 with the
 * resolved path in out, -1 when nothing readable is found. */
int snoop_uprobe_find_binary(const char *name, char *out, size_t outlen);

/* The fetch-arg name of the i-th integer argument of a function at its
 * first instruction ("%di" on x86_64), NULL past the registers or on an
 * architecture this does not know. */
const char *snoop_uprobe_arg_reg(int i);

/* A uprobe at path:off, named name in the session's group, with the
 * kernel's fetch-arg syntax; NULL with the reason printed. */
struct snoop_event *snoop_uprobe_add(struct snoop_session *s, const char *name, const char *path, uint64_t off,
				     const char *fetchargs, snoop_handler_fn fn, void *ctx);

#endif
