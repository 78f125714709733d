// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program linked with libsnoop that is not one of the suite's tools:
 * optional events (snoop_session_tracepoint_opt) that the kernel lacks are
 * skipped without a message and the session records the rest; a required
 * one that is missing fails the session with one line. Built and run by
 * lib_optional_event.sh. Usage: PROG opt|required
 */
#include <stdio.h>
#include <string.h>

#include <snoop/session.h>

static int hits;

static void on_kill(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	(void)s;
	(void)r;
	(void)ctx;
	hits++;
}

int main(int argc, char **argv)
{
	struct snoop_opts o = { .duration = 0.5 };
	struct snoop_session *s;
	int ret = 1;

	if (argc != 2)
		return 64;
	s = snoop_session_open("snooptest", &o);
	if (!s)
		return 1;
	if (snoop_session_has_event(s, "nosuch", "event") || !snoop_session_has_event(s, "syscalls", "sys_exit_kill")) {
		fprintf(stderr, "has_event is wrong\n");
		goto out;
	}
	if (strcmp(argv[1], "opt") == 0) {
		if (snoop_session_tracepoint_opt(s, "nosuch", "event", on_kill, NULL) != NULL)
			goto out;
	} else if (!snoop_session_tracepoint(s, "nosuch", "event", on_kill, NULL)) {
		/* the required one: the session must refuse to start */
		if (snoop_session_start(s) == 0)
			fprintf(stderr, "started after a missing required event\n");
		goto out;
	}
	if (!snoop_session_tracepoint_opt(s, "syscalls", "sys_exit_kill", on_kill, NULL) ||
	    snoop_session_start(s) < 0 || snoop_session_run(s) < 0)
		goto out;
	printf("hits %d\n", hits);
	ret = 0;
out:
	snoop_session_close(s);
	return ret;
}
