// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * openloop SECONDS: open("/dev/null") + close() in one thread, as fast as it
 * can, for SECONDS; prints "ops N secs S rate R". Each op is one openat
 * syscall (sys_enter_openat + sys_exit_openat: one opensnoop line).
 */
#include <fcntl.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	double secs = arg_secs(argc, argv), t0 = now_s(), t = t0;
	unsigned long long ops = 0;

	while (t - t0 < secs) {
		for (int i = 0; i < 256; i++) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				perror("openloop: open");
				return 1;
			}
			close(fd);
		}
		ops += 256;
		t = now_s();
	}
	report(ops, t - t0);
	return 0;
}
