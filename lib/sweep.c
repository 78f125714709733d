// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Removing what dead snoopkit sessions left behind. Only names we create
 * are looked at (snoop_<tool>_<pid> instances, snoop_<pid> event groups),
 * and only when their owner is gone. (snoop-reset --all ends live owners
 * first: see snoop_sweep_live_owners().)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/sweep.h>
#include <snoop/tracefs.h>

/* The programs that create snoop_* names. */
static const char *const snoop_tools[] = { "execsnoop", "opensnoop", "kprobe", "functrace" };

static int parse_pid(const char *s, pid_t *pid)
{
	long v = 0;

	if (!*s || *s == '0')
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

int snoop_parse_group_name(const char *group, pid_t *pid)
{
	if (strncmp(group, "snoop_", 6) != 0)
		return -1;
	return parse_pid(group + 6, pid);
}

int snoop_parse_instance_name(const char *name, char *tool, size_t toollen, pid_t *pid)
{
	const char *us;
	size_t tl;

	if (strncmp(name, "snoop_", 6) != 0)
		return -1;
	us = strrchr(name, '_');
	if (!us || us < name + 7)
		return -1;
	tl = (size_t)(us - (name + 6));
	if (tl == 0 || tl >= toollen)
		return -1;
	for (size_t i = 0; i < tl; i++)
		if (!islower((unsigned char)name[6 + i]) && name[6 + i] != '-')
			return -1;
	if (parse_pid(us + 1, pid) < 0)
		return -1;
	memcpy(tool, name + 6, tl);
	tool[tl] = '\0';
	return 0;
}

int snoop_parse_dynevent_line(const char *line, char *group, size_t glen, char *event, size_t elen)
{
	const char *colon, *slash, *end;

	/* "<type>[maxactive]:<group>/<event> <place> ..." */
	colon = strchr(line, ':');
	if (!colon)
		return -1;
	for (const char *p = line; p < colon; p++)
		if (isspace((unsigned char)*p))
			return -1;
	slash = strchr(colon, '/');
	end = colon + strcspn(colon, " \t\n");
	if (!slash || slash > end)
		return -1;
	if ((size_t)(slash - colon - 1) >= glen || (size_t)(end - slash - 1) >= elen ||
	    slash == colon + 1 || end == slash + 1)
		return -1;
	memcpy(group, colon + 1, (size_t)(slash - colon - 1));
	group[slash - colon - 1] = '\0';
	memcpy(event, slash + 1, (size_t)(end - slash - 1));
	event[end - slash - 1] = '\0';
	return 0;
}

static bool is_tool_name(const char *s)
{
	const char *base = strrchr(s, '/');

	base = base ? base + 1 : s;
	for (size_t i = 0; i < sizeof(snoop_tools) / sizeof(snoop_tools[0]); i++)
		if (strcmp(base, snoop_tools[i]) == 0)
			return true;
	return false;
}

bool snoop_owner_alive(pid_t pid)
{
	char path[64];
	char *s;
	size_t len;
	bool tool = false;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return false;
	/*
	 * The PID exists, but it may have been reused by an unrelated process.
	 * A live owner runs a snoopkit tool: its comm says so, or, when it runs
	 * under a wrapper (valgrind), one of its arguments names the tool.
	 */
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	s = snoop_read_file(path, NULL);
	if (s) {
		s[strcspn(s, "\n")] = '\0';
		tool = is_tool_name(s);
		free(s);
	}
	if (tool)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	s = snoop_read_file(path, &len);
	if (!s)
		return kill(pid, 0) == 0; /* cannot tell: keep its files */
	for (size_t off = 0; off < len; off += strlen(s + off) + 1) {
		if (is_tool_name(s + off)) {
			tool = true;
			break;
		}
	}
	free(s);
	return tool;
}

static bool wanted(pid_t pid, enum snoop_sweep_mode mode, pid_t except)
{
	if (pid == except)
		return false;
	if (mode == SNOOP_SWEEP_LIST)
		return true;
	return !snoop_owner_alive(pid);
}

/* Turn everything off inside an instance so that rmdir can succeed and no
 * dynamic event stays referenced by it. */
static void quiesce_instance(const char *idir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/tracing_on", idir);
	snoop_write_file(p, "0", false);
	snprintf(p, sizeof(p), "%s/events/enable", idir);
	snoop_write_file(p, "0", false);
	snprintf(p, sizeof(p), "%s/current_tracer", idir);
	snoop_write_file(p, "nop", false);
}

static int sweep_instances(const char *dir, enum snoop_sweep_mode mode, pid_t except, bool verbose,
			   struct snoop_sweep_report *rep)
{
	char idir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(idir, sizeof(idir), "%s/instances", dir);
	d = opendir(idir);
	if (!d && errno == ENOENT)
		return 0;
	if (!d) {
		rep->read_errno = errno; /* the caller says it, once */
		return -1;
	}
	while ((de = readdir(d))) {
		char tool[64], path[PATH_MAX];
		pid_t pid;

		if (snoop_parse_instance_name(de->d_name, tool, sizeof(tool), &pid) < 0)
			continue;
		if (!wanted(pid, mode, except))
			continue;
		rep->instances_found++;
		if (mode == SNOOP_SWEEP_LIST) {
			if (verbose)
				fprintf(stderr, "leftover instance %s (owner %d %s)\n", de->d_name, (int)pid,
					snoop_owner_alive(pid) ? "alive" : "dead");
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", idir, de->d_name);
		quiesce_instance(path);
		if (rmdir(path) == 0) {
			rep->instances_removed++;
			if (verbose)
				fprintf(stderr, "removed instance %s (owner %d)\n", de->d_name, (int)pid);
		} else {
			rep->failures++;
			fprintf(stderr, "cannot remove instance %s: %s\n", de->d_name, strerror(errno));
		}
	}
	closedir(d);
	return 0;
}

static int sweep_events_file(const char *dir, const char *file, enum snoop_sweep_mode mode, pid_t except,
			     bool verbose, struct snoop_sweep_report *rep)
{
	char path[PATH_MAX];
	char *s, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	s = snoop_read_file(path, NULL);
	if (!s && errno == ENOENT)
		return 0;
	if (!s) {
		rep->read_errno = errno;
		return -1;
	}
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char group[128], event[128], cmd[300];
		pid_t pid;
		int ret;

		if (snoop_parse_dynevent_line(line, group, sizeof(group), event, sizeof(event)) < 0)
			continue;
		if (snoop_parse_group_name(group, &pid) < 0 || !wanted(pid, mode, except))
			continue;
		rep->events_found++;
		if (mode == SNOOP_SWEEP_LIST) {
			if (verbose)
				fprintf(stderr, "leftover event %s/%s (owner %d %s)\n", group, event, (int)pid,
					snoop_owner_alive(pid) ? "alive" : "dead");
			continue;
		}
		/* Remove exactly this event by name: "-:group/event". */
		snprintf(cmd, sizeof(cmd), "-:%s/%s", group, event);
		ret = snoop_write_file(path, cmd, true);
		if (ret == 0) {
			rep->events_removed++;
			if (verbose)
				fprintf(stderr, "removed event %s/%s (owner %d)\n", group, event, (int)pid);
		} else {
			rep->failures++;
			fprintf(stderr, "cannot remove event %s/%s: %s\n", group, event, strerror(-ret));
		}
	}
	free(s);
	return 0;
}

static int add_owner(pid_t pid, pid_t except, pid_t *pids, int n, int max)
{
	if (pid == except || !snoop_owner_alive(pid))
		return n;
	for (int i = 0; i < n && i < max; i++)
		if (pids[i] == pid)
			return n;
	if (n < max)
		pids[n] = pid;
	return n + 1;
}

int snoop_sweep_live_owners(const char *dir, pid_t except, pid_t *pids, int max)
{
	static const char *const files[] = { "dynamic_events", "kprobe_events", "uprobe_events" };
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char tool[64];
		pid_t pid;

		if (snoop_parse_instance_name(de->d_name, tool, sizeof(tool), &pid) == 0)
			n = add_owner(pid, except, pids, n, max);
	}
	if (d)
		closedir(d);
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char *s, *line, *save = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		s = snoop_read_file(path, NULL);
		for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
			char group[128], event[128];
			pid_t pid;

			if (snoop_parse_dynevent_line(line, group, sizeof(group), event, sizeof(event)) == 0 &&
			    snoop_parse_group_name(group, &pid) == 0)
				n = add_owner(pid, except, pids, n, max);
		}
		free(s);
	}
	return n;
}

int snoop_sweep(const char *dir, enum snoop_sweep_mode mode, pid_t except, bool verbose,
		struct snoop_sweep_report *rep)
{
	struct snoop_sweep_report dummy;
	char p[PATH_MAX];
	int ret = 0;

	if (!rep)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	/* Instances first: an event enabled in an instance cannot be removed. */
	if (sweep_instances(dir, mode, except, verbose, rep) < 0)
		ret = -1;
	/*
	 * dynamic_events lists kprobes, uprobes and the rest; kernels without it
	 * (old ones) only have kprobe_events and uprobe_events. A probe removed
	 * through one file disappears from the others, so re-reading is safe.
	 */
	snprintf(p, sizeof(p), "%s/dynamic_events", dir);
	if (access(p, F_OK) == 0) {
		if (sweep_events_file(dir, "dynamic_events", mode, except, verbose, rep) < 0)
			ret = -1;
	} else {
		if (sweep_events_file(dir, "kprobe_events", mode, except, verbose, rep) < 0)
			ret = -1;
		if (sweep_events_file(dir, "uprobe_events", mode, except, verbose, rep) < 0)
			ret = -1;
	}
	return rep->failures ? -1 : ret;
}
