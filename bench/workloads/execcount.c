// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execcount N PROGRAM: fork, execve(PROGRAM) and wait, N times, one child at
 * a time, then stays alive 3 s. For bench/cost: a fixed count of execs.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100;
	char *prog = argc > 2 ? argv[2] : "./bench_tiny";
	char *cargv[] = { prog, "--bench-arg", NULL };
	char *cenv[] = { NULL };

	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		int st;

		if (p < 0)
			return 1;
		if (p == 0) {
			execve(prog, cargv, cenv);
			_exit(127);
		}
		waitpid(p, &st, 0);
	}
	sleep(3);
	return 0;
}
