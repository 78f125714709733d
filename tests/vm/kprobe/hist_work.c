// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known work for the hist tests:
 *   hist_work getppid N        N getppid system calls
 *   hist_work read SIZE N      N reads of SIZE bytes from /dev/zero
 *   hist_work sleep USEC N     N nanosleeps of USEC microseconds
 *   hist_work badread N        N reads of fd -1 (EBADF)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20];

	if (argc == 3 && !strcmp(argv[1], "getppid")) {
		long n = atol(argv[2]);

		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "read")) {
		size_t size = (size_t)atol(argv[2]);
		long n = atol(argv[3]);
		int fd = open("/dev/zero", O_RDONLY);

		if (fd < 0 || size > sizeof(buf))
			return 1;
		for (long i = 0; i < n; i++)
			if (read(fd, buf, size) != (ssize_t)size)
				return 1;
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "badread")) {
		long n = atol(argv[2]);

		for (long i = 0; i < n; i++)
			if (read(-1, buf, 1) != -1)
				return 1;
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "sleep")) {
		long us = atol(argv[2]), n = atol(argv[3]);
		struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

		for (long i = 0; i < n; i++)
			nanosleep(&ts, NULL);
		return 0;
	}
	fprintf(stderr, "usage: hist_work getppid N | read SIZE N | sleep USEC N | badread N\n");
	return 2;
}
