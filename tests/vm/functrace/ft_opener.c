// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload for the functrace guest tests: ft_opener N M PATH [FAST SLOW_MS]
 * waits for SIGUSR1 (so that a tracer can attach to its pid first), then
 * opens PATH N times itself and M times in a child it forks; with FAST and
 * SLOW_MS, it then sleeps 0 ns FAST times and SLOW_MS milliseconds once
 * (each one clock_nanosleep(2): one slow call among fast ones, for -G
 * --min-duration), and exits. Every open is one openat(2), i.e. one call
 * of do_sys_openat2.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static void opens(int n, const char *path)
{
	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, old;
	pid_t child;
	int n, m;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: ft_opener N M PATH [FAST SLOW_MS]\n");
		return 2;
	}
	n = atoi(argv[1]);
	m = atoi(argv[2]);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!go)
		sigsuspend(&old);
	opens(n, argv[3]);
	if (m > 0) {
		child = fork();
		if (child == 0) {
			opens(m, argv[3]);
			_exit(0);
		}
		waitpid(child, NULL, 0);
	}
	if (argc == 6) {
		struct timespec zero = { 0, 0 }, slow = { atoi(argv[5]) / 1000, (long)(atoi(argv[5]) % 1000) * 1000000L };

		for (int i = 0; i < atoi(argv[4]); i++)
			nanosleep(&zero, NULL);
		nanosleep(&slow, NULL);
	}
	return 0;
}
