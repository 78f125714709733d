// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opencount N [LINGER]: N x open("/dev/null") + close(), then stays alive
 * LINGER seconds (default 3) so that a tool reading /proc/PID for a late
 * value finds the process, as it does in the timed open loop. For bench/cost,
 * which counts instructions per event: a fixed count, not a fixed time.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	unsigned linger = argc > 2 ? (unsigned)atoi(argv[2]) : 3;

	for (long i = 0; i < n; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
	}
	sleep(linger);
	return 0;
}
