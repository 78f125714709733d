// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signal numbers as names, beside snoop_errno_name(): what a tracer prints
 * for the sig argument of kill(2) and friends.
 */
#include <signal.h>
#include <stdio.h>

#include <snoop/output.h>

/* The kernel's numbering on x86_64 and arm64 (asm-generic), which is what
 * a syscall argument carries: independent of the C library's names. */
static const char *const names[] = {
	[1] = "SIGHUP",   [2] = "SIGINT",     [3] = "SIGQUIT",  [4] = "SIGILL",
	[5] = "SIGTRAP",  [6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",
	[9] = "SIGKILL",  [10] = "SIGUSR1",   [11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM",   [15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT",   [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU",   [23] = "SIGURG",  [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO",   [30] = "SIGPWR",    [31] = "SIGSYS",
};

/* The kernel's real-time range: 32..64 (_NSIG). glibc reserves 32 and 33
 * for itself and its SIGRTMIN is 34, but the kernel's is 32: a tracer
 * names what the kernel got, so SIGRTMIN+N counts from 32. */
#define KERNEL_SIGRTMIN 32
#define KERNEL_SIGRTMAX 64

const char *snoop_signal_name(int sig, char buf[SNOOP_SIGNAME_MAX])
{
	if (sig == 0)
		return "0";
	if (sig > 0 && sig < KERNEL_SIGRTMIN && names[sig])
		return names[sig];
	if (sig == KERNEL_SIGRTMIN)
		return "SIGRTMIN";
	if (sig > KERNEL_SIGRTMIN && sig < KERNEL_SIGRTMAX) {
		snprintf(buf, SNOOP_SIGNAME_MAX, "SIGRTMIN+%d", sig - KERNEL_SIGRTMIN);
		return buf;
	}
	if (sig == KERNEL_SIGRTMAX)
		return "SIGRTMAX";
	return NULL;
}
