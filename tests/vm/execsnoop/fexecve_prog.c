// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload: exec a program through fexecve (execveat(fd, "", ..., AT_EMPTY_PATH)).
 *   fexecve_prog                      /bin/true as argv "true via-fd"
 *   fexecve_prog PATH ARGV0 ARGS...   PATH with the given argv
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *def[] = { "true", "via-fd", NULL }; /* busybox runs applets by argv[0] */
	char *envp[] = { NULL };
	const char *path = argc > 2 ? argv[1] : "/bin/true";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("open");
		return 1;
	}
	fexecve(fd, argc > 2 ? argv + 2 : def, envp);
	perror("fexecve");
	return 1;
}
