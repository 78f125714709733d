// SPDX-License-Identifier: GPL-2.0-or-later
/* Workload: exec /bin/true through fexecve (execveat(fd, "", ..., AT_EMPTY_PATH)). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	char *argv[] = { "true", "via-fd", NULL }; /* busybox runs applets by argv[0] */
	char *envp[] = { NULL };
	int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("open");
		return 1;
	}
	fexecve(fd, argv, envp);
	perror("fexecve");
	return 1;
}
