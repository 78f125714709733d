// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload: exec PATH with an argv whose strings the kernel cannot read at
 * the syscall entry: they live in a file mapping that nothing has touched
 * yet, so their page is not in the page tables, and a probe (which may not
 * sleep to fault it in) fails on it; the exec itself faults it in later.
 *   fault_prog PATH ARGV0 ARGS...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/fault_progXXXXXX";
	size_t size = 0, off = 0;
	char **nargv;
	char *m;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: fault_prog PATH ARGV0 ARGS...\n");
		return 2;
	}
	fd = mkstemp(tmpl);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	unlink(tmpl);
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (write(fd, argv[i], n) != (ssize_t)n) {
			perror("write");
			return 1;
		}
		size += n;
	}
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	nargv = calloc((size_t)argc - 1, sizeof(*nargv));
	if (m == MAP_FAILED || !nargv) {
		perror("mmap");
		return 1;
	}
	/* Pointers into the mapping, computed from our own copies: the
	 * mapping itself stays untouched. */
	for (int i = 2; i < argc; i++) {
		nargv[i - 2] = m + off;
		off += strlen(argv[i]) + 1;
	}
	execve(argv[1], nargv, environ);
	perror("execve");
	return 1;
}
