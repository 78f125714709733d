// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe_profile: the kernel's per-probe hit counters (include/snoop/hitcount.h).
 *
 * The layout, the same on 6.1, 6.12 and 6.18 (trace_kprobe.c,
 * probes_profile_seq_show: "  %-44s %15lu %15lu\n"):
 *
 *     getppid_1f2e3d4c_812                                 1000            0
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/hitcount.h>

int snoop_hitcount_open(struct snoop_hitcount *h, const char *tracing_dir)
{
	char path[1024];

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/kprobe_profile", tracing_dir);
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	h->open = true;
	return 0;
}

int snoop_hitcount_read(struct snoop_hitcount *h)
{
	size_t len = 0;

	/* One pread from offset 0 after another: the seq_file starts over,
	 * and the counters are read as the kernel's show() reaches them. */
	for (;;) {
		ssize_t n;

		if (h->cap - len < 4096) {
			size_t cap = h->cap ? h->cap * 2 : 16384;
			char *t = realloc(h->text, cap);

			if (!t)
				return -ENOMEM;
			h->text = t;
			h->cap = cap;
		}
		n = pread(h->fd, h->text + len, h->cap - len - 1, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	h->text[len] = '\0';
	return 0;
}

void snoop_hitcount_close(struct snoop_hitcount *h)
{
	if (h->open)
		close(h->fd);
	free(h->text);
	memset(h, 0, sizeof(*h));
}

int snoop_hitcount_find(const char *text, const char *event, uint64_t *hits, uint64_t *missed)
{
	size_t elen = strlen(event);
	int found = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *p = line + strspn(line, " \t");

		if (!strncmp(p, event, elen) && (p[elen] == ' ' || p[elen] == '\t')) {
			char *end;
			uint64_t h, m;

			h = strtoull(p + elen, &end, 10);
			if (end == p + elen)
				return -1;
			m = strtoull(end, &end, 10);
			if (*end != '\n' && *end != '\0' && *end != ' ')
				return -1;
			if (!found) {
				*hits = h;
				*missed = m;
			}
			found++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return found;
}
