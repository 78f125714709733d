// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchctl: runs one benchmark configuration and prints what it measured as
 * key=value pairs on one line, for bench/run.
 *
 *   benchctl [-o OUT] [-p MATCH] [-e ERR] [-k snoop|bpftrace] [-s SETTLE] [-T STOPMAX] [-F EVENTS]
 *            [-P DEFS] [-w 'WORKLOAD ARGS'] [-r WLOUT] [-E [-D DEFS]] [-- TOOL ARGS...]
 *
 * With a TOOL: launches it (stdout to OUT, stderr to ERR), measures launch
 * to armed with a tight poll loop (start_ms), waits SETTLE seconds, runs the
 * WORKLOAD to its end (its "ops N secs S rate R" line goes to WLOUT), then
 * sends SIGINT and measures signal to exit with wait4 (stop_ms), whose
 * rusage gives the tool's CPU (cpu_s = utime + stime, also apart: usr_s and
 * sys_s) and peak RSS (rss_kb).
 * A tool not gone STOPMAX seconds (default 30) after the SIGINT gets SIGKILL,
 * and the line says timeout=1 (stop_ms is then the time to the kill): a
 * teardown that hangs (bpftrace's took up to 236 s on this machine) costs
 * a round, not the run.
 *
 * Armed means, for a snoopkit tool (-k snoop): its instance
 * instances/snoop_*_PID exists, some event of it is enabled and its
 * tracing_on reads 1 (libsnoop writes tracing_on last, after the reader's
 * files are open). For bpftrace (-k bpftrace): OUT holds "PID", the header
 * that the bench scripts' BEGIN probe prints (bpftrace fires BEGIN after
 * attaching every probe; run it with -B none so that the line is not held
 * in a buffer), or, with -k bpftrace-attach, OUT holds bpftrace's own
 * "Attaching N probes..." (then SETTLE covers the attach itself). With
 * -k exit, the time from launch to the exit of TOOL: a reference for what
 * starting any program costs on the machine at that moment.
 *
 * -p MATCH: the tool writes into a pipe, not into OUT, as into a log
 * shipper (issue 21: "pipelines that ship events to a log system use -j").
 * A sink process reads it as cat does (128 KiB reads), copies the first
 * 64 KiB to OUT (what the arming checks look for, and a sample), and counts
 * the rest; at the end it writes OUT.counts: "bytes= lines= match= header=
 * lost=" (lines naming MATCH; header lines, "PID " or "PCOMM " first; JSON
 * loss records), and benchctl adds sink_cpu_s. Why not a file: on this
 * machine (a VM with free page reporting, page_reporting_order=11) pages
 * freed by the last round's file go back to the host, and writing 0.9 GB
 * into tmpfs then cost opensnoop -j 1.5-2.0 s of system time a round
 * instead of 0.3 (host faults), whatever the tool did.
 *
 * -F EVENTS (system:event,...): the floor. Creates instances/bench_floor_PID,
 * enables those events in it, nobody reads it; removed at the end.
 * -E prints the events the tool's instance has enabled (events=...), which
 * is how bench/run learns what the floor must enable, and its ring size a
 * CPU (ring_kb=..., for bench/kmin). With -D DEFS it also
 * writes the definitions of the tool's own probes (its dynamic_events lines:
 * the uprobes of execsnoop, say), their group replaced by the word GROUP;
 * -P DEFS makes the floor create them first, in its own group
 * bench_floor_PID (an event SYS:NAME of -F whose SYS is not a tracefs
 * system is looked up there), and remove them at the end.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *tracing = "/sys/kernel/tracing";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* The instance directory of the snoopkit tool with this PID, or "". */
static void find_instance(pid_t pid, char *out, size_t len)
{
	char dir[512], suffix[32];
	struct dirent *de;
	DIR *d;

	out[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/instances", tracing);
	snprintf(suffix, sizeof(suffix), "_%d", (int)pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), m = strlen(suffix);

		if (strncmp(de->d_name, "snoop_", 6) == 0 && n > m && strcmp(de->d_name + n - m, suffix) == 0) {
			snprintf(out, len, "%s/%s", dir, de->d_name);
			break;
		}
	}
	closedir(d);
}

static int snoop_armed(pid_t pid, char *inst, size_t len)
{
	char path[700], v[16];

	if (!inst[0])
		find_instance(pid, inst, len);
	if (!inst[0])
		return 0;
	snprintf(path, sizeof(path), "%s/events/enable", inst);
	if (read_small(path, v, sizeof(v)) <= 0 || v[0] == '0')
		return 0;
	snprintf(path, sizeof(path), "%s/tracing_on", inst);
	return read_small(path, v, sizeof(v)) > 0 && v[0] == '1';
}

static int file_has(const char *path, const char *needle)
{
	char buf[4096];
	int n;

	if (!path)
		return 0;
	n = read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	return needle ? strstr(buf, needle) != NULL : 1;
}

/* Print "events=sys:ev,..." for every enabled event of the instance. */
static void print_enabled(const char *inst)
{
	char dir[700], sub[1000], path[1300], v[8];
	struct dirent *s, *e;
	DIR *ds, *de;
	int first = 1;

	snprintf(dir, sizeof(dir), "%s/events", inst);
	printf("events=");
	ds = opendir(dir);
	while (ds && (s = readdir(ds))) {
		if (s->d_name[0] == '.' || s->d_type != DT_DIR)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, s->d_name);
		de = opendir(sub);
		while (de && (e = readdir(de))) {
			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			snprintf(path, sizeof(path), "%s/%s/enable", sub, e->d_name);
			if (read_small(path, v, sizeof(v)) > 0 && v[0] == '1') {
				printf("%s%s:%s", first ? "" : ",", s->d_name, e->d_name);
				first = 0;
			}
		}
		if (de)
			closedir(de);
	}
	if (ds)
		closedir(ds);
	/* and the ring a CPU it set up (bench/kmin makes the same) */
	snprintf(path, sizeof(path), "%s/buffer_size_kb", inst);
	if (read_small(path, v, sizeof(v)) > 0)
		printf(" ring_kb=%ld", strtol(v, NULL, 10));
	printf(" ");
}

static char floor_dir[512];
static char floor_group[64];
static char *floor_probes[256]; /* names of the probes the floor created */
static int floor_nprobes;

/* Append one command to dynamic_events (">>": the kernel keeps the rest). */
static int dynevent_cmd(const char *cmd)
{
	char path[300];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/dynamic_events", tracing);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) ? 0 : -1;
	close(fd);
	return ret;
}

static void floor_remove(void)
{
	char path[600];

	if (!floor_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/tracing_on", floor_dir);
	write_str(path, "0");
	snprintf(path, sizeof(path), "%s/events/enable", floor_dir);
	write_str(path, "0");
	for (int i = 0; i < 100 && rmdir(floor_dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
	floor_dir[0] = '\0';
	for (int i = 0; i < floor_nprobes; i++) {
		snprintf(path, sizeof(path), "-:%s/%s", floor_group, floor_probes[i]);
		dynevent_cmd(path);
		free(floor_probes[i]);
	}
	floor_nprobes = 0;
}

/* Create the probes of DEFS ("p:GROUP/name ...", one per line) in the
 * floor's group. */
static int floor_probes_create(const char *defs)
{
	char line[4096], cmd[4200];
	FILE *f = fopen(defs, "r");

	if (!f) {
		fprintf(stderr, "benchctl: %s: %s\n", defs, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) && floor_nprobes < 256) {
		char *g = strstr(line, ":GROUP/"), *name, *sp;

		line[strcspn(line, "\n")] = '\0';
		if (!g)
			continue;
		*g = '\0';
		name = g + 7;
		sp = strchr(name, ' ');
		snprintf(cmd, sizeof(cmd), "%s:%s/%s", line, floor_group, name);
		if (dynevent_cmd(cmd) < 0) {
			fprintf(stderr, "benchctl: cannot create the floor's probe '%s': %s\n", cmd, strerror(errno));
			fclose(f);
			return -1;
		}
		if (sp)
			*sp = '\0';
		floor_probes[floor_nprobes++] = strdup(name);
	}
	fclose(f);
	return 0;
}

/* -D: the tool's own probes (group snoop_*_PID), group replaced by GROUP. */
static void dump_probes(pid_t pid, const char *defs)
{
	char path[300], line[4096], suffix[32];
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/dynamic_events", tracing);
	snprintf(suffix, sizeof(suffix), "_%d/", (int)pid);
	in = fopen(path, "r");
	out = fopen(defs, "w");
	while (in && out && fgets(line, sizeof(line), in)) {
		char *colon = strchr(line, ':'), *slash = colon ? strchr(colon, '/') : NULL;

		/* "p:snoop_TOKEN_PID/name ADDR ARGS..." */
		if (!slash || strncmp(colon + 1, "snoop_", 6) != 0 || (size_t)(slash - colon) < strlen(suffix) ||
		    strncmp(slash + 1 - strlen(suffix), suffix, strlen(suffix)) != 0)
			continue;
		fprintf(out, "%.*sGROUP%s", (int)(colon + 1 - line), line, slash);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

static int floor_create(char *events, const char *probes)
{
	char path[1024], sys[256];

	snprintf(floor_group, sizeof(floor_group), "bench_floor_%d", (int)getpid());
	if (probes && floor_probes_create(probes) < 0) {
		floor_remove();
		return -1;
	}
	snprintf(floor_dir, sizeof(floor_dir), "%s/instances/bench_floor_%d", tracing, (int)getpid());
	if (mkdir(floor_dir, 0750) < 0) {
		fprintf(stderr, "benchctl: mkdir %s: %s\n", floor_dir, strerror(errno));
		floor_dir[0] = '\0';
		return -1;
	}
	atexit(floor_remove);
	for (char *tok = strtok(events, ","); tok; tok = strtok(NULL, ",")) {
		char *colon = strchr(tok, ':');

		if (!colon)
			continue;
		*colon = '\0';
		/* A probe of the tool's own group: the floor's copy. */
		snprintf(sys, sizeof(sys), "%s", strncmp(tok, "snoop_", 6) == 0 ? floor_group : tok);
		snprintf(path, sizeof(path), "%s/events/%s/%s/enable", floor_dir, sys, colon + 1);
		if (write_str(path, "1") < 0) {
			fprintf(stderr, "benchctl: cannot enable %s:%s in the floor instance\n", tok, colon + 1);
			return -1;
		}
	}
	return 0;
}

static pid_t spawn(char **argv, const char *out, const char *err)
{
	pid_t p = fork();

	if (p == 0) {
		int fd;

		if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		if (err && (fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "benchctl: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return p;
}

/* One line of the stream (without its newline) into the counts. */
struct sink_counts {
	unsigned long long bytes, lines, match, header, lost;
};

static void sink_line(struct sink_counts *c, const char *l, size_t n, const char *match)
{
	c->lines++;
	if ((n >= 4 && memcmp(l, "PID ", 4) == 0) || (n >= 6 && memcmp(l, "PCOMM ", 6) == 0))
		c->header++;
	else if (memmem(l, n, "\"type\":\"lost\"", 13))
		c->lost++;
	if (memmem(l, n, match, strlen(match)))
		c->match++;
}

/* The sink (-p): read fd to its end, the first SAMPLE bytes into out, count
 * the lines; write out.counts. A line longer than LINE_MAX_SINK is counted
 * by its first bytes. */
#define SAMPLE (64 * 1024)
#define LINE_MAX_SINK (64 * 1024)
static int sink(int fd, const char *out, const char *match)
{
	static char buf[128 * 1024], line[LINE_MAX_SINK];
	struct sink_counts c = { 0 };
	size_t have = 0, sampled = 0;
	char path[1100];
	int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FILE *f;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		const char *p = buf, *end;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		c.bytes += (unsigned long long)n;
		if (ofd >= 0 && sampled < SAMPLE) {
			size_t k = (size_t)n < SAMPLE - sampled ? (size_t)n : SAMPLE - sampled;

			if (write(ofd, buf, k) == (ssize_t)k)
				sampled += k;
		}
		end = buf + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t k = (size_t)((nl ? nl : end) - p);

			if (have || !nl) { /* a line split between reads */
				size_t room = sizeof(line) - have;

				memcpy(line + have, p, k < room ? k : room);
				have += k < room ? k : room;
				if (nl) {
					sink_line(&c, line, have, match);
					have = 0;
				}
			} else {
				sink_line(&c, p, k, match);
			}
			p = nl ? nl + 1 : end;
		}
	}
	if (have)
		sink_line(&c, line, have, match);
	if (ofd >= 0)
		close(ofd);
	snprintf(path, sizeof(path), "%s.counts", out);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "bytes=%llu lines=%llu match=%llu header=%llu lost=%llu\n", c.bytes, c.lines, c.match, c.header,
		c.lost);
	return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null", *err = NULL, *kind = "snoop", *wlout = NULL, *match = NULL;
	int pfd[2] = { -1, -1 };
	pid_t sinkpid = -1;
	char *workload = NULL, *floor = NULL, *probes = NULL, *defs = NULL;
	double settle = 0.2, stopmax = 30, t0, t_armed = -1, t_sig, t_exit;
	int timed_out = 0;
	struct stat sb;
	int opt, show_events = 0, status = 0;
	char inst[600] = "";
	struct rusage ru;
	pid_t tool = -1;

	while ((opt = getopt(argc, argv, "o:p:e:k:s:T:F:P:D:w:r:E")) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'p': match = optarg; break;
		case 'e': err = optarg; break;
		case 'k': kind = optarg; break;
		case 's': settle = atof(optarg); break;
		case 'T': stopmax = atof(optarg); break;
		case 'F': floor = optarg; break;
		case 'P': probes = optarg; break;
		case 'D': defs = optarg; break;
		case 'w': workload = optarg; break;
		case 'r': wlout = optarg; break;
		case 'E': show_events = 1; break;
		default:
			fprintf(stderr, "usage: see the top of bench/benchctl.c\n");
			return 64;
		}
	}
	signal(SIGINT, SIG_IGN); /* ours is for the tool */
	if (floor && floor_create(floor, probes) < 0)
		return 1;

	if (optind < argc) {
		int is_snoop = strcmp(kind, "snoop") == 0, is_attach = strcmp(kind, "bpftrace-attach") == 0;

		/* A new file, made here, not in the child: the poll must not
		 * see the previous run's output. Not the old one truncated:
		 * ext4 (auto_da_alloc) then starts the writeback of the whole
		 * file when the tool closes it, in the tool's exit: 0.35 s and
		 * more for the 0.9 GB of an opensnoop -j round, counted as
		 * its teardown and CPU (bench/RESULTS.md). */
		if (lstat(out, &sb) == 0 && S_ISREG(sb.st_mode))
			unlink(out); /* never /dev/null, the default */
		close(open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
		if (match) {
			if (pipe(pfd) < 0) {
				perror("benchctl: pipe");
				return 1;
			}
			sinkpid = fork();
			if (sinkpid == 0) {
				close(pfd[1]);
				_exit(sink(pfd[0], out, match));
			}
			close(pfd[0]);
		}
		t0 = now_ms();
		tool = fork();
		if (tool == 0) {
			int fd;

			signal(SIGINT, SIG_DFL);
			if (match) {
				dup2(pfd[1], 1);
				close(pfd[1]);
			} else if ((fd = open(out, O_WRONLY | O_CREAT, 0644)) >= 0) {
				dup2(fd, 1);
				close(fd);
			}
			if (err && (fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
				dup2(fd, 2);
				close(fd);
			}
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		if (match)
			close(pfd[1]); /* the sink sees the end when the tool exits */
		/* Tight poll: 250 us between looks (closer ones steal the CPU
		 * the tool needs on a 2-CPU box), 20 s at most. -k exit: the
		 * reference, launch to exit of a program such as /bin/true. */
		while (now_ms() - t0 < 20000) {
			int armed;

			if (strcmp(kind, "exit") == 0) {
				if (wait4(tool, &status, 0, &ru) == tool)
					printf("start_ms=%.2f\n", now_ms() - t0);
				return 0;
			}
			if (waitpid(tool, &status, WNOHANG) == tool) {
				fprintf(stderr, "benchctl: %s exited before it was armed (status %d)\n", argv[optind],
					status);
				return 1;
			}
			if (is_snoop)
				armed = snoop_armed(tool, inst, sizeof(inst));
			else if (is_attach)
				armed = file_has(out, "Attaching");
			else
				armed = file_has(out, "PID");
			if (armed) {
				t_armed = now_ms();
				break;
			}
			usleep(250);
		}
		if (t_armed < 0) {
			fprintf(stderr, "benchctl: %s not armed after 20 s\n", argv[optind]);
			kill(tool, SIGKILL);
			return 1;
		}
		if (show_events && inst[0])
			print_enabled(inst);
		if (show_events && defs)
			dump_probes(tool, defs);
		printf("start_ms=%.2f ", t_armed - t0);
	}
	if (settle > 0)
		usleep((useconds_t)(settle * 1e6));

	if (workload) {
		char *wargv[32];
		int n = 0, st;
		pid_t w;

		for (char *tok = strtok(workload, " "); tok && n < 31; tok = strtok(NULL, " "))
			wargv[n++] = tok;
		wargv[n] = NULL;
		w = spawn(wargv, wlout, NULL);
		if (waitpid(w, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "benchctl: workload %s failed\n", wargv[0]);
			if (tool > 0)
				kill(tool, SIGINT);
			return 1;
		}
	}

	if (tool > 0) {
		t_sig = now_ms();
		kill(tool, SIGINT);
		for (;;) {
			pid_t w = wait4(tool, &status, WNOHANG, &ru);

			if (w == tool)
				break;
			if (w < 0) {
				perror("benchctl: wait4");
				return 1;
			}
			if (!timed_out && now_ms() - t_sig > stopmax * 1000) {
				t_exit = now_ms();
				timed_out = 1;
				kill(tool, SIGKILL);
			}
			usleep(250);
		}
		if (!timed_out)
			t_exit = now_ms();
		double usr = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		double sys = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

		printf("stop_ms=%.2f timeout=%d cpu_s=%.4f usr_s=%.4f sys_s=%.4f rss_kb=%ld exit=%d ", t_exit - t_sig,
		       timed_out, usr + sys, usr, sys, ru.ru_maxrss,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		if (sinkpid > 0) {
			struct rusage sru;
			int sst;

			if (wait4(sinkpid, &sst, 0, &sru) == sinkpid)
				printf("sink_cpu_s=%.4f sink_exit=%d ",
				       (double)sru.ru_utime.tv_sec + sru.ru_utime.tv_usec / 1e6 +
					       (double)sru.ru_stime.tv_sec + sru.ru_stime.tv_usec / 1e6,
				       WIFEXITED(sst) ? WEXITSTATUS(sst) : 128 + WTERMSIG(sst));
		}
	}
	printf("\n");
	floor_remove();
	return 0;
}
