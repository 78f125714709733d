// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every way a session can be told to end ends in the same teardown: every
 * signal whose default action would end the process (SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, SIGPIPE, SIGALRM from -d, and the ones nobody sends on
 * purpose to a tracer but that still kill it: SIGXCPU, SIGUSR1, SIGUSR2,
 * SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT, the real-time signals). Left
 * at their default, any of these would leave the instance and the probes
 * behind. The handler does only async-signal-safe things: it turns tracing
 * off through a descriptor opened before tracing started (so nothing more is
 * recorded while we drain), and wakes the read loop through a self-pipe.
 *
 * The fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS,
 * SIGABRT) are stop signals only when another process sent them (kill(1));
 * a real fault gets the action it had before back at once (the default, or
 * a sanitizer's handler), since returning from the handler would only run
 * the faulting instruction again. A fault signal that already has a handler
 * of the program's is left to it.
 *
 * SIGXFSZ is ignored instead: a write past `ulimit -f` then fails with EFBIG
 * and ends the run as the output error it is (snoop_session_flush).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const int stop_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGXCPU, SIGUSR1, SIGUSR2,
	SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
};
static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The only global mutable state of libsnoop, as signal handlers require. */
static volatile sig_atomic_t sig_received;
static volatile sig_atomic_t sig_tracing_on_fd = -1;
static volatile sig_atomic_t sig_wake_fd = -1;
static struct sigaction saved[NSIG];
static bool saved_set[NSIG];
static bool installed;

static void on_stop_signal(int sig, siginfo_t *si, void *uctx)
{
	int saved_errno = errno;
	char c = 0;

	(void)uctx;
	if (si && si->si_code > 0) {
		/* Only a fault sets a positive si_code on these (SI_USER is 0,
		 * SI_QUEUE and SI_TKILL negative): the default, then the fault
		 * again. The reaper and the next sweep clean up after it. */
		for (size_t i = 0; i < NELEM(fault_signals); i++) {
			if (fault_signals[i] == sig) {
				sigaction(sig, &saved[sig], NULL);
				errno = saved_errno;
				return;
			}
		}
	}
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

static int take(int sig, const struct sigaction *sa)
{
	if (sig <= 0 || sig >= NSIG || saved_set[sig])
		return 0;
	if (sigaction(sig, sa, &saved[sig]) < 0)
		return errno == EINVAL ? 0 : -1; /* a number this kernel lacks */
	saved_set[sig] = true;
	return 0;
}

int snoop_signals_install(struct snoop_session *s)
{
	struct sigaction sa, ign;

	sig_tracing_on_fd = s->tracing_on_fd;
	sig_wake_fd = s->sig_pipe[1];
	/* Called again once the tracing_on fd exists: only the fds change. A
	 * signal that came during set-up must stay received, and the saved
	 * handlers must stay the program's own, not ours. */
	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop_signal;
	/* No SA_RESTART: a blocking poll() or write() must return EINTR. */
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sig_received = 0;
	for (size_t i = 0; i < NELEM(stop_signals); i++)
		if (take(stop_signals[i], &sa) < 0)
			return -1;
	for (size_t i = 0; i < NELEM(fault_signals); i++) {
		struct sigaction cur;

		if (sigaction(fault_signals[i], NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO) &&
		    cur.sa_handler == SIG_DFL && take(fault_signals[i], &sa) < 0)
			return -1;
	}
	/* glibc keeps the first two or three for its threads: SIGRTMIN is
	 * the first one a program may use. */
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		if (take(sig, &sa) < 0)
			return -1;
	if (take(SIGXFSZ, &ign) < 0)
		return -1;
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
	sig_tracing_on_fd = -1;
	sig_wake_fd = -1;
	for (int sig = 1; sig < NSIG; sig++) {
		if (!saved_set[sig])
			continue;
		sigaction(sig, &saved[sig], NULL);
		saved_set[sig] = false;
	}
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
