// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup_basic.sh: clone3 with CLONE_INTO_CGROUP; the child starts in the cgroup
 * argv[1] names (a v2 directory), sends kill(self, 0), waits argv[2] ms,
 * exits. No cgroup event describes such a child: the tools read /proc. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct clone_args a;
	int fd;
	long pid;

	if (argc < 3)
		return 2;
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_INTO_CGROUP;
	a.exit_signal = SIGCHLD;
	a.cgroup = (uint64_t)fd;
	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid < 0) {
		perror("clone3");
		return 1;
	}
	if (pid == 0) {
		kill(getpid(), 0);
		usleep((useconds_t)atoi(argv[2]) * 1000);
		_exit(0);
	}
	printf("%ld\n", pid);
	fflush(stdout);
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}
