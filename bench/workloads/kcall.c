// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kcall SECONDS: the getppid syscall in a loop for SECONDS; prints
 * "ops N secs S rate R". Each op passes the tracepoint
 * syscalls:sys_enter_getppid (the host benchmark: kprobe t:) and the
 * kernel function __do_sys_getppid (the guest benchmark: kprobe p: and
 * functrace; the __x64_sys_ wrapper is not in available_filter_functions).
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
