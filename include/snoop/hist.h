/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-kernel aggregation: hist triggers on a session's own events (in its own
 * instance), the `hist` files they fill, and synthetic events.
 *
 * A hist trigger counts every hit inside the kernel, whatever the rate: no
 * record goes through the ring buffer, so nothing is lost to a slow reader.
 * The event it is put on is only soft-enabled by the trigger (records are
 * reserved and discarded), so a session whose events are all read this way
 * reads nothing from trace_pipe_raw.
 *
 *   snoop_hist_supported()    does this event have a hist file here?
 *   snoop_hist_trigger()      write "hist:SPEC [if FILTER]" (before start)
 *   snoop_hist_read()         read and parse the event's hist file
 *   snoop_session_close()     removes the triggers (before the instance:
 *                             rmdir fails with EBUSY while one is there),
 *                             then the synthetic events with the probes
 *
 * Synthetic events are global: they are named <group>_<suffix> (group:
 * snoop_session_group()), which is how the sweep finds a dead session's.
 */
#ifndef SNOOP_HIST_H
#define SNOOP_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snoop/session.h>

#define SNOOP_HIST_KEYS_MAX 4

/* One line of a hist table: its keys as the kernel printed them (padding
 * trimmed; a stacktrace key holds its frames, one per line) and its count. */
struct snoop_hist_row {
	char *key[SNOOP_HIST_KEYS_MAX];
	uint64_t hitcount;
};

/* One trigger's table, and its Totals. */
struct snoop_hist_table {
	char *trigger;            /* the "# trigger info:" text */
	char *key_names[SNOOP_HIST_KEYS_MAX];
	int nkeys;
	struct snoop_hist_row *rows;
	size_t nrows;
	uint64_t hits, entries, dropped;
};

/* Does the kernel have hist triggers for ev (CONFIG_HIST_TRIGGERS: its
 * instance directory has a hist file)? */
bool snoop_hist_supported(struct snoop_event *ev);

/*
 * Put "hist:SPEC[ if FILTER]" on ev in the session's instance; ev is from
 * then on read through its hist file, not enabled for records. The trigger
 * counts from now on: read a baseline before start when that matters. -1
 * with the kernel's error_log line printed when it is refused.
 */
int snoop_hist_trigger(struct snoop_event *ev, const char *spec, const char *filter);

/*
 * The same for any trigger command ("traceoff:0", "hist:..."): written to
 * ev's trigger file in the session's instance, recorded for the reaper and
 * the sweep, removed at close; ev is not enabled for records.
 */
int snoop_event_trigger(struct snoop_event *ev, const char *cmd, const char *filter);

/* ev will be read through triggers written after snoop_session_start():
 * start must not enable it for records. */
void snoop_hist_trigger_only(struct snoop_event *ev);

/*
 * Read ev's hist file and parse the table of the trigger whose spec starts
 * with keys_prefix ("hist:keys=..."). 0, or -1 with the reason printed (the
 * file unreadable, or no such table).
 */
int snoop_hist_read(struct snoop_event *ev, const char *keys_prefix, struct snoop_hist_table *t);

/*
 * Parse the text of a hist file (pure: no kernel). Every table in it goes
 * into t[0..max-1]; returns how many tables there were (maybe > max), or -1
 * when the text is not a hist file.
 */
int snoop_hist_parse(const char *text, struct snoop_hist_table *t, int max);
void snoop_hist_table_free(struct snoop_hist_table *t);

/*
 * Time from entry to exit in the kernel, per task: a trigger on entry saves
 * common_timestamp.usecs per common_pid in variable snoop_ts<tag>, one on
 * exit computes snoop_lat<tag> (the microseconds since) and fires synth
 * with it (onmatch(entry).trace), i.e. synth's one u64 field. tag keeps the
 * variables of several pairs in one instance apart. entry_filter (NULL:
 * none) is ANDed with "not this process". Call it from the session's arm
 * hook (snoop_session_on_arm): common_timestamp triggers written before the
 * start's writes gave wrong first latencies on 6.1 and 6.12. Both events
 * must be snoop_hist_trigger_only(). 0, or -1 with the reason printed.
 */
int snoop_hist_latency_pair(struct snoop_event *entry, struct snoop_event *exit, struct snoop_event *synth,
			    const char *tag, const char *entry_filter);

/* Key values as the kernel prints them. All return 0 or -1 (not that form). */
/* "~ 2^7": the log2 bucket's exponent (values in (2^(e-1), 2^e]; 0 and 1 in 2^0). */
int snoop_hist_key_log2(const char *key, unsigned int *exp);
/* "~ 100-199": a .buckets=SIZE bucket's first value. */
int snoop_hist_key_bucket(const char *key, uint64_t *first);
/* "cat             [       154]": common_pid.execname. comm points into key. */
int snoop_hist_key_execname(const char *key, const char **comm, size_t *commlen, int *pid);
/* A plain number. */
int snoop_hist_key_u64(const char *key, uint64_t *v);

/* The log2 bucket of v the way the kernel's FIELD.log2 makes it, for the
 * user-space paths to match the kernel's: e = ceil(log2(v)), bucket e
 * holds (2^(e-1), 2^e], and 0 and 1 are in bucket 0. */
int snoop_log2_bucket(uint64_t v);

/*
 * Remove every trigger in the instance at directory idir (a dead session's,
 * before its rmdir, which fails with EBUSY while one is there). 0, or -1
 * when some would not go.
 */
int snoop_hist_clear_instance(const char *idir);

/*
 * Create the synthetic event <group>_<suffix> with FIELDS ("u64 lat; int
 * pid") through dynamic_events and declare it (system "synthetic"); removed
 * at close after the triggers that feed it. NULL with the reason printed.
 */
struct snoop_event *snoop_hist_synth(struct snoop_session *s, const char *suffix, const char *fields,
				     snoop_handler_fn fn, void *ctx);

#endif
