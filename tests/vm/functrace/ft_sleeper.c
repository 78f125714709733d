// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload for functrace --latency/--slower-than: ft_sleeper USEC N ...
 * sleeps USEC microseconds N times for each pair, in order. Each sleep is
 * one clock_nanosleep(2), i.e. one call of hrtimer_nanosleep and of
 * do_nanosleep in the kernel, that lasts at least USEC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: ft_sleeper USEC N [USEC N]...\n");
		return 2;
	}
	for (int a = 1; a + 1 < argc; a += 2) {
		long us = atol(argv[a]), n = atol(argv[a + 1]);
		struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

		for (long i = 0; i < n; i++)
			nanosleep(&t, NULL);
	}
	return 0;
}
