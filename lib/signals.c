// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every way a session can be told to end (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGPIPE, SIGALRM from -d) ends in the same teardown. The handler does only
 * async-signal-safe things: it turns tracing off through a descriptor opened
 * before tracing started (so nothing more is recorded while we drain), and
 * wakes the read loop through a self-pipe.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM };
#define NSIG_STOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* The only global mutable state of libsnoop, as signal handlers require. */
static volatile sig_atomic_t sig_received;
static volatile sig_atomic_t sig_tracing_on_fd = -1;
static volatile sig_atomic_t sig_wake_fd = -1;
static struct sigaction saved[NSIG_STOP];
static bool installed;

static void on_stop_signal(int sig)
{
	int saved_errno = errno;
	char c = 0;

	if (!sig_received)
		sig_received = sig;
	if (sig_tracing_on_fd >= 0) {
		/* Best effort: tracing stops at once, the drain reads the rest. */
		if (write(sig_tracing_on_fd, "0", 1) < 0) {
		}
	}
	if (sig_wake_fd >= 0) {
		if (write(sig_wake_fd, &c, 1) < 0) {
		}
	}
	errno = saved_errno;
}

int snoop_signals_install(struct snoop_session *s)
{
	struct sigaction sa;

	sig_tracing_on_fd = s->tracing_on_fd;
	sig_wake_fd = s->sig_pipe[1];
	/* Called again once the tracing_on fd exists: only the fds change. A
	 * signal that came during set-up must stay received, and the saved
	 * handlers must stay the program's own, not ours. */
	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigfillset(&sa.sa_mask);
	/* No SA_RESTART: a blocking poll() or write() must return EINTR. */
	sig_received = 0;
	for (size_t i = 0; i < NSIG_STOP; i++) {
		if (sigaction(stop_signals[i], &sa, &saved[i]) < 0)
			return -1;
	}
	installed = true;
	return 0;
}

/* Teardown is about to close the tracing_on fd: the handler must stop
 * writing to it first, or a later signal could write into whatever file
 * reuses the descriptor number. The handlers stay installed, so a second
 * Ctrl-C during teardown cannot kill us half-way through it. */
void snoop_signals_forget_fd(void)
{
	sig_tracing_on_fd = -1;
}

void snoop_signals_restore(void)
{
	if (!installed)
		return;
	sig_tracing_on_fd = -1;
	sig_wake_fd = -1;
	for (size_t i = 0; i < NSIG_STOP; i++)
		sigaction(stop_signals[i], &saved[i], NULL);
	installed = false;
}

bool snoop_signals_pending(void)
{
	return sig_received != 0;
}

int snoop_signals_last(void)
{
	return sig_received;
}

bool snoop_session_interrupted(void)
{
	return sig_received != 0;
}
