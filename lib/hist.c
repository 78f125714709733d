// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hist triggers and synthetic events on a session's own events (see
 * include/snoop/hist.h), and the parser of the `hist` files they fill.
 *
 * The file's layout, as 6.1 and 6.12 print it (one block per trigger):
 *
 *   # event histogram
 *   #
 *   # trigger info: hist:keys=cnt.log2:vals=hitcount:sort=cnt.log2:size=2048 [active]
 *   #
 *
 *   { cnt: ~ 2^7  } hitcount:          3
 *   { common_pid: cat             [       154], cnt: ~ 100-199 } hitcount:          1
 *   { common_stacktrace:
 *            __do_sys_getppid+0x9/0x40
 *            do_syscall_64+0x87/0x1b0
 *   } hitcount:          5
 *
 *   Totals:
 *       Hits: 22
 *       Entries: 4
 *       Dropped: 0
 *
 * Keys are printed in the order of keys=, "name: value" separated by ", ";
 * strings are padded with spaces to a fixed width (so trailing spaces of a
 * string are lost), and nothing in a value is escaped: a caller prints keys
 * through the escaper like any other untrusted bytes.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snoop/hist.h>
#include <snoop/tracefs.h>

#include "internal.h"

bool snoop_hist_supported(struct snoop_event *ev)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/events/%s/%s/hist", ev->s->instance_dir, ev->system, ev->name);
	return access(path, F_OK) == 0;
}

int snoop_event_trigger(struct snoop_event *ev, const char *cmd, const char *filter)
{
	struct snoop_session *s = ev->s;
	char path[1024], klog[512], kcmd[4200], kcaret[4200];
	struct snoop_trigger *nt;
	struct snoop_buf text;
	int ret;

	if (strchr(cmd, '\n') || (filter && strchr(filter, '\n'))) {
		snoop_err(s, "invalid trigger for %s:%s", ev->system, ev->name);
		return -1;
	}
	if (snoop_signals_pending())
		return -1;
	/* A new instance records from its mkdir (tracing_on 1) and a trigger
	 * soft-enables its event, so the instance would look armed (an event
	 * in set_event, tracing on) before the start. Off until the start
	 * turns it on; nothing counts before that, as on the record path. */
	if (!s->ntriggers && !s->started && snoop_session_instance_write(s, "tracing_on", "0") < 0)
		return -1;
	/* A trigger keeps the instance from being removed even once its owner
	 * is gone (rmdir: EBUSY, which the sweep takes for "alive"): say so
	 * in tracefs first, for the reaper, the sweep and snoop-reset. */
	if (!s->ntriggers && snoop_session_record_triggers(s) < 0) {
		snoop_err(s, "cannot record the session's triggers in %s/synthetic_events: a kill -9 would "
			  "leave its instance behind", s->tracing_dir);
		return -1;
	}
	nt = realloc(s->triggers, sizeof(*nt) * (size_t)(s->ntriggers + 1));
	if (!nt) {
		snoop_err(s, "out of memory");
		return -1;
	}
	s->triggers = nt;
	snoop_buf_init(&text);
	snoop_buf_adds(&text, cmd);
	if (filter && *filter)
		snoop_buf_printf(&text, " if %s", filter);
	snprintf(path, sizeof(path), "%s/events/%s/%s/trigger", s->instance_dir, ev->system, ev->name);
	/* Appended: opening a trigger file with O_TRUNC removes every
	 * trigger of the event. */
	ret = snoop_write_file(path, snoop_buf_cstr(&text), true);
	if (ret < 0) {
		snoop_last_error_log(s->instance_dir, klog, sizeof(klog), kcmd, sizeof(kcmd), kcaret,
				     sizeof(kcaret));
		snoop_err(s, "the kernel refused the trigger '%s' on %s:%s (%s)%s%s", cmd, ev->system, ev->name,
			  strerror(-ret), klog[0] ? ": " : "", klog);
		if (kcmd[0]) {
			snoop_warn(s, "%s", kcmd);
			snoop_warn(s, "%s", kcaret);
		}
		snoop_buf_free(&text);
		return -1;
	}
	nt[s->ntriggers].file = strdup(path);
	nt[s->ntriggers].text = strdup(snoop_buf_cstr(&text));
	snoop_buf_free(&text);
	if (!nt[s->ntriggers].file || !nt[s->ntriggers].text) {
		/* Cannot be remembered: take it back now. */
		char *rm = NULL;

		if (asprintf(&rm, "!%s%s%s", cmd, filter && *filter ? " if " : "", filter ? filter : "") > 0)
			snoop_write_file(path, rm, true);
		free(rm);
		free(nt[s->ntriggers].file);
		free(nt[s->ntriggers].text);
		snoop_err(s, "out of memory");
		return -1;
	}
	s->ntriggers++;
	ev->trigger_only = true;
	return 0;
}

int snoop_hist_trigger(struct snoop_event *ev, const char *spec, const char *filter)
{
	char *cmd = NULL;
	int ret;

	if (asprintf(&cmd, "hist:%s", spec) < 0) {
		snoop_err(ev->s, "out of memory");
		return -1;
	}
	ret = snoop_event_trigger(ev, cmd, filter);
	free(cmd);
	return ret;
}

void snoop_hist_trigger_only(struct snoop_event *ev)
{
	ev->trigger_only = true;
}

void snoop_hist_remove_triggers(struct snoop_session *s)
{
	for (int i = s->ntriggers - 1; i >= 0; i--) {
		struct snoop_trigger *t = &s->triggers[i];
		size_t n = strlen(t->text);
		char *rm = malloc(n + 2);
		int ret = -ENOMEM;

		if (rm) {
			rm[0] = '!';
			memcpy(rm + 1, t->text, n + 1);
			ret = snoop_write_file(t->file, rm, true);
			free(rm);
		}
		if (ret < 0 && ret != -ENOENT)
			snoop_warn(s, "could not remove the trigger '%s' (%s): the instance stays until snoop-reset",
				   t->text, strerror(-ret));
		free(t->file);
		free(t->text);
	}
	free(s->triggers);
	s->triggers = NULL;
	s->ntriggers = 0;
}

/* Remove every trigger of one events/.../trigger file; how many are left. */
static int clear_trigger_file(const char *path)
{
	char *text = snoop_read_file(path, NULL);
	int left = 0;

	if (!text)
		return 0;
	for (char *line = text, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
		size_t n;
		char *rm;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line || *line == '#')
			continue;
		n = strlen(line);
		if (n > 9 && (!strcmp(line + n - 9, " [active]") || !strcmp(line + n - 9, " [paused]")))
			line[n -= 9] = '\0';
		rm = malloc(n + 2);
		if (!rm || (rm[0] = '!', memcpy(rm + 1, line, n + 1), snoop_write_file(path, rm, true) < 0))
			left++;
		free(rm);
	}
	free(text);
	return left;
}

int snoop_hist_clear_instance(const char *idir)
{
	char pattern[4096];
	int left = 0;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/events/*/*/trigger", idir);
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	/* A trigger whose variables another reads (onmatch) refuses to go
	 * before the reader: passes until none is left or one removes
	 * nothing. */
	for (int pass = 0, prev = -1; pass < 8; pass++, prev = left) {
		left = 0;
		for (size_t i = 0; i < g.gl_pathc; i++)
			left += clear_trigger_file(g.gl_pathv[i]);
		if (!left || left == prev)
			break;
	}
	globfree(&g);
	return left ? -1 : 0;
}

/* ---- the hist file ------------------------------------------------------ */

static char *dup_trim(const char *from, const char *to)
{
	char *r;

	while (from < to && (*from == ' ' || *from == '\t' || *from == '\n'))
		from++;
	while (to > from && (to[-1] == ' ' || to[-1] == '\t' || to[-1] == '\n'))
		to--;
	r = malloc((size_t)(to - from) + 1);
	if (r) {
		memcpy(r, from, (size_t)(to - from));
		r[to - from] = '\0';
	}
	return r;
}

/* "hist:keys=common_pid.execname,cnt.log2:vals=..." -> common_pid, cnt. */
static int parse_key_names(struct snoop_hist_table *t)
{
	const char *k = strstr(t->trigger, "keys=");
	const char *end;

	if (!k)
		return -1;
	k += 5;
	end = k + strcspn(k, ": ");
	while (k < end && t->nkeys < SNOOP_HIST_KEYS_MAX) {
		const char *comma = memchr(k, ',', (size_t)(end - k));
		const char *stop = comma ? comma : end;
		const char *dot = memchr(k, '.', (size_t)(stop - k));

		t->key_names[t->nkeys] = dup_trim(k, dot ? dot : stop);
		if (!t->key_names[t->nkeys])
			return -1;
		t->nkeys++;
		k = comma ? comma + 1 : end;
	}
	return 0;
}

/* A row's text from "{ " to the end of its "} hitcount: N" line. */
static int parse_row(struct snoop_hist_table *t, const char *row, size_t len)
{
	const char *end = row + len, *close = NULL, *cur, *hc;
	struct snoop_hist_row r = { 0 };
	struct snoop_hist_row *nr;

	for (const char *p = row; (p = strstr(p, "} hitcount:")) && p < end; p++)
		close = p;
	if (!close)
		return -1;
	hc = close + strlen("} hitcount:");
	r.hitcount = strtoull(hc, NULL, 10);
	cur = row + 1; /* after '{' */
	for (int i = 0; i < t->nkeys; i++) {
		size_t nl = strlen(t->key_names[i]);
		const char *vend = close;

		while (cur < close && *cur == ' ')
			cur++;
		if ((size_t)(close - cur) < nl + 1 || strncmp(cur, t->key_names[i], nl) || cur[nl] != ':')
			goto bad;
		cur += nl + 1;
		if (i + 1 < t->nkeys) {
			/* The next ", name:" ends this value: values of the
			 * numeric forms never hold one. */
			const char *nx = t->key_names[i + 1];

			for (const char *p = cur; (p = strstr(p, ", ")) && p < close; p++)
				if (!strncmp(p + 2, nx, strlen(nx)) && p[2 + strlen(nx)] == ':') {
					vend = p;
					break;
				}
			if (vend == close)
				goto bad;
		}
		r.key[i] = dup_trim(cur, vend);
		if (!r.key[i])
			goto bad;
		cur = vend + (i + 1 < t->nkeys ? 1 : 0);
	}
	nr = realloc(t->rows, sizeof(*nr) * (t->nrows + 1));
	if (!nr)
		goto bad;
	t->rows = nr;
	t->rows[t->nrows++] = r;
	return 0;
bad:
	for (int i = 0; i < SNOOP_HIST_KEYS_MAX; i++)
		free(r.key[i]);
	return -1;
}

static const char *line_end(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? nl : p + strlen(p);
}

int snoop_hist_parse(const char *text, struct snoop_hist_table *tabs, int max)
{
	struct snoop_hist_table spare;
	struct snoop_hist_table *t = NULL;
	int n = 0;

	for (int i = 0; i < max; i++)
		memset(&tabs[i], 0, sizeof(tabs[i]));
	for (const char *p = text; *p;) {
		const char *eol = line_end(p);
		size_t len = (size_t)(eol - p);

		if (len > 16 && !strncmp(p, "# trigger info: ", 16)) {
			const char *te = eol;

			/* A table we have no room for is parsed and dropped. */
			if (t == &spare)
				snoop_hist_table_free(&spare);
			t = n < max ? &tabs[n] : &spare;
			memset(t, 0, sizeof(*t));
			n++;
			if (te - p > 25 && !strncmp(te - 9, " [active]", 9))
				te -= 9;
			else if (te - p > 25 && !strncmp(te - 9, " [paused]", 9))
				te -= 9;
			t->trigger = dup_trim(p + 16, te);
			if (!t->trigger || parse_key_names(t) < 0)
				goto fail;
		} else if (*p == '{' && t) {
			/* A row, on several lines when a key is a stack. */
			const char *q = p;

			while (*q && !(strstr(q, "} hitcount:") && strstr(q, "} hitcount:") < line_end(q)))
				q = *line_end(q) ? line_end(q) + 1 : line_end(q);
			if (!*q)
				goto fail;
			eol = line_end(q);
			if (parse_row(t, p, (size_t)(eol - p)) < 0)
				goto fail;
		} else if (t && len > 4) {
			const char *s = p;

			while (*s == ' ' || *s == '\t')
				s++;
			if (!strncmp(s, "Hits:", 5))
				t->hits = strtoull(s + 5, NULL, 10);
			else if (!strncmp(s, "Entries:", 8))
				t->entries = strtoull(s + 8, NULL, 10);
			else if (!strncmp(s, "Dropped:", 8))
				t->dropped = strtoull(s + 8, NULL, 10);
		}
		p = *eol ? eol + 1 : eol;
	}
	if (t == &spare)
		snoop_hist_table_free(&spare);
	return n;
fail:
	if (t == &spare)
		snoop_hist_table_free(&spare);
	for (int i = 0; i < max && i < n; i++)
		snoop_hist_table_free(&tabs[i]);
	return -1;
}

void snoop_hist_table_free(struct snoop_hist_table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (int i = 0; i < SNOOP_HIST_KEYS_MAX; i++)
			free(t->rows[r].key[i]);
	for (int i = 0; i < SNOOP_HIST_KEYS_MAX; i++)
		free(t->key_names[i]);
	free(t->rows);
	free(t->trigger);
	memset(t, 0, sizeof(*t));
}

int snoop_hist_read(struct snoop_event *ev, const char *keys_prefix, struct snoop_hist_table *t)
{
	enum { MAX_TABLES = 8 };
	struct snoop_hist_table tabs[MAX_TABLES];
	struct snoop_session *s = ev->s;
	char path[1024];
	int n, found = -1;
	char *text;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/events/%s/%s/hist", s->instance_dir, ev->system, ev->name);
	text = snoop_read_file(path, NULL);
	if (!text) {
		snoop_err(s, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = snoop_hist_parse(text, tabs, MAX_TABLES);
	free(text);
	if (n < 0) {
		snoop_err(s, "cannot parse %s: not the hist format this tool knows", path);
		return -1;
	}
	for (int i = 0; i < n && i < MAX_TABLES; i++) {
		if (found < 0 && !strncmp(tabs[i].trigger, keys_prefix, strlen(keys_prefix)))
			found = i;
		else
			snoop_hist_table_free(&tabs[i]);
	}
	if (found < 0) {
		snoop_err(s, "%s has no table of the trigger '%s' (removed by someone else?)", path, keys_prefix);
		return -1;
	}
	*t = tabs[found];
	return 0;
}

/* ---- key values ---------------------------------------------------------- */

int snoop_hist_key_log2(const char *key, unsigned int *exp)
{
	char *end;
	unsigned long v;

	if (strncmp(key, "~ 2^", 4))
		return -1;
	errno = 0;
	v = strtoul(key + 4, &end, 10);
	if (errno || end == key + 4 || *end || v > 64)
		return -1;
	*exp = (unsigned int)v;
	return 0;
}

int snoop_hist_key_bucket(const char *key, uint64_t *first)
{
	char *end;

	if (strncmp(key, "~ ", 2) || !(key[2] >= '0' && key[2] <= '9'))
		return -1;
	errno = 0;
	*first = strtoull(key + 2, &end, 10);
	return errno || *end != '-' ? -1 : 0;
}

int snoop_hist_key_execname(const char *key, const char **comm, size_t *commlen, int *pid)
{
	const char *lb = strrchr(key, '[');
	const char *e;
	char *end;
	long v;

	if (!lb || lb == key)
		return -1;
	v = strtol(lb + 1, &end, 10);
	if (end == lb + 1 || *end != ']' || end[1])
		return -1;
	e = lb;
	while (e > key && e[-1] == ' ')
		e--;
	*comm = key;
	*commlen = (size_t)(e - key);
	*pid = (int)v;
	return 0;
}

int snoop_hist_key_u64(const char *key, uint64_t *v)
{
	char *end;

	if (!(*key >= '0' && *key <= '9'))
		return -1;
	errno = 0;
	*v = strtoull(key, &end, 10);
	return errno || *end ? -1 : 0;
}

struct snoop_event *snoop_hist_synth(struct snoop_session *s, const char *suffix, const char *fields,
				     snoop_handler_fn fn, void *ctx)
{
	char name[SNOOP_NAME_MAX], path[1024], klog[512], kcmd[4200], kcaret[4200];
	struct snoop_event *ev;
	struct snoop_buf def;
	int ret;

	if (strchr(fields, '\n') || snprintf(name, sizeof(name), "%s_%s", s->group, suffix) >= (int)sizeof(name)) {
		snoop_err(s, "invalid synthetic event %s_%s", s->group, suffix);
		return NULL;
	}
	if (snoop_signals_pending())
		return NULL;
	snoop_buf_init(&def);
	snoop_buf_printf(&def, "s:%s %s", name, fields);
	snprintf(path, sizeof(path), "%s/dynamic_events", s->tracing_dir);
	ret = snoop_write_file(path, snoop_buf_cstr(&def), true);
	snoop_buf_free(&def);
	if (ret < 0) {
		snoop_last_error_log(s->tracing_dir, klog, sizeof(klog), kcmd, sizeof(kcmd), kcaret, sizeof(kcaret));
		snoop_err(s, "the kernel refused the synthetic event %s (%s)%s%s", name, strerror(-ret),
			  klog[0] ? ": " : "", klog);
		return NULL;
	}
	ev = snoop_session_add_dynamic(s, "dynamic_events", "synthetic", name, fn, ctx);
	if (!ev) {
		char rm[SNOOP_NAME_MAX + 16];

		snprintf(rm, sizeof(rm), "-:synthetic/%s", name);
		snoop_write_file(path, rm, true);
	}
	return ev;
}

int snoop_log2_bucket(uint64_t v)
{
	return v <= 1 ? 0 : 64 - __builtin_clzll(v - 1);
}

int snoop_hist_latency_pair(struct snoop_event *entry, struct snoop_event *exit, struct snoop_event *synth,
			    const char *tag, const char *entry_filter)
{
	struct snoop_buf spec, f;
	int r;

	snoop_buf_init(&spec);
	snoop_buf_init(&f);
	if (entry_filter && entry_filter[0])
		snoop_buf_printf(&f, "(%s) && ", entry_filter);
	snoop_buf_printf(&f, "common_pid != %d", (int)getpid());
	snoop_buf_printf(&spec, "keys=common_pid:snoop_ts%s=common_timestamp.usecs:clock=mono", tag);
	r = snoop_hist_trigger(entry, snoop_buf_cstr(&spec), snoop_buf_cstr(&f));
	if (r == 0) {
		snoop_buf_reset(&spec);
		snoop_buf_printf(&spec, "keys=common_pid:snoop_lat%s=common_timestamp.usecs-$snoop_ts%s:clock=mono:"
				 "onmatch(%s.%s).trace(%s,$snoop_lat%s)",
				 tag, tag, snoop_event_system(entry), snoop_event_name(entry), snoop_event_name(synth), tag);
		r = snoop_hist_trigger(exit, snoop_buf_cstr(&spec), NULL);
	}
	snoop_buf_free(&spec);
	snoop_buf_free(&f);
	return r;
}
