/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libsnoop's private structures: not for tools. */
#ifndef SNOOP_INTERNAL_H
#define SNOOP_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/session.h>

struct tep_handle;
struct kbuffer;

#define SNOOP_NAME_MAX 128

struct snoop_event {
	struct snoop_session *s;
	char system[SNOOP_NAME_MAX];
	char name[SNOOP_NAME_MAX];
	struct tep_event *tep_ev;
	int id;
	char *filter;               /* the tool's filter, NULL for none */
	/* What our instance's filter file of the event holds (the check's
	 * write, then start's), NULL for none: replacing or clearing a filter
	 * costs the kernel an RCU grace period (tracepoint_synchronize_
	 * unregister), ~0.1 s under TCG, so an unchanged one is not
	 * rewritten. */
	char *kfilter;
	snoop_handler_fn fn;
	void *ctx;
	bool dynamic;               /* created by us: remove at close */
	bool format_only;           /* recorded by a tracer/option, no enable file */
	char dyn_file[32];          /* kprobe_events, uprobe_events, dynamic_events */
	bool enabled;
	bool trigger_only;          /* a hist trigger reads it: not enabled for records */
	bool no_comm_filter;        /* the library's own (cgroup moves): -n is not for it */
	uint64_t hits;
};

/* A trigger written into one of our instance's events/.../trigger files
 * (hist.c). The instance cannot be removed while it is there (rmdir: EBUSY,
 * seen on 6.1 and 6.12), so close removes them first, newest first: an
 * onmatch() trigger must go before the one whose variables it reads. */
struct snoop_trigger {
	char *file;
	char *text;
};

/* -p PID: which TIDs are threads of the process (pidset.c). */
struct snoop_pidset {
	pid_t pid;
	pid_t *slots;               /* open addressing: +tid ours, -tid not */
	size_t cap, used;
	uint64_t unknown;           /* records of gone tasks nobody vouched for */
};

/* One CPU's trace_pipe_raw and the sub-buffers read from it in a batch. */
struct snoop_cpu {
	int cpu;
	int fd;
	char *pages;                /* batch_pages sub-buffers */
	int npages;                 /* filled in this batch */
	uint64_t missed_seen;       /* events the kbuffer headers said were lost */
	uint64_t lost_reported;     /* of which reported with a count */
	size_t bytes;               /* read in this batch */
};

/* A record of the current batch, before sorting by time. */
struct snoop_pending {
	uint64_t ts;
	const void *data;
	int size;
	int cpu;
	int missed;                 /* > 0 lost just before this record, -1 unknown */
};

struct snoop_reader {
	struct snoop_cpu *cpus;
	int ncpus;
	size_t subbuf_size;
	int batch_pages;
	struct kbuffer *kbuf;
	struct snoop_pending *pend;
	size_t npend, pend_cap;
	/* The merge's scratch (pend_cap entries) and the sorted runs of one
	 * batch: the held records, then one per CPU (ncpus + 1 at most). */
	struct snoop_pending *merge_tmp;
	size_t *run_start;
	int nruns;
	bool capped;          /* the last batch stopped at batch_pages on a CPU */
	/* How fast the busiest ring fills (snoop_reader_fill_wait_us()): a
	 * CPU's ring size, and the last batch's bytes over its records' span. */
	size_t ring_bytes;
	uint64_t fill_bytes_per_ms;
	/* Records newer than the batch's watermark, held for the next batch
	 * (their data copied to held_data: the pages are read over). */
	struct snoop_pending *held;
	size_t nheld, held_cap;
	char *held_data, *held_spare;
	size_t held_data_cap, held_spare_cap;
	/* Every record with a timestamp up to this was dispatched (the last
	 * batch's mark, taken while tracing was on): snoop_session_watermark(). */
	uint64_t watermark;
};

struct snoop_session {
	char tool[32];
	struct snoop_opts opts;
	unsigned int common_filters;
	unsigned int ring_default_kb;  /* snoop_session_ring_default() */
	const char *tracing_dir;
	char instance_name[SNOOP_NAME_MAX];
	char instance_dir[512];
	char group[SNOOP_NAME_MAX];
	char sid[32];                  /* "<token>_<pid>": every name carries it */
	bool instance_created;
	/* Open from mkdir to close: what makes the instance alive to a sweep
	 * (rmdir says EBUSY), and read to see it turned off under us. */
	int live_fd;
	int reaper_fd;                 /* the reaper's "clean" pipe, -1 without */
	bool clean;                    /* close removed everything we made */
	struct tracefs_instance *instance;
	struct tep_handle *tep;
	struct snoop_features features;

	struct snoop_event **events;
	int nevents;
	struct snoop_event *last_ev;   /* one-entry cache for the id lookup */

	struct snoop_reader reader;
	int tracing_on_fd;             /* pre-opened: the signal handler writes "0" */
	int sig_pipe[2];
	int tick_fd;                   /* timerfd for on_tick, -1 without */

	snoop_tick_fn tick_fn;
	void *tick_ctx;
	double tick_interval;
	snoop_batch_fn batch_fn;
	void *batch_ctx;
	struct { int fd; snoop_fd_fn fn; void *ctx; } watch[SNOOP_MAX_WATCH];
	snoop_close_fn close_fn;
	void *close_ctx;
	snoop_arm_fn arm_fn;
	void *arm_ctx;
	int nwatch;

	struct snoop_buf out;
	bool out_broken;               /* stdout is gone (EPIPE) */
	bool started;
	bool stopping;
	bool failed;

	uint64_t start_mono_ns;
	uint64_t start_real_ns;
	uint64_t nevents_seen;
	uint64_t lost;                 /* from sub-buffer headers */
	uint64_t lost_reported;
	uint64_t last_loss_report_ns;
	bool lost_unknown;
	uint64_t loss_seq;              /* loss reports, known count or not */

	uint64_t max_events;            /* -M; 0 = no limit */
	uint64_t events_counted;        /* snoop_session_count_event() said yes */

	bool pid_follow;                /* -p with threads followed (pidset) */
	struct snoop_pidset pidset;
	int newtask_id;                 /* task:task_newtask, -1 when not recorded */
	struct tep_format_field *f_newtask_pid, *f_newtask_flags;
	uint64_t pid_dropped;           /* records of -p's child processes */
	char filter_why[512];           /* the kernel's word on a refused filter */
	struct snoop_tasks *tasks;      /* snoop_session_tasks(), NULL until asked */
	struct snoop_trigger *triggers; /* hist.c, in creation order */
	int ntriggers;
	/* --cgroup/-C (cgroup_session.c): the cache, the events that feed it
	 * (attach, transfer, newtask: -1 when not recorded), and what the
	 * --cgroup filter dropped. */
	struct snoop_cgroups *cgroups;
	bool cg_filter;
	int cg_ids[3];
	struct snoop_event *cg_ev[3];
	uint64_t cg_dropped, cg_unknown;
	/* snoop_session_cgroup_key(): the cgroups seen, key i at i - 1. */
	struct snoop_cgroup_key *cg_keys;
	int cg_nkeys, cg_capkeys;
	bool batch_soon;                /* snoop_session_batch_soon() */
};

/* reader.c */
int snoop_reader_open(struct snoop_session *s);
void snoop_reader_close(struct snoop_session *s);
/* Read what is there on every CPU, decode, sort, and dispatch the records
 * up to the batch's watermark (all of them when final: tracing is off);
 * the newer ones are held for the next batch (reader.nheld). Returns the
 * records dispatched or -1. */
int snoop_reader_batch(struct snoop_session *s, bool final);
/* How long the loop may let the rings fill after a drained batch, at the
 * rate the busiest one filled lately: at most max_us microseconds. */
int snoop_reader_fill_wait_us(const struct snoop_session *s, int max_us);
/* Its parts (unit-tested): a CPU's rate in bytes a millisecond from one
 * batch (long_span set when its records span a millisecond or more), the
 * rate kept after a batch, and the wait for a ring at a rate. */
uint64_t snoop_fill_rate(size_t bytes, uint64_t first_ts, uint64_t last_ts, bool *long_span);
uint64_t snoop_fill_update(uint64_t old, uint64_t rate, bool long_span);
int snoop_fill_wait_us(size_t ring_bytes, uint64_t rate, int max_us);
/* At the end: report per CPU what the kernel counted as lost beyond what
 * the sub-buffer headers gave a count for, so that the reported counts add
 * up to the kernel's total. False when a CPU's stats were unreadable. */
bool snoop_reader_settle_losses(struct snoop_session *s);

/* pidset.c */
int snoop_pidset_init(struct snoop_pidset *ps, pid_t pid, struct snoop_buf *tids);
void snoop_pidset_free(struct snoop_pidset *ps);
bool snoop_pidset_has(struct snoop_pidset *ps, pid_t tid);
void snoop_pidset_newtask(struct snoop_pidset *ps, pid_t parent, pid_t child, uint64_t clone_flags);

/* signals.c */
int snoop_signals_install(struct snoop_session *s);
void snoop_signals_restore(void);
void snoop_signals_forget_fd(void);
bool snoop_signals_pending(void);
int snoop_signals_last(void);

/* session.c */
/* Declare an event created by us (system/name given in full: a synthetic
 * event's system is "synthetic"), removed from file at close. */
struct snoop_event *snoop_session_add_dynamic(struct snoop_session *s, const char *file, const char *system,
					      const char *name, snoop_handler_fn fn, void *ctx);

/* The newest entry of DIR/error_log: its message line in out, its
 * "  Command:" and caret lines in cmd and caret ("" when absent). */
void snoop_last_error_log(const char *dir, char *out, size_t outlen, char *cmd, size_t cmdlen, char *caret,
			  size_t caretlen);

/* trace_clock mono unless it is already (a write resets the buffers). */
int snoop_session_set_clock(struct snoop_session *s);

/* hist.c: remove every trigger of the session, newest first (close, before
 * the instance's rmdir). */
void snoop_hist_remove_triggers(struct snoop_session *s);
void snoop_session_dispatch(struct snoop_session *s, const struct snoop_pending *p);
/* A loss on cpu: count > 0, or -1 when the kernel did not say how many;
 * final for the remainders counted at the end (snoop_reader_settle_losses). */
void snoop_session_report_loss(struct snoop_session *s, int cpu, int64_t count, uint64_t ts, bool final);

/* cgroup_path.c, for the cache in cgroup.c: the cgroup's path as the
 * kernel writes it (the mount's root, then below, the part after the mount
 * point), and a directory's cgroup ID (false: not a directory). */
struct snoop_cgroup_hier;
void snoop_cgroup_join_rel(const struct snoop_cgroup_hier *h, const char *below, char *rel, size_t n);
bool snoop_cgroup_dir_id(const char *path, uint64_t *ino);

/* cgroup_session.c: --cgroup and -C. setup declares the events (start,
 * before the events are applied), scan reads the start state (just after
 * tracing is on), pass feeds the cache and says whether a record is kept,
 * report says at the end what was dropped. */
int snoop_cgroup_session_setup(struct snoop_session *s);
void snoop_cgroup_session_scan(struct snoop_session *s);
bool snoop_cgroup_session_pass(struct snoop_session *s, const struct snoop_pending *p, uint16_t type);
void snoop_cgroup_session_report(struct snoop_session *s);
/* Frees the --by cgroup keys (snoop_session_cgroup_key). */
void snoop_cgroup_session_free(struct snoop_session *s);

/* snoop_now_ns() is public: session.h. */

/* session.c: record in tracefs that the session put hist triggers in its
 * instance (synthetic event <group>_triggers; see snoop/sweep.h). */
int snoop_session_record_triggers(struct snoop_session *s);

#endif
