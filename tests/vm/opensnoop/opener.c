// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload of the opensnoop guest tests: opens a known list of paths and
 * says, one JSON line per open on stdout, what it did, so that the test can
 * compare opensnoop's records with the truth one by one.
 *
 *   opener list [UID]  4 threads are started first; the ids ("PID TID...")
 *                      go to stderr; then every thread waits for the file
 *                      "go" in the cwd and runs its opens. With UID, the
 *                      process switches to that user before the threads.
 *   opener loop N PATH MISSING
 *                      N opens as fast as it can, waiting for "go" first:
 *                      PATH (O_RDONLY, must succeed, closed again) and
 *                      MISSING (O_RDONLY|O_CLOEXEC, must fail with ENOENT)
 *                      in turn, so that an entry paired with the wrong exit
 *                      shows as a path with the other one's result. After
 *                      N/4 opens it creates "p1" and waits for "c1", after
 *                      3N/4 "p2" and "c2" (directories: no opens).
 *   opener gone        opens "sub" (a directory of the cwd), "in sub.txt"
 *                      relative to it, "rel.txt" and the cwd's "abs.txt"
 *                      by its absolute path (all O_CREAT but sub), logs them
 *                      and exits at once.
 *
 * list and loop linger a second before exiting so that opensnoop can still
 * read their /proc entries (UID, cwd, dirfd) when it prints the records.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 4

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t ready;
static int tids[NTHREADS];

static void wait_file(const char *name)
{
	struct stat st;

	while (stat(name, &st) != 0)
		usleep(10000);
}

static void wait_go(void)
{
	wait_file("go");
}

/* Say MARK (a directory: mkdir is no open, so the loop's opens stay
 * exactly N) and wait for GO: the test acts on opensnoop in between. */
static void checkpoint(const char *mark, const char *go)
{
	mkdir(mark, 0755);
	wait_file(go);
}

/* One JSON line: the path as hex, so that any byte survives. */
static void logop(const char *sys, int dfd, const char *path, int flags, int mode, long ret, int err)
{
	char hex[1024];
	size_t n = strlen(path);

	for (size_t i = 0; i < n && i < sizeof(hex) / 2 - 1; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)path[i]);
	hex[2 * n] = '\0';
	pthread_mutex_lock(&out_lock);
	printf("{\"tid\":%d,\"syscall\":\"%s\",\"dfd\":%d,\"path_hex\":\"%s\",\"flags\":%d,\"mode\":%d,"
	       "\"ret\":%ld,\"errno\":%d}\n",
	       gettid(), sys, dfd, hex, flags, mode, ret, ret < 0 ? err : 0);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* glibc's open() and openat() both make the openat syscall. */
static int do_openat(int dfd, const char *path, int flags, int mode)
{
	int fd = openat(dfd, path, flags, mode);

	logop("openat", dfd, path, flags, (flags & O_CREAT) ? mode : -1, fd, errno);
	return fd;
}

static void *thread_main(void *arg)
{
	int id = (int)(long)arg;
	char name[32];

	tids[id] = gettid();
	pthread_barrier_wait(&ready);
	wait_go();
	snprintf(name, sizeof(name), "thread %d.txt", id);
	for (int i = 0; i < 3; i++) {
		int fd = do_openat(AT_FDCWD, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
		fd = do_openat(AT_FDCWD, "rel.txt", O_RDONLY, 0);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static void list(void)
{
	char cwd[4096], abs[4200];
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
	int fds[32], n = 0, dirfd;
	long r;

	if (!getcwd(cwd, sizeof(cwd)))
		exit(2);
	snprintf(abs, sizeof(abs), "%s/abs.txt", cwd);
	mkdir("sub", 0777);

	fds[n++] = do_openat(AT_FDCWD, abs, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fds[n++] = do_openat(AT_FDCWD, "rel.txt", O_RDWR | O_CREAT, 0640);
	fds[n++] = dirfd = do_openat(AT_FDCWD, "sub", O_RDONLY | O_DIRECTORY, 0);
	fds[n++] = do_openat(dirfd, "in sub.txt", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fds[n++] = do_openat(AT_FDCWD, "with space.txt", O_RDWR | O_CREAT, 0640);
	fds[n++] = do_openat(AT_FDCWD, "new\nline.txt", O_WRONLY | O_CREAT | O_APPEND, 0600);
	fds[n++] = do_openat(AT_FDCWD, "bad\xff\xfe.txt", O_WRONLY | O_CREAT | O_NONBLOCK, 0600);
	fds[n++] = do_openat(AT_FDCWD, "esc\x1b[31mred.txt", O_WRONLY | O_CREAT, 0600);
	fds[n++] = do_openat(AT_FDCWD, "missing/nope.txt", O_RDONLY, 0);
	fds[n++] = do_openat(AT_FDCWD, "/nonexistent-dir/x", O_RDONLY | O_CLOEXEC, 0);

	r = syscall(SYS_openat2, AT_FDCWD, "rel.txt", &how, sizeof(how));
	logop("openat2", AT_FDCWD, "rel.txt", (int)how.flags, -1, r, errno);
	fds[n++] = (int)r;
	/* creat and open exist on x86_64, not in the generic syscall table
	 * of arm64 (glibc's open() is openat there). */
#ifdef SYS_creat
	r = syscall(SYS_creat, "creat.txt", 0640);
	logop("creat", AT_FDCWD, "creat.txt", O_WRONLY | O_CREAT | O_TRUNC, 0640, r, errno);
	fds[n++] = (int)r;
#endif
#ifdef SYS_open
	r = syscall(SYS_open, "rel.txt", O_RDONLY | O_NOFOLLOW);
	logop("open", AT_FDCWD, "rel.txt", O_RDONLY | O_NOFOLLOW, -1, r, errno);
	fds[n++] = (int)r;
#endif

	/* The fds (dirfd included) stay open until exit: -F reads them. */
	(void)fds;
}

int main(int argc, char **argv)
{
	pthread_t th[NTHREADS];

	if (argc >= 2 && strcmp(argv[1], "loop") == 0 && argc == 5) {
		long count = strtol(argv[2], NULL, 10);

		fprintf(stderr, "%d %d\n", getpid(), gettid());
		wait_go();
		for (long i = 0; i < count; i++) {
			int fd;

			if (i == count / 4)
				checkpoint("p1", "c1");
			if (i == count / 4 * 3)
				checkpoint("p2", "c2");
			fd = (i & 1) ? open(argv[4], O_RDONLY | O_CLOEXEC) : open(argv[3], O_RDONLY);

			if ((i & 1) && (fd >= 0 || errno != ENOENT)) {
				fprintf(stderr, "%s: opened, or not ENOENT\n", argv[4]);
				return 1;
			}
			if (!(i & 1) && fd < 0) {
				perror(argv[3]);
				return 1;
			}
			if (fd >= 0)
				close(fd);
		}
		printf("%ld\n", count);
		sleep(1);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "gone") == 0) {
		char cwd[4096], abs[4200];
		int dirfd;

		if (!getcwd(cwd, sizeof(cwd)))
			return 2;
		snprintf(abs, sizeof(abs), "%s/abs.txt", cwd);
		dirfd = do_openat(AT_FDCWD, "sub", O_RDONLY | O_DIRECTORY, 0);
		do_openat(dirfd, "in sub.txt", O_RDONLY | O_CREAT, 0600);
		do_openat(AT_FDCWD, "rel.txt", O_RDONLY | O_CREAT, 0600);
		do_openat(AT_FDCWD, abs, O_RDONLY | O_CREAT, 0600);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "list") != 0) {
		fprintf(stderr, "usage: opener list [UID] | opener loop N PATH MISSING | opener gone\n");
		return 2;
	}
	if (argc >= 3) {
		uid_t uid = (uid_t)strtoul(argv[2], NULL, 10);

		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
			perror("setresuid");
			return 2;
		}
	}
	pthread_barrier_init(&ready, NULL, NTHREADS + 1);
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)i);
	pthread_barrier_wait(&ready);
	{
		char ids[256];
		int len = snprintf(ids, sizeof(ids), "%d", getpid());

		for (int i = 0; i < NTHREADS; i++)
			len += snprintf(ids + len, sizeof(ids) - (size_t)len, " %d", tids[i]);
		fprintf(stderr, "%s\n", ids);
	}
	wait_go();
	list();
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	fflush(stdout);
	sleep(1);
	return 0;
}
