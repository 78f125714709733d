/* Workload for the kprobe VM tests: open PATH N times (openat, O_RDONLY |
 * O_CLOEXEC), print each fd on a line, then close them all. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 1;
	int fds[256];

	if (argc < 2 || n < 1 || n > 256) {
		fprintf(stderr, "usage: kp_open PATH [N]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		fds[i] = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
		printf("%d\n", fds[i]);
	}
	fflush(stdout);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
}
