// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding tracefs, and what the running kernel offers through it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>

#include <snoop/tracefs.h>

static bool path_exists(const char *dir, const char *file)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return access(p, F_OK) == 0;
}

/*
 * The kernel makes /sys/kernel/tracing whenever it has tracing, so its
 * absence means either no CONFIG_TRACING or no sysfs where we look (a
 * container or chroot without /sys). /proc/filesystems tells them apart:
 * it lists tracefs exactly when the kernel has it.
 */
static void missing_mount_point(char *err, size_t errlen)
{
	FILE *f = fopen("/proc/filesystems", "re");
	char line[256];
	bool has = false;

	if (!f) {
		snprintf(err, errlen, "/sys/kernel/tracing does not exist, and /proc/filesystems cannot be read (%s) "
			 "to tell whether this kernel has tracing support: is /proc mounted?", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "nodev\ttracefs\n") || !strcmp(line, "\ttracefs\n"))
			has = true;
	fclose(f);
	if (has)
		snprintf(err, errlen, "/sys/kernel/tracing does not exist, but the kernel has tracefs: is sysfs mounted "
			 "on /sys? (mount -t sysfs sysfs /sys)");
	else
		snprintf(err, errlen, "this kernel has no tracing support (CONFIG_TRACING): no tracefs in "
			 "/proc/filesystems and no /sys/kernel/tracing");
}

const char *snoop_tracefs_find(char *err, size_t errlen)
{
	static const char *const candidates[] = {
		"/sys/kernel/tracing",
		"/sys/kernel/debug/tracing",
	};

	if (geteuid() != 0) {
		snprintf(err, errlen, "must be run as root (tracing needs CAP_SYS_ADMIN): try sudo");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (path_exists(candidates[i], "trace")) {
			if (tracefs_set_tracing_dir((char *)candidates[i]) < 0)
				break;
			return candidates[i];
		}
	}
	/* Nothing mounted: mount tracefs where the kernel documents it. */
	if (access("/sys/kernel/tracing", F_OK) != 0) {
		missing_mount_point(err, errlen);
		return NULL;
	}
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0) {
		snprintf(err, errlen, "tracefs is not mounted and mounting it on /sys/kernel/tracing failed: %s",
			 strerror(errno));
		return NULL;
	}
	if (!path_exists("/sys/kernel/tracing", "trace")) {
		snprintf(err, errlen, "tracefs mounted but has no trace file: tracing is unavailable in this kernel");
		return NULL;
	}
	tracefs_set_tracing_dir((char *)"/sys/kernel/tracing");
	return "/sys/kernel/tracing";
}

char *snoop_read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int snoop_write_file(const char *path, const char *s, bool append)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -errno;
	/* tracefs control files take one command per write(): never split. */
	n = write(fd, s, len);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

static bool file_contains(const char *path, const char *needle)
{
	char *s = snoop_read_file(path, NULL);
	bool found;

	if (!s)
		return false;
	found = strstr(s, needle) != NULL;
	free(s);
	return found;
}

static bool word_in_file(const char *path, const char *word)
{
	char *s = snoop_read_file(path, NULL);
	bool found = false;

	if (!s)
		return false;
	for (char *tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n")) {
		if (strcmp(tok, word) == 0) {
			found = true;
			break;
		}
	}
	free(s);
	return found;
}

void snoop_features_probe(const char *dir, struct snoop_features *f)
{
	char p[512];
	char *s;

	memset(f, 0, sizeof(*f));
	f->kprobe_events = path_exists(dir, "kprobe_events");
	f->uprobe_events = path_exists(dir, "uprobe_events");
	f->dynamic_events = path_exists(dir, "dynamic_events");
	snprintf(p, sizeof(p), "%s/README", dir);
	f->fprobe = file_contains(p, "f[:[<group>/][<event>]]");
	f->kprobe_args = f->kprobe_events && file_contains(p, "$arg<N>");
	snprintf(p, sizeof(p), "%s/available_tracers", dir);
	f->function_tracer = word_in_file(p, "function");
	f->function_graph = word_in_file(p, "function_graph");
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	s = snoop_read_file("/sys/kernel/security/lockdown", NULL);
	if (s) {
		char *open_br = strchr(s, '['), *close_br = open_br ? strchr(open_br, ']') : NULL;

		if (open_br && close_br && close_br - open_br - 1 < (long)sizeof(f->lockdown_mode)) {
			memcpy(f->lockdown_mode, open_br + 1, (size_t)(close_br - open_br - 1));
			f->lockdown_mode[close_br - open_br - 1] = '\0';
			f->lockdown = strcmp(f->lockdown_mode, "none") != 0;
		}
		free(s);
	}
}
