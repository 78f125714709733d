// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe -c -s: hits per kernel stack, counted in the kernel by a hist
 * trigger keyed on the stack (keys=stacktrace; common_stacktrace since
 * 6.5), printed at the end most frequent first, like bcc's stackcount; or
 * with --folded one line per stack, root first, for flamegraph.pl and
 * speedscope. The kernel's stack starts inside the probe's own machinery
 * (kprobe_ftrace_handler, the trampoline's bare address; on arm64, whose
 * kprobes are breakpoints, the debug exception's frames: el1h_64_sync,
 * do_el1_brk64 or brk_handler...): those frames, above the probed
 * function, are left out.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <snoop/hist.h>

#include "kprobe.h"

const char *kp_stack_key(struct kp *kp)
{
	char path[1024];
	char *readme;
	bool common;

	if (!kp->stack_key[0]) {
		snprintf(path, sizeof(path), "%s/README", snoop_session_tracing_dir(kp->a.s));
		readme = snoop_read_file(path, NULL);
		common = readme && strstr(readme, "common_stacktrace");
		free(readme);
		snprintf(kp->stack_key, sizeof(kp->stack_key), "%s", common ? "common_stacktrace" : "stacktrace");
	}
	return kp->stack_key;
}

static size_t name_len(const char *f);

/* Frames of a stack key, tracing's own dropped; trimmed, in place. FUNC:
 * the probed function ("" unknown): the frames above it go too. */
static int split_frames(char *key, const char *func, char **frames, int max)
{
	size_t flen = strlen(func);
	int n = 0;

	for (char *line = strtok(key, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			continue;
		/* Above the probed function: the probe's machinery. */
		if (n == 0 && (!strncmp(line, "kprobe_", 7) || !strncmp(line, "0x", 2) || !strncmp(line, "ftrace_", 7) ||
			       !strncmp(line, "trace_", 6) || !strncmp(line, "__kretprobe_", 12) ||
			       !strncmp(line, "arch_rethook_", 13) || !strncmp(line, "rethook_", 8)))
			continue;
		frames[n++] = line;
	}
	for (int i = 1; flen && i < n; i++) {
		if (name_len(frames[i]) == flen && !strncmp(frames[i], func, flen)) {
			memmove(frames, frames + i, (size_t)(n - i) * sizeof(*frames));
			return n - i;
		}
	}
	return n;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct snoop_hist_row *x = a, *y = b;

	return x->hitcount < y->hitcount ? 1 : x->hitcount > y->hitcount ? -1 : 0;
}

/* A frame without its "+0x9/0x40": for --folded. */
static size_t name_len(const char *f)
{
	return strcspn(f, "+ ");
}

void kp_stacks_print(struct kp *kp)
{
	struct snoop_buf *b = snoop_session_out(kp->a.s);
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "hist:keys=%s:", kp_stack_key(kp));
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];
		struct snoop_hist_table t;

		if (snoop_hist_read(p->ev, prefix, &t) < 0) {
			kp->failed = true;
			return;
		}
		qsort(t.rows, t.nrows, sizeof(*t.rows), by_count_desc);
		if (!kp->a.common.json && !kp->o->folded)
			snoop_buf_printf(b, "%s: %" PRIu64 " hits, %zu stacks\n", p->event, t.hits, t.nrows);
		for (size_t r = 0; r < t.nrows; r++) {
			char *frames[128];
			int n = split_frames(t.rows[r].key[0], p->def ? p->def->func : "", frames, 128);

			if (kp->a.common.json) {
				struct snoop_json j;

				snoop_json_begin(&j, b);
				snoop_json_cstr(&j, "type", "stack");
				snoop_json_cstr(&j, "event", p->event);
				snoop_json_cstr(&j, "probe", p->text);
				snoop_json_array_begin(&j, "stack");
				for (int k = 0; k < n; k++)
					snoop_json_array_str(&j, frames[k], strlen(frames[k]));
				snoop_json_array_end(&j);
				snoop_json_uint(&j, "count", t.rows[r].hitcount);
				snoop_json_end(&j);
			} else if (kp->o->folded) {
				snoop_escape_text(b, p->event, strlen(p->event));
				for (int k = n - 1; k >= 0; k--) {
					snoop_buf_addc(b, ';');
					snoop_escape_text(b, frames[k], name_len(frames[k]));
				}
				snoop_buf_printf(b, " %" PRIu64 "\n", t.rows[r].hitcount);
			} else {
				for (int k = 0; k < n; k++) {
					snoop_buf_adds(b, "  ");
					snoop_escape_text(b, frames[k], strlen(frames[k]));
					snoop_buf_addc(b, '\n');
				}
				snoop_buf_printf(b, "    %" PRIu64 "\n\n", t.rows[r].hitcount);
			}
		}
		if (t.dropped)
			snoop_warn(kp->a.s, "%s: %" PRIu64 " hits not counted: the kernel's table of stacks is full", p->event,
				   t.dropped);
		snoop_hist_table_free(&t);
	}
}
