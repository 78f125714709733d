// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killsnoop's workload: every signal-sending syscall, succeeding and
 * failing (ESRCH, EPERM, EINVAL), with classic and real-time signals. It
 * prints what it did, one line per call, "SYSCALL SIGNUM RET ERRNO", which
 * the test compares with killsnoop's JSON (and strace's view of the same
 * run). The VM harness builds it for the killsnoop group of VM tests (on the
 * guest's PATH as kill_prog); tests/live/killsnoop_basic.sh builds it with cc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void done(const char *sc, int sig, long ret)
{
	printf("%s %d %ld %d\n", sc, sig, ret, ret < 0 ? errno : 0);
	fflush(stdout);
}

static long pidfd_open_(pid_t pid) { return syscall(SYS_pidfd_open, pid, 0); }
static long pidfd_send(int fd, int sig, unsigned int flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, NULL, flags);
}

int main(void)
{
	pid_t victim, gone;
	int fd, gonefd, st;

	/* A target that takes every catchable signal without dying. */
	/* The kernel's whole mask: glibc's sigfillset() leaves out its own
	 * 32 and 33, and 32 is sent below. */
	unsigned long long all = ~0ull;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, sizeof(all));
	victim = fork();
	if (victim == 0) {
		pause();
		_exit(0);
	}
	/* A PID that was just reaped: ESRCH (unless reused within ms). */
	gone = fork();
	if (gone == 0)
		_exit(0);
	gonefd = (int)pidfd_open_(gone);
	waitpid(gone, &st, 0);
	fd = (int)pidfd_open_(victim);

	done("kill", SIGUSR1, kill(victim, SIGUSR1));
	done("kill", 0, kill(victim, 0));
	done("kill", SIGTERM, kill(gone, SIGTERM));                   /* ESRCH */
	done("kill", 99, kill(victim, 99));                           /* EINVAL */
	done("tkill", 35, syscall(SYS_tkill, victim, 35));            /* SIGRTMIN+3 */
	done("tkill", SIGHUP, syscall(SYS_tkill, gone, SIGHUP));      /* ESRCH */
	done("tgkill", SIGUSR2, syscall(SYS_tgkill, victim, victim, SIGUSR2));
	done("tgkill", 64, syscall(SYS_tgkill, victim, victim, 64));  /* SIGRTMAX */
	done("tgkill", 65, syscall(SYS_tgkill, victim, victim, 65));  /* EINVAL */
	done("tgkill", SIGUSR1, syscall(SYS_tgkill, victim, gone, SIGUSR1)); /* ESRCH */
	done("pidfd_send_signal", 32, pidfd_send(fd, 32, 0));         /* SIGRTMIN */
	done("pidfd_send_signal", SIGUSR1, pidfd_send(fd, SIGUSR1, 0x40)); /* EINVAL (flags) */
	done("pidfd_send_signal", SIGUSR1, pidfd_send(gonefd, SIGUSR1, 0)); /* ESRCH */
	/* EPERM: an unprivileged sender. */
	if (fork() == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		done("kill", SIGUSR1, kill(1, SIGUSR1));
		done("tgkill", SIGUSR1, syscall(SYS_tgkill, 1, 1, SIGUSR1));
		_exit(0);
	}
	wait(&st);
	done("kill", SIGKILL, kill(victim, SIGKILL));
	waitpid(victim, &st, 0);
	return 0;
}
