// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Removing what dead snoopkit sessions left behind (see include/snoop/
 * sweep.h for the name grammar). Who is alive is the kernel's word: a live
 * session holds a file of its instance open, so rmdir of its instance
 * fails with EBUSY. Nothing is quiesced first: turning a live instance off
 * to make rmdir work is exactly what must never happen to a running tool.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <snoop/hist.h>
#include <snoop/sweep.h>
#include <snoop/tracefs.h>

/* "<8 hex>_<pid>" at the start of s: copied to sid, *rest after it. */
static int parse_sid(const char *s, char sid[SNOOP_SID_MAX], const char **rest)
{
	const char *p = s;
	long v = 0;

	for (int i = 0; i < SNOOP_TOKEN_LEN; i++, p++)
		if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
			return -1;
	if (*p++ != '_')
		return -1;
	if (!isdigit((unsigned char)*p) || *p == '0')
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	memcpy(sid, s, (size_t)(p - s));
	sid[p - s] = '\0';
	*rest = p;
	return 0;
}

int snoop_parse_instance_name(const char *name, char *tool, size_t toollen, char sid[SNOOP_SID_MAX])
{
	const char *p, *rest;
	size_t tl;

	if (strncmp(name, "snoop_", 6) != 0)
		return -1;
	/* The tool: lowercase letters and '-', so the first '_' ends it. */
	for (p = name + 6; *p && *p != '_'; p++)
		if (!islower((unsigned char)*p) && *p != '-')
			return -1;
	tl = (size_t)(p - (name + 6));
	if (*p != '_' || tl == 0 || tl >= toollen)
		return -1;
	if (parse_sid(p + 1, sid, &rest) < 0 || *rest)
		return -1;
	memcpy(tool, name + 6, tl);
	tool[tl] = '\0';
	return 0;
}

int snoop_parse_group_name(const char *group, char sid[SNOOP_SID_MAX])
{
	const char *rest;

	if (strncmp(group, "snoop_", 6) != 0 || parse_sid(group + 6, sid, &rest) < 0 || *rest)
		return -1;
	return 0;
}

int snoop_parse_synth_name(const char *name, char sid[SNOOP_SID_MAX], const char **suffix)
{
	const char *rest;

	if (strncmp(name, "snoop_", 6) != 0 || parse_sid(name + 6, sid, &rest) < 0 || *rest != '_' ||
	    !rest[1])
		return -1;
	for (const char *p = rest + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return -1;
	*suffix = rest + 1;
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

/* The instance carrying sid, if any, in name (NAME_MAX + 1). */
static bool find_instance(const char *dir, const char *sid, char *name)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	while (d && !found && (de = readdir(d))) {
		char tool[64], isid[SNOOP_SID_MAX];

		if (snoop_parse_instance_name(de->d_name, tool, sizeof(tool), isid) == 0 && !strcmp(isid, sid)) {
			snprintf(name, NAME_MAX + 1, "%s", de->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * rmdir, no quiescing: 1 removed, 0 gone already, -EBUSY alive, -errno.
 * ENODEV is the kernel's word for an instance that someone else is
 * removing right now (its reaper, racing a snoop-reset after kill -9):
 * wait for it to be gone, so that its probes are free when we go on.
 */
static int remove_instance(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/instances/%s", dir, name);
	if (rmdir(path) == 0)
		return 1;
	if (errno == ENODEV) {
		for (int i = 0; i < 200 && access(path, F_OK) == 0; i++)
			usleep(10000);
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
		errno = ENODEV;
	}
	return errno == ENOENT ? 0 : -errno;
}

static bool option_name_ok(const char *o)
{
	if (!*o)
		return false;
	for (; *o; o++)
		if (!isalnum((unsigned char)*o) && *o != '_' && *o != '-')
			return false;
	return true;
}

int snoop_option_lock(const char *dir, const char *option)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/options/%s", dir, option);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

bool snoop_option_recorded(const char *dir, const char *option, const char *except_sid)
{
	char path[PATH_MAX];
	char *s, *line, *save = NULL;
	bool found = false;

	snprintf(path, sizeof(path), "%s/synthetic_events", dir);
	s = snoop_read_file(path, NULL);
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line && !found; line = strtok_r(NULL, "\n", &save)) {
		char esid[SNOOP_SID_MAX];
		const char *suffix;

		line[strcspn(line, " \t")] = '\0';
		if (snoop_parse_synth_name(line, esid, &suffix) < 0 || (except_sid && !strcmp(esid, except_sid)))
			continue;
		found = !strncmp(suffix, SNOOP_RESTORE_PREFIX, strlen(SNOOP_RESTORE_PREFIX)) &&
			!strcmp(suffix + strlen(SNOOP_RESTORE_PREFIX), option);
	}
	free(s);
	return found;
}

/* A restore record of sid: options/<opt> off again, unless another
 * session's record says it still needs it (then the last one to go turns
 * it off). Returns the lock's fd, held until the record is removed. */
static int restore_option(const char *dir, const char *opt, const char *sid, bool verbose,
			  struct snoop_sweep_report *rep)
{
	char opath[PATH_MAX];
	int lock;

	if (!option_name_ok(opt))
		return -1;
	lock = snoop_option_lock(dir, opt);
	if (snoop_option_recorded(dir, opt, sid)) {
		if (verbose)
			fprintf(stderr, "left options/%s on: another session needs it too\n", opt);
		return lock;
	}
	snprintf(opath, sizeof(opath), "%s/options/%s", dir, opt);
	if (snoop_write_file(opath, "0", false) == 0) {
		rep->options_restored++;
		if (verbose)
			fprintf(stderr, "turned options/%s off again (session %s had turned it on)\n", opt, sid);
	}
	return lock;
}

/* The synthetic events of sid: restore what their names record, then
 * remove them ("!name"). */
static void sweep_synth(const char *dir, const char *sid, bool verbose, struct snoop_sweep_report *rep)
{
	char path[PATH_MAX];
	char *s, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/synthetic_events", dir);
	s = snoop_read_file(path, NULL);
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char esid[SNOOP_SID_MAX], cmd[300];
		const char *suffix;
		int ret, lock = -1;

		line[strcspn(line, " \t")] = '\0';
		if (snoop_parse_synth_name(line, esid, &suffix) < 0 || strcmp(esid, sid) != 0)
			continue;
		rep->events_found++;
		if (!strncmp(suffix, SNOOP_RESTORE_PREFIX, strlen(SNOOP_RESTORE_PREFIX)))
			lock = restore_option(dir, suffix + strlen(SNOOP_RESTORE_PREFIX), sid, verbose, rep);
		snprintf(cmd, sizeof(cmd), "!%s", line);
		ret = snoop_write_file(path, cmd, true);
		if (lock >= 0)
			close(lock);
		lock = -1;
		if (ret == 0 || ret == -ENOENT) {
			rep->events_removed++;
			if (verbose)
				fprintf(stderr, "removed synthetic event %s\n", line);
		} else {
			rep->failures++;
			fprintf(stderr, "cannot remove synthetic event %s: %s\n", line, strerror(-ret));
		}
	}
	free(s);
}

/* The probes of group snoop_<sid> listed in one events file. */
static void sweep_probes_file(const char *dir, const char *file, const char *sid, bool verbose,
			      struct snoop_sweep_report *rep)
{
	char path[PATH_MAX];
	char *s, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	s = snoop_read_file(path, NULL);
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char group[128], event[128], gsid[SNOOP_SID_MAX], cmd[300];
		int ret;

		if (snoop_parse_dynevent_line(line, group, sizeof(group), event, sizeof(event)) < 0 ||
		    snoop_parse_group_name(group, gsid) < 0 || strcmp(gsid, sid) != 0)
			continue;
		rep->events_found++;
		/* Exactly this event, by name: "-:group/event". */
		snprintf(cmd, sizeof(cmd), "-:%s/%s", group, event);
		ret = snoop_write_file(path, cmd, true);
		if (ret == 0 || ret == -ENOENT) {
			rep->events_removed++;
			if (verbose)
				fprintf(stderr, "removed event %s/%s\n", group, event);
		} else {
			rep->failures++;
			fprintf(stderr, "cannot remove event %s/%s: %s\n", group, event, strerror(-ret));
		}
	}
	free(s);
}

/*
 * dynamic_events lists kprobes, uprobes and the rest; kernels without it
 * (old ones) only have kprobe_events and uprobe_events. A probe removed
 * through one file disappears from the others.
 */
static void sweep_probes(const char *dir, const char *sid, bool verbose, struct snoop_sweep_report *rep)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/dynamic_events", dir);
	if (access(p, F_OK) == 0) {
		sweep_probes_file(dir, "dynamic_events", sid, verbose, rep);
	} else {
		sweep_probes_file(dir, "kprobe_events", sid, verbose, rep);
		sweep_probes_file(dir, "uprobe_events", sid, verbose, rep);
	}
}

/* Did session sid record that it put hist triggers in its instance? */
static bool has_triggers_record(const char *dir, const char *sid)
{
	char path[PATH_MAX], want[SNOOP_SID_MAX + 64];
	char *s, *line, *save = NULL;
	bool found = false;

	snprintf(path, sizeof(path), "%s/synthetic_events", dir);
	snprintf(want, sizeof(want), "snoop_%s_" SNOOP_TRIGGERS_RECORD, sid);
	s = snoop_read_file(path, NULL);
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line && !found; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " \t")] = '\0';
		found = !strcmp(line, want);
	}
	free(s);
	return found;
}

/*
 * Every process of the machine is visible in this /proc: it belongs to the
 * initial PID namespace (the kernel's fixed PROC_PID_INIT_INO), and so do
 * we. From a container's namespace a host session's holder is invisible,
 * so "nobody holds it" would prove nothing there.
 */
static bool sees_every_process(void)
{
	const ino_t init_ino = 0xEFFFFFFCu;
	struct stat self, one;

	return stat("/proc/self/ns/pid", &self) == 0 && stat("/proc/1/ns/pid", &one) == 0 &&
	       self.st_ino == init_ino && one.st_ino == init_ino;
}

/* An EBUSY instance whose hist triggers may be all that keeps it: clear
 * them and rmdir again when its owner is known to be gone. */
static int remove_triggered(const char *dir, const char *instance, const char *sid, bool owner_dead)
{
	char idir[PATH_MAX];
	pid_t pids[1];

	if (!has_triggers_record(dir, sid))
		return -EBUSY;
	if (!owner_dead && (!sees_every_process() || snoop_sweep_holders(dir, instance, 0, pids, 1) != 0))
		return -EBUSY;
	snprintf(idir, sizeof(idir), "%s/instances/%s", dir, instance);
	snoop_hist_clear_instance(idir);
	return remove_instance(dir, instance);
}

int snoop_sweep_session(const char *dir, const char *instance, const char *sid, bool owner_dead, bool verbose,
			struct snoop_sweep_report *rep)
{
	char found[NAME_MAX + 1];
	int failures = rep->failures;

	if (!instance && find_instance(dir, sid, found))
		instance = found;
	if (instance) {
		int ret = remove_instance(dir, instance);

		if (ret == -EBUSY)
			ret = remove_triggered(dir, instance, sid, owner_dead);
		if (ret == -EBUSY) {
			rep->instances_alive++;
			return 1;
		}
		if (ret == 1) {
			rep->instances_found++;
			rep->instances_removed++;
			if (verbose)
				fprintf(stderr, "removed instance %s\n", instance);
		} else if (ret < 0) {
			rep->instances_found++;
			rep->failures++;
			fprintf(stderr, "cannot remove instance %s: %s\n", instance, strerror(-ret));
			/* Its events may be enabled in it: leave them. */
			return -1;
		}
	}
	/* Synthetic events before the probes: one may be fed by a trigger on
	 * a probe (the triggers themselves went with the instance). */
	sweep_synth(dir, sid, verbose, rep);
	sweep_probes(dir, sid, verbose, rep);
	return rep->failures > failures ? -1 : 0;
}

/* sid of every group or synthetic event named in file, added to sids. */
static void collect_sids(const char *dir, const char *file, bool synth, char (**sids)[SNOOP_SID_MAX], size_t *n)
{
	char path[PATH_MAX];
	char *s, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	s = snoop_read_file(path, NULL);
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char group[128], event[128], sid[SNOOP_SID_MAX];
		const char *suffix;
		bool dup = false;

		if (synth) {
			line[strcspn(line, " \t")] = '\0';
			if (snoop_parse_synth_name(line, sid, &suffix) < 0)
				continue;
		} else if (snoop_parse_dynevent_line(line, group, sizeof(group), event, sizeof(event)) < 0 ||
			   snoop_parse_group_name(group, sid) < 0) {
			continue;
		}
		for (size_t i = 0; i < *n && !dup; i++)
			dup = !strcmp((*sids)[i], sid);
		if (!dup) {
			char (*more)[SNOOP_SID_MAX] = realloc(*sids, (*n + 1) * sizeof(**sids));

			if (!more)
				break;
			*sids = more;
			memcpy((*sids)[(*n)++], sid, SNOOP_SID_MAX);
		}
	}
	free(s);
}

static void list_all(const char *dir, struct snoop_sweep_report *rep)
{
	static const char *const files[] = { "dynamic_events", "kprobe_events", "uprobe_events", "synthetic_events" };
	char path[PATH_MAX], name[NAME_MAX + 1];
	struct dirent *de;
	bool dyn;
	DIR *d;

	snprintf(path, sizeof(path), "%s/dynamic_events", dir);
	dyn = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char tool[64], sid[SNOOP_SID_MAX];
		pid_t pids[8];
		int n;

		if (snoop_parse_instance_name(de->d_name, tool, sizeof(tool), sid) < 0)
			continue;
		rep->instances_found++;
		n = snoop_sweep_holders(dir, de->d_name, 0, pids, 8);
		fprintf(stderr, "instance %s: ", de->d_name);
		if (n == 0)
			fprintf(stderr, "held open by no process visible here\n");
		for (int i = 0; i < n && i < 8; i++)
			fprintf(stderr, "%s%d%s", i ? " " : "held open by PID ", (int)pids[i], i + 1 == n || i == 7 ? "\n" : "");
	}
	if (d)
		closedir(d);
	else if (errno != ENOENT)
		rep->read_errno = errno;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char *s, *line, *save = NULL;

		/* kprobe_events and uprobe_events repeat dynamic_events. */
		if (f < 3 && (f == 1 || f == 2) == dyn)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		s = snoop_read_file(path, NULL);
		for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
			char group[128], event[128], sid[SNOOP_SID_MAX];
			const char *suffix;

			if (f == 3) {
				line[strcspn(line, " \t")] = '\0';
				if (snoop_parse_synth_name(line, sid, &suffix) < 0)
					continue;
				snprintf(event, sizeof(event), "%s", line);
			} else if (snoop_parse_dynevent_line(line, group, sizeof(group), event, sizeof(event)) < 0 ||
				   snoop_parse_group_name(group, sid) < 0) {
				continue;
			} else {
				char e[128];

				snprintf(e, sizeof(e), "%s", event);
				snprintf(event, sizeof(event), "%.60s/%.60s", group, e);
			}
			rep->events_found++;
			fprintf(stderr, "%s %s: %s\n", f == 3 ? "synthetic event" : "event", event,
				find_instance(dir, sid, name) ? "its instance exists" : "no instance: a leftover");
		}
		free(s);
	}
}

int snoop_sweep(const char *dir, enum snoop_sweep_mode mode, const char *except, bool verbose,
		struct snoop_sweep_report *rep)
{
	struct snoop_sweep_report dummy;
	char (*sids)[SNOOP_SID_MAX] = NULL;
	char path[PATH_MAX];
	struct dirent *de;
	size_t nsids = 0;
	DIR *d;

	if (!rep)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	if (mode == SNOOP_SWEEP_LIST) {
		list_all(dir, rep);
		return rep->read_errno ? -1 : 0;
	}
	/* Instances first: the probes of a removed one are free to go. */
	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	if (!d && errno != ENOENT) {
		rep->read_errno = errno; /* the caller says it, once */
		return -1;
	}
	while (d && (de = readdir(d))) {
		char tool[64], sid[SNOOP_SID_MAX];

		if (snoop_parse_instance_name(de->d_name, tool, sizeof(tool), sid) < 0 ||
		    (except && !strcmp(sid, except)))
			continue;
		snoop_sweep_session(dir, de->d_name, sid, false, verbose, rep);
	}
	if (d)
		closedir(d);
	/*
	 * Then groups and synthetic events without an instance (their owner
	 * died between rmdir and removing them, or an rmdir above took it).
	 * The events files are read before each instance is looked for: a
	 * live session's instance exists before its first probe, so one
	 * found missing afterwards is a session that ended.
	 */
	collect_sids(dir, "synthetic_events", true, &sids, &nsids);
	snprintf(path, sizeof(path), "%s/dynamic_events", dir);
	if (access(path, F_OK) == 0) {
		collect_sids(dir, "dynamic_events", false, &sids, &nsids);
	} else {
		collect_sids(dir, "kprobe_events", false, &sids, &nsids);
		collect_sids(dir, "uprobe_events", false, &sids, &nsids);
	}
	for (size_t i = 0; i < nsids; i++)
		if (!except || strcmp(sids[i], except) != 0)
			snoop_sweep_session(dir, NULL, sids[i], false, verbose, rep);
	free(sids);
	return rep->failures ? -1 : 0;
}

/* ---- who holds an instance open --------------------------------------- */

static bool pid_holds(const char *needle, dev_t dev, const char *pid)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	while (d && !found && (de = readdir(d))) {
		struct stat st;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		/* The link's path is the holder's view (another mount namespace
		 * may mount tracefs elsewhere): match the part under it, and
		 * the file system by device. */
		if (strstr(link, needle) && stat(path, &st) == 0 && st.st_dev == dev)
			found = true;
	}
	if (d)
		closedir(d);
	return found;
}

bool snoop_sweep_holds(const char *dir, const char *instance, pid_t pid)
{
	char needle[NAME_MAX + 16], p[32];
	struct stat st;

	if (stat(dir, &st) < 0)
		return false;
	snprintf(needle, sizeof(needle), "/instances/%s/", instance);
	snprintf(p, sizeof(p), "%d", (int)pid);
	return pid_holds(needle, st.st_dev, p);
}

int snoop_sweep_holders(const char *dir, const char *instance, pid_t except, pid_t *pids, int max)
{
	char needle[NAME_MAX + 16];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	if (stat(dir, &st) < 0)
		return 0;
	snprintf(needle, sizeof(needle), "/instances/%s/", instance);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || pid == except || !pid_holds(needle, st.st_dev, de->d_name))
			continue;
		if (n < max)
			pids[n] = pid;
		n++;
	}
	if (d)
		closedir(d);
	return n;
}
