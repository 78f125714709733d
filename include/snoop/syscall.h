/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A system call's pair of tracepoints, syscalls:sys_enter_NAME and
 * syscalls:sys_exit_NAME, declared together: what every syscall tool does
 * before pairing them (snoop/pair.h).
 */
#ifndef SNOOP_SYSCALL_H
#define SNOOP_SYSCALL_H

#include <stdbool.h>

#include <snoop/session.h>

struct snoop_syscall {
	const char *name;             /* "kill" */
	struct snoop_event *enter, *exit; /* NULL: the kernel lacks it (optional) */
	struct tep_format_field *ret; /* the exit's "ret" */
};

enum snoop_syscall_flags {
	SNOOP_SYSCALL_OPTIONAL = 1 << 0, /* absent: not an error, enter/exit NULL */
	SNOOP_SYSCALL_FAILED = 1 << 1,   /* the kernel drops successful exits (-x) */
	/* The exit alone, enter stays NULL: a tool whose entry record comes
	 * from a probe with more than the tracepoint gives (one event per
	 * call, not two). Optional then means "no sys_exit_NAME". */
	SNOOP_SYSCALL_EXIT_ONLY = 1 << 2,
};

/* Declare the pair of NAME (both handlers get ctx). 0, or -1 with the
 * reason printed (a required syscall the kernel does not trace names
 * CONFIG_FTRACE_SYSCALLS). */
int snoop_session_syscall(struct snoop_session *s, struct snoop_syscall *sc, const char *name,
			  unsigned int flags, snoop_handler_fn enter, snoop_handler_fn exit, void *ctx);

/* The index in scs[0..n) whose enter or exit event is r's, -1 if none. */
int snoop_syscall_of(const struct snoop_syscall *scs, int n, const struct snoop_record *r);

#endif
