// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload for the functrace -G guest tests: ft_sleeper FAST SLOW_MS PATH
 * waits for SIGUSR1 (so that a tracer can attach to its pid first), then
 * opens PATH once (one openat(2): one call of do_sys_openat2), sleeps 0 ns
 * FAST times and SLOW_MS milliseconds once (each one clock_nanosleep(2)),
 * and exits: one slow call among fast ones of the same function.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec zero = { 0, 0 }, slow;
	sigset_t block, old;
	int fast, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: ft_sleeper FAST SLOW_MS PATH\n");
		return 2;
	}
	fast = atoi(argv[1]);
	slow.tv_sec = atoi(argv[2]) / 1000;
	slow.tv_nsec = (long)(atoi(argv[2]) % 1000) * 1000000L;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!go)
		sigsuspend(&old);
	fd = open(argv[3], O_RDONLY);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < fast; i++)
		nanosleep(&zero, NULL);
	nanosleep(&slow, NULL);
	return 0;
}
