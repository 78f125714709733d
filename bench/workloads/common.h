/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the benchmark workloads: a monotonic clock and the result line
 * every workload prints, parsed by bench/run:
 *   ops N secs S rate R cpu C
 * C is the CPU time (user + system) of the workload and its children: the
 * in-kernel cost of tracing (the event writes, BPF programs) is charged to
 * it, while the time it waited for a CPU (a shared, loaded box) is not. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double arg_secs(int argc, char **argv)
{
	double d = argc > 1 ? atof(argv[1]) : 2.0;

	return d > 0 ? d : 2.0;
}

static inline void report(unsigned long long ops, double secs)
{
	struct rusage self, kids;
	double cpu;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	cpu = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	      (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
	printf("ops %llu secs %.6f rate %.1f cpu %.4f\n", ops, secs, (double)ops / secs, cpu);
	fflush(stdout);
}
#endif
