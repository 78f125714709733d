// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program linked with libsnoop that no list in snoopkit names: the
 * ownership tests run it beside the suite's tools, which must never take
 * its session for a dead one. It prints "exec PID" for each
 * sched_process_exec and ends after argv[1] seconds (default: a signal).
 */
#include <stdio.h>
#include <stdlib.h>

#include <snoop/session.h>

static void on_exec(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)ctx;
	snoop_buf_printf(snoop_session_out(s), "exec %d\n", r->pid);
}

int main(int argc, char **argv)
{
	struct snoop_opts o = { .duration = argc > 1 ? atof(argv[1]) : 0 };
	struct snoop_session *s = snoop_session_open("strangesnoop", &o);
	int ret = 1;

	if (!s)
		return 1;
	if (snoop_session_tracepoint(s, "sched", "sched_process_exec", on_exec, NULL) &&
	    snoop_session_start(s) == 0 && snoop_session_run(s) == 0)
		ret = 0;
	snoop_session_close(s);
	return ret;
}
