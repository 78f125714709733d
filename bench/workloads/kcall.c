// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kcall SECONDS: the getppid syscall in a loop for SECONDS; prints
 * "ops N secs S rate R". Each op calls the kernel function __x64_sys_getppid
 * (__arm64_sys_getppid): the target of the kprobe and functrace benchmarks,
 * e.g. `kprobe p:__x64_sys_getppid` and `functrace '__x64_sys_getppid'`.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	double secs = arg_secs(argc, argv), t0 = now_s(), t = t0;
	unsigned long long ops = 0;

	while (t - t0 < secs) {
		for (int i = 0; i < 1024; i++)
			syscall(SYS_getppid);
		ops += 1024;
		t = now_s();
	}
	report(ops, t - t0);
	return 0;
}
