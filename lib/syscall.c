// SPDX-License-Identifier: GPL-2.0-or-later
/* A syscall's enter/exit tracepoints, declared as a pair (include/snoop/syscall.h). */
#include <stdio.h>

#include <snoop/syscall.h>

int snoop_session_syscall(struct snoop_session *s, struct snoop_syscall *sc, const char *name,
			  unsigned int flags, snoop_handler_fn enter, snoop_handler_fn exit, void *ctx)
{
	char ev[128];

	sc->name = name;
	sc->enter = sc->exit = NULL;
	sc->ret = NULL;
	snprintf(ev, sizeof(ev), "sys_%s_%s", flags & SNOOP_SYSCALL_EXIT_ONLY ? "exit" : "enter", name);
	if (!snoop_session_has_event(s, "syscalls", ev)) {
		if (flags & SNOOP_SYSCALL_OPTIONAL)
			return 0;
		snoop_err(s, "the kernel does not trace the syscall %s (syscalls:%s; CONFIG_FTRACE_SYSCALLS)",
			  name, ev);
		return -1;
	}
	if (!(flags & SNOOP_SYSCALL_EXIT_ONLY) && !(sc->enter = snoop_session_tracepoint(s, "syscalls", ev, enter, ctx)))
		return -1;
	snprintf(ev, sizeof(ev), "sys_exit_%s", name);
	sc->exit = snoop_session_tracepoint(s, "syscalls", ev, exit, ctx);
	if (!sc->exit)
		return -1;
	sc->ret = snoop_event_field(sc->exit, "ret");
	if ((flags & SNOOP_SYSCALL_FAILED) && snoop_event_filter(sc->exit, "ret < 0") < 0)
		return -1;
	return 0;
}

int snoop_syscall_of(const struct snoop_syscall *scs, int n, const struct snoop_record *r)
{
	for (int i = 0; i < n; i++)
		if (scs[i].enter == r->ev || scs[i].exit == r->ev)
			return i;
	return -1;
}
