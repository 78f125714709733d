// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execstorm SECONDS PROGRAM: fork, execve(PROGRAM) and wait, one child at a
 * time, for SECONDS; prints "ops N secs S rate R". PROGRAM is bench_tiny, a
 * static program that exits at once, so that the exec itself is the cost.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	double secs = arg_secs(argc, argv), t0, t;
	unsigned long long ops = 0;
	char *prog = argc > 2 ? argv[2] : "./bench_tiny";
	char *cargv[] = { prog, "--bench-arg", NULL };
	char *cenv[] = { NULL };

	t0 = t = now_s();
	while (t - t0 < secs) {
		pid_t p = fork();
		int st;

		if (p < 0) {
			perror("execstorm: fork");
			return 1;
		}
		if (p == 0) {
			execve(prog, cargv, cenv);
			_exit(127);
		}
		if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "execstorm: %s failed\n", prog);
			return 1;
		}
		ops++;
		t = now_s();
	}
	report(ops, t - t0);
	return 0;
}
