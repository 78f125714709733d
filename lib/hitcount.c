// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe_profile and uprobe_profile: the kernel's per-probe hit counters
 * (include/snoop/hitcount.h).
 *
 * The layouts, the same on 6.1, 6.12 and 6.18 (trace_kprobe.c:
 * "  %-44s %15lu %15lu\n", event, nhit, nmissed; trace_uprobe.c:
 * "  %s %-44s %15lu\n", file, event, nhit; the file may hold blanks):
 *
 *     getppid_1f2e3d4c_812                                 1000            0
 *     /usr/bin/target greet_1f2e3d4c_812                       5
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/hitcount.h>

int snoop_hitcount_open(struct snoop_hitcount *h, const char *tracing_dir, const char *file)
{
	char path[1024];

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/%s", tracing_dir, file);
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

/* After the event's word: one or two numbers and the end of the line. */
static bool numbers_to_end(const char *p, const char *end, uint64_t *hits, uint64_t *missed)
{
	uint64_t v[2] = { 0, 0 };
	int n = 0;

	for (;;) {
		char *e;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (n == 2 || *p < '0' || *p > '9')
			return false;
		v[n++] = strtoull(p, &e, 10);
		if (e > end || (e < end && *e != ' ' && *e != '\t'))
			return false;
		p = e;
	}
	if (!n)
		return false;
	*hits = v[0];
	*missed = v[1];
	return true;
}

int snoop_hitcount_find(const char *text, const char *event, uint64_t *hits, uint64_t *missed)
{
	size_t elen = strlen(event);
	int found = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);

		/* Each word of the line that is the event's name. */
		for (const char *p = line; p + elen <= end; p++) {
			uint64_t h, m;

			if ((p > line && p[-1] != ' ' && p[-1] != '\t') || memcmp(p, event, elen) ||
			    (p + elen < end && p[elen] != ' ' && p[elen] != '\t'))
				continue;
			if (!numbers_to_end(p + elen, end, &h, &m))
				continue;
			if (!found) {
				*hits = h;
				*missed = m;
			}
			found++;
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	return found;
}
