// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The binary reader: every CPU's trace_pipe_raw of the session's instance,
 * read in sub-buffer units and decoded with libtraceevent's kbuffer. Records
 * of one batch (everything readable at one wake-up, across CPUs) are sorted
 * by timestamp before dispatch, because a task that migrates between two
 * events (exec does, by design) would otherwise be seen out of order.
 *
 * Sorting a batch is not enough on its own: the CPUs are read one after the
 * other, so a record written on CPU 0 just after CPU 0 was read can precede
 * one on CPU 1 that this batch does get (an exec's entry kprobe on one CPU,
 * its exit on the next: the exit came without its entry). Hence a
 * watermark: the clock is read before the first CPU, every record older
 * than that was in its buffer when the buffer was read, and only those are
 * dispatched; newer ones wait for the next batch, which comes at once.
 * Every CPU is read in every batch (not only those poll() found readable
 * when it woke) for the same reason.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>

#include <snoop/tracefs.h>

#include "internal.h"

/* Sub-buffers read per CPU per batch: bounds memory and keeps latency low
 * at high rates (a batch is printed before the next one is read). */
#define BATCH_PAGES 32

static int cmp_cpu(const void *a, const void *b)
{
	return ((const struct snoop_cpu *)a)->cpu - ((const struct snoop_cpu *)b)->cpu;
}

int snoop_reader_open(struct snoop_session *s)
{
	struct snoop_reader *r = &s->reader;
	char path[1024];
	struct dirent *de;
	char *v;
	DIR *d;

	r->subbuf_size = (size_t)getpagesize();
	snprintf(path, sizeof(path), "%s/buffer_subbuf_size_kb", s->instance_dir);
	v = snoop_read_file(path, NULL);
	if (v) {
		long kb = strtol(v, NULL, 10);

		if (kb > 0 && kb <= 1024)
			r->subbuf_size = (size_t)kb * 1024;
		free(v);
	}
	r->batch_pages = BATCH_PAGES;
	/* The ring a CPU (the size -b set, or the kernel's default): what
	 * bounds how long the loop may let records pile up. */
	r->ring_bytes = 0;
	snprintf(path, sizeof(path), "%s/buffer_size_kb", s->instance_dir);
	v = snoop_read_file(path, NULL);
	if (v) {
		long kb = strtol(v, NULL, 10);

		if (kb > 0)
			r->ring_bytes = (size_t)kb * 1024;
		free(v);
	}

	snprintf(path, sizeof(path), "%s/per_cpu", s->instance_dir);
	d = opendir(path);
	if (!d) {
		snoop_err(s, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct snoop_cpu *c, *nc;
		int cpu, fd;

		if (sscanf(de->d_name, "cpu%d", &cpu) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/trace_pipe_raw", s->instance_dir, de->d_name);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		/* An offline CPU's buffer does not open (ENODEV) and records
		 * nothing. Any other failure (EMFILE...) would lose that
		 * CPU's events silently: refuse to run blind. */
		if (fd < 0 && (errno == ENODEV || errno == ENOENT || errno == ENXIO))
			continue;
		if (fd < 0) {
			snoop_err(s, "cannot open %s: %s", path, strerror(errno));
			closedir(d);
			return -1;
		}
		nc = realloc(r->cpus, sizeof(*r->cpus) * (size_t)(r->ncpus + 1));
		if (!nc) {
			close(fd);
			closedir(d);
			snoop_err(s, "out of memory");
			return -1;
		}
		r->cpus = nc;
		c = &r->cpus[r->ncpus++];
		memset(c, 0, sizeof(*c));
		c->cpu = cpu;
		c->fd = fd;
		c->pages = malloc(r->subbuf_size * (size_t)r->batch_pages);
		if (!c->pages) {
			closedir(d);
			snoop_err(s, "out of memory");
			return -1;
		}
	}
	closedir(d);
	if (r->ncpus == 0) {
		snoop_err(s, "no readable per-CPU trace buffer in %s", s->instance_dir);
		return -1;
	}
	qsort(r->cpus, (size_t)r->ncpus, sizeof(*r->cpus), cmp_cpu);

	r->kbuf = kbuffer_alloc(sizeof(long) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
				KBUFFER_ENDIAN_LITTLE);
	if (!r->kbuf) {
		snoop_err(s, "out of memory");
		return -1;
	}
	return 0;
}

void snoop_reader_close(struct snoop_session *s)
{
	struct snoop_reader *r = &s->reader;

	for (int i = 0; i < r->ncpus; i++) {
		if (r->cpus[i].fd >= 0)
			close(r->cpus[i].fd);
		free(r->cpus[i].pages);
	}
	free(r->cpus);
	r->cpus = NULL;
	r->ncpus = 0;
	if (r->kbuf)
		kbuffer_free(r->kbuf);
	r->kbuf = NULL;
	free(r->pend);
	r->pend = NULL;
	r->npend = r->pend_cap = 0;
	free(r->merge_tmp);
	r->merge_tmp = NULL;
	free(r->run_start);
	r->run_start = NULL;
	free(r->held);
	free(r->held_data);
	free(r->held_spare);
	r->held = NULL;
	r->held_data = r->held_spare = NULL;
	r->nheld = r->held_cap = r->held_data_cap = r->held_spare_cap = 0;
}

static int add_pending(struct snoop_reader *r, const struct snoop_pending *p)
{
	if (r->npend == r->pend_cap) {
		size_t cap = r->pend_cap ? r->pend_cap * 2 : 1024;
		struct snoop_pending *np = realloc(r->pend, cap * sizeof(*np));

		if (!np)
			return -1;
		r->pend = np;
		np = realloc(r->merge_tmp, cap * sizeof(*np));
		if (!np)
			return -1;
		r->merge_tmp = np;
		r->pend_cap = cap;
	}
	r->pend[r->npend++] = *p;
	return 0;
}

/* Decode one sub-buffer into pending records. */
static int decode_page(struct snoop_session *s, struct snoop_cpu *c, void *page)
{
	struct snoop_reader *r = &s->reader;
	unsigned long long ts;
	int missed;
	void *data;
	bool first = true;

	if (kbuffer_load_subbuffer(r->kbuf, page) < 0)
		return 0; /* not a sub-buffer we understand: skip it, do not die */
	missed = kbuffer_missed_events(r->kbuf);
	for (data = kbuffer_read_event(r->kbuf, &ts); data; data = kbuffer_next_event(r->kbuf, &ts)) {
		struct snoop_pending p = {
			.ts = ts,
			.data = data,
			.size = kbuffer_event_size(r->kbuf),
			.cpu = c->cpu,
			.missed = first ? missed : 0,
		};

		first = false;
		if (add_pending(r, &p) < 0)
			return -1;
	}
	if (first && missed) {
		/* Loss reported on a page that holds no event of ours. */
		struct snoop_pending p = { .ts = kbuffer_timestamp(r->kbuf), .cpu = c->cpu, .missed = missed };

		if (add_pending(r, &p) < 0)
			return -1;
	}
	return 0;
}

static int read_cpu(struct snoop_session *s, struct snoop_cpu *c)
{
	struct snoop_reader *r = &s->reader;

	while (c->npages < r->batch_pages) {
		char *page = c->pages + (size_t)c->npages * r->subbuf_size;
		ssize_t n = read(c->fd, page, r->subbuf_size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			snoop_err(s, "reading the CPU %d trace buffer: %s", c->cpu, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		if ((size_t)n < r->subbuf_size)
			memset(page + n, 0, r->subbuf_size - (size_t)n);
		c->bytes += (size_t)n;
		c->npages++;
	}
	return 0;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct snoop_pending *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* Same time: keep CPU order, then buffer order (stable on address). */
	if (x->cpu != y->cpu)
		return x->cpu - y->cpu;
	return (const char *)x->data < (const char *)y->data ? -1 : (x->data != y->data);
}

/* Keep pend[from..npend) for the next batch, their data copied out of the
 * pages (into the spare arena, which then becomes the current one: the held
 * records of the last batch, among pend, may point into the old one). */
static int hold_rest(struct snoop_reader *r, size_t from)
{
	size_t n = r->npend - from, bytes = 0, at = 0;
	char *arena;

	for (size_t i = from; i < r->npend; i++)
		bytes += (size_t)r->pend[i].size;
	if (n > r->held_cap) {
		struct snoop_pending *nh = realloc(r->held, n * sizeof(*nh));

		if (!nh)
			return -1;
		r->held = nh;
		r->held_cap = n;
	}
	if (bytes > r->held_spare_cap) {
		char *na = realloc(r->held_spare, bytes);

		if (!na)
			return -1;
		r->held_spare = na;
		r->held_spare_cap = bytes;
	}
	arena = r->held_spare;
	for (size_t i = 0; i < n; i++) {
		struct snoop_pending *p = &r->pend[from + i];

		r->held[i] = *p;
		if (p->size > 0) {
			memcpy(arena + at, p->data, (size_t)p->size);
			r->held[i].data = arena + at;
			at += (size_t)p->size;
		}
	}
	r->nheld = n;
	/* swap the arenas */
	r->held_spare = r->held_data;
	r->held_data = arena;
	bytes = r->held_spare_cap;
	r->held_spare_cap = r->held_data_cap;
	r->held_data_cap = bytes;
	return 0;
}

/* Start a sorted run at the current end of pend (empty runs are dropped). */
static void run_mark(struct snoop_reader *r)
{
	if (r->nruns > 0 && r->run_start[r->nruns - 1] == r->npend)
		return;
	r->run_start[r->nruns++] = r->npend;
}

static bool run_sorted(const struct snoop_pending *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_pending(&p[i - 1], &p[i]) > 0)
			return false;
	return true;
}

/*
 * Put the batch in time order. Each run (the held records, then each CPU's
 * records) is already in order, so merge the runs pairwise, O(n log runs),
 * where a qsort of the whole batch was O(n log n): 22% of opensnoop -j's
 * instructions under a backlog (bench/RESULTS.md, issue 21). A run out of
 * order (a clock that stepped back) falls back to the qsort.
 */
static void sort_batch(struct snoop_reader *r)
{
	struct snoop_pending *src = r->pend, *dst = r->merge_tmp, *t;
	size_t *rs = r->run_start;
	int n = r->nruns;

	for (int i = 0; i < n; i++) {
		size_t end = i + 1 < n ? rs[i + 1] : r->npend;

		if (!run_sorted(src + rs[i], end - rs[i])) {
			qsort(r->pend, r->npend, sizeof(*r->pend), cmp_pending);
			return;
		}
	}
	while (n > 1) {
		int m = 0;

		for (int i = 0; i < n; i += 2) {
			size_t a = rs[i], ae = i + 1 < n ? rs[i + 1] : r->npend;
			size_t b = ae, be = i + 2 < n ? rs[i + 2] : r->npend, o = a;

			while (a < ae && b < be)
				dst[o++] = cmp_pending(&src[b], &src[a]) < 0 ? src[b++] : src[a++];
			while (a < ae)
				dst[o++] = src[a++];
			while (b < be)
				dst[o++] = src[b++];
			rs[m++] = rs[i];
		}
		n = m;
		t = src;
		src = dst;
		dst = t;
	}
	/* The sorted batch is in src: make it pend (the buffers swap roles). */
	r->merge_tmp = dst;
	r->pend = src;
}

/*
 * The fill rate: the bytes a CPU's batch read over the time its records
 * span (their own timestamps). Records say when they were written, so the
 * rate is right from the first busy batch on: a rate taken from the time
 * between batches is far too low when a burst follows an idle spell (the
 * first wait after it then overflowed a 900 KB ring at 1.1 M opens/s).
 * The span counts at least FILL_SPAN_MIN_NS, so that two records written
 * together do not make a rate of their own.
 */
#define FILL_SPAN_MS 1
#define FILL_SPAN_MIN_NS 20000ULL

uint64_t snoop_fill_rate(size_t bytes, uint64_t first_ts, uint64_t last_ts, bool *long_span)
{
	uint64_t span = last_ts > first_ts ? last_ts - first_ts : 0;

	if (span >= FILL_SPAN_MS * 1000000ULL)
		*long_span = true;
	if (span < FILL_SPAN_MIN_NS)
		span = FILL_SPAN_MIN_NS;
	return (uint64_t)bytes * 1000000ULL / span; /* bytes a millisecond */
}

/*
 * The rate a batch leaves for the next wait. A batch whose records span
 * less than FILL_SPAN_MS (the last bit of a drain) says too little to
 * lower the rate: without that, the small batch that ends each drain made
 * the next wait the full COALESCE_MS at any rate. It raises it, and lowers
 * it by an eighth at most: an overestimate left in place would keep the
 * waits short and the batches small, which keeps the spans short.
 */
uint64_t snoop_fill_update(uint64_t old, uint64_t rate, bool long_span)
{
	if (long_span || rate > old)
		return rate;
	if (!rate)
		return old;
	return old - (old - rate) / 8;
}

/*
 * The coalescing wait (snoop_session_run) lets the rings fill so that one
 * wake-up carries many records. A fixed wait overflows a ring that fills
 * faster than the wait: at 1.4 M opens/s opensnoop's records (two of about
 * 40 bytes an open) fill the kernel's default 1.4 MB ring in about 12 ms,
 * and the wait was 10 ms. Waiting until a quarter of the busiest ring is
 * full at the rate seen lately keeps three quarters for what the wait
 * does not control: the time to be scheduled, a write(2) that stalls, and
 * the records that come in while the batch is handled.
 */
int snoop_fill_wait_us(size_t ring_bytes, uint64_t rate, int max_us)
{
	uint64_t us;

	if (!ring_bytes || !rate)
		return max_us;
	us = (uint64_t)(ring_bytes / 4) * 1000 / rate;
	return us < (uint64_t)max_us ? (int)us : max_us;
}

int snoop_reader_fill_wait_us(const struct snoop_session *s, int max_us)
{
	return snoop_fill_wait_us(s->reader.ring_bytes, s->reader.fill_bytes_per_ms, max_us);
}

int snoop_reader_batch(struct snoop_session *s, bool final)
{
	struct snoop_reader *r = &s->reader;
	uint64_t mark = final ? UINT64_MAX : snoop_now_ns(CLOCK_MONOTONIC);
	uint64_t rate = 0;
	bool long_span = false;
	size_t handled;

	r->npend = 0;
	r->nruns = 0;
	r->capped = false;
	if (!r->run_start) {
		r->run_start = calloc((size_t)r->ncpus + 1, sizeof(*r->run_start));
		if (!r->run_start) {
			snoop_err(s, "out of memory");
			return -1;
		}
	}
	run_mark(r);
	/* What the last batch held comes first (the data stays where it is
	 * until the next hold_rest(), which copies to the other arena). */
	for (size_t i = 0; i < r->nheld; i++)
		if (add_pending(r, &r->held[i]) < 0) {
			snoop_err(s, "out of memory");
			return -1;
		}
	r->nheld = 0;
	for (int i = 0; i < r->ncpus; i++) {
		struct snoop_cpu *c = &r->cpus[i];
		size_t before = r->npend;

		run_mark(r);
		c->npages = 0;
		c->bytes = 0;
		if (read_cpu(s, c) < 0)
			return -1;
		for (int p = 0; p < c->npages; p++) {
			if (decode_page(s, c, c->pages + (size_t)p * r->subbuf_size) < 0) {
				snoop_err(s, "out of memory");
				return -1;
			}
		}
		if (r->npend >= before + 2 && c->bytes) {
			uint64_t b = snoop_fill_rate(c->bytes, r->pend[before].ts, r->pend[r->npend - 1].ts, &long_span);

			if (b > rate)
				rate = b;
		}
		/* A CPU read only up to the cap has older records still in its
		 * buffer: nothing past its last one read is safe to show. */
		if (c->npages == r->batch_pages) {
			r->capped = true;
			if (!final && r->npend > before && r->pend[r->npend - 1].ts < mark)
				mark = r->pend[r->npend - 1].ts;
		}
	}
	if (!final)
		r->fill_bytes_per_ms = snoop_fill_update(r->fill_bytes_per_ms, rate, long_span);
	if (r->npend > 1)
		sort_batch(r);
	for (handled = 0; handled < r->npend && r->pend[handled].ts <= mark; handled++)
		snoop_session_dispatch(s, &r->pend[handled]);
	/* With a stop signal pending, tracing may have gone off before mark
	 * was read (the handler turns it off): then no claim is made. */
	if (!final && !snoop_signals_pending())
		r->watermark = mark;
	if (handled < r->npend && hold_rest(r, handled) < 0) {
		snoop_err(s, "out of memory");
		return -1;
	}
	r->npend = 0;
	return (int)handled;
}

/* What the kernel itself counted as lost on one CPU: overwritten
 * (overrun), lost while committing, and dropped with overwrite off.
 * -1 when the stats file is unreadable. */
static int64_t cpu_kernel_lost(struct snoop_session *s, const struct snoop_cpu *c)
{
	char path[1024];
	char *st, *line, *save = NULL;
	int64_t total = 0;

	snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", s->instance_dir, c->cpu);
	st = snoop_read_file(path, NULL);
	if (!st)
		return -1;
	for (line = strtok_r(st, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;

		if (sscanf(line, "overrun: %llu", &v) == 1 || sscanf(line, "commit overrun: %llu", &v) == 1 ||
		    sscanf(line, "dropped events: %llu", &v) == 1)
			total += (int64_t)v;
	}
	free(st);
	return total;
}

/*
 * A sub-buffer header says how many events were lost before it only when
 * the count fits in the page; a full page says "some" (-1). Under a loss
 * storm that is most pages, so the counts reported along the way fall
 * short of the kernel's. The kernel's per-CPU stats are exact but say
 * nothing about where the loss was. So: report the places as they come
 * (with a count or null), and at the end each CPU's remainder, so that
 * the reported counts add up to the kernel's total.
 */
bool snoop_reader_settle_losses(struct snoop_session *s)
{
	uint64_t now = snoop_now_ns(CLOCK_MONOTONIC);
	bool ok = true;

	for (int i = 0; i < s->reader.ncpus; i++) {
		struct snoop_cpu *c = &s->reader.cpus[i];
		int64_t k = cpu_kernel_lost(s, c);

		if (k < 0) {
			ok = false;
			continue;
		}
		if ((uint64_t)k > c->lost_reported)
			snoop_session_report_loss(s, c->cpu, k - (int64_t)c->lost_reported, now, true);
	}
	return ok;
}
