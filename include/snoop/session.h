/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A trace session: everything a snoopkit tool does to the kernel, and the
 * undoing of it. The order is strict:
 *
 *   snoop_session_open()      find tracefs, sweep dead sessions' leftovers,
 *                             create the private instance
 *                             snoop_<tool>_<token>_<pid> (held open to the
 *                             end: that is what makes it alive, see
 *                             snoop/sweep.h) and fork its reaper
 *   snoop_session_tracepoint()/snoop_session_kprobe()/snoop_event_filter()
 *                             declare what to record and how to filter it
 *                             (snoop_session_tracepoint_opt() for events the
 *                             tool can do without; snoop/syscall.h for a
 *                             syscall's enter/exit pair, snoop/task.h for
 *                             the task cache)
 *   snoop_session_start()     install signal handlers, apply the common
 *                             filters, size the buffer, enable, tracing on
 *   snoop_session_run()       read binary events and hand them to handlers
 *                             until a signal, -d, snoop_session_stop() or error
 *   snoop_session_close()     tracing off, drain, disable, remove the
 *                             instance, remove the probes, free; safe to call
 *                             at any stage and after any error
 *
 * A tool's main() can leave this order to snoop_tool_main() (snoop/tool.h).
 *
 * Error reporting convention: a libsnoop function that fails has already
 * printed one line "TOOL: reason" on stderr and returns NULL or -1; the tool
 * only has to close the session and exit non-zero. A tool's own failure
 * once the session exists (out of memory in a handler or in set-up) is
 * snoop_session_fail(): one line, the run ends after the current batch, and
 * the usual teardown follows. Never abort() or exit() with a session open:
 * the instance and the probes would stay behind.
 *
 * The exit status is the library's to decide: a tool ends with
 *	return snoop_session_end(s, status);
 * which closes the session and gives 0 after a stop signal (also one that
 * cut the set-up short), 1 after any error said on stderr (an output error
 * found by the teardown's last flush included), else the tool's status.
 */
#ifndef SNOOP_SESSION_H
#define SNOOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <snoop/options.h>
#include <snoop/output.h>
#include <snoop/tracefs.h>

struct snoop_session;
struct snoop_event;
struct tep_format_field;
struct tep_event;

/* One decoded event, valid only during the handler call. */
struct snoop_record {
	struct snoop_event *ev;
	const void *data;     /* payload, starting at common_type */
	int size;
	int cpu;
	int pid;              /* common_pid: the kernel's pid, i.e. the TID */
	uint64_t ts;          /* event time, ns of CLOCK_MONOTONIC */
};

typedef void (*snoop_handler_fn)(struct snoop_session *s,
				 const struct snoop_record *r, void *ctx);
/* Called every interval (count/top modes) and once more at the end. */
typedef void (*snoop_tick_fn)(struct snoop_session *s, bool final, void *ctx);
/* Called after each batch of records, before the output is flushed. */
typedef void (*snoop_batch_fn)(struct snoop_session *s, void *ctx);

/* What the library applies by itself from the common options. */
enum snoop_common_filter {
	SNOOP_FILTER_PID = 1 << 0,  /* -p/-L in the kernel (set_event_pid) */
	SNOOP_FILTER_COMM = 1 << 1, /* -n as an exact comm match in the kernel */
};

struct snoop_session *snoop_session_open(const char *tool,
					 const struct snoop_opts *opts);

/* Filters from -p/-L/-n that the library applies (default: all). A tool
 * that filters some of them itself (e.g. -n as a regex) clears the bits. */
void snoop_session_common_filters(struct snoop_session *s, unsigned int mask);

/*
 * The per-CPU ring, in KiB, this session asks for when -b is not given.
 * For a tool whose events can come at a million a second (opensnoop): the
 * kernel's default ring (1.4 MB a CPU) holds about 15 ms of open loop, and
 * a reader that stalls longer than that (scheduling, a slow host) loses
 * records. Bounded over all CPUs by SNOOP_RING_TOTAL_KB, and never smaller
 * than the ring the instance already has. Resizing costs start-up time
 * (10-20 ms on the bench host, whatever the size), so it is for the tools
 * that need it. 0 (the default): the kernel's size.
 */
#define SNOOP_RING_TOTAL_KB (128U * 1024)
void snoop_session_ring_default(struct snoop_session *s, unsigned int kb);

/* Declare a tracepoint to record. NULL (message printed) when the kernel
 * does not have it; that is an error: the session is marked failed and
 * snoop_session_start() refuses. For an event the tool can do without, use
 * snoop_session_tracepoint_opt(). */
struct snoop_event *snoop_session_tracepoint(struct snoop_session *s,
					     const char *system,
					     const char *event,
					     snoop_handler_fn fn, void *ctx);
/* Does the kernel have the event (events/SYSTEM/EVENT)? No message. */
bool snoop_session_has_event(struct snoop_session *s, const char *system,
			     const char *event);
/* An optional tracepoint: NULL and no message when the kernel lacks it,
 * and the session goes on. A present event that cannot be loaded is still
 * an error (message printed, session failed). */
struct snoop_event *snoop_session_tracepoint_opt(struct snoop_session *s,
						 const char *system,
						 const char *event,
						 snoop_handler_fn fn, void *ctx);

/*
 * Declare an event that is decoded but not enabled through events/: the
 * ftrace:function / ftrace:funcgraph_* / ftrace:kernel_stack records that a
 * tracer (current_tracer) or an option (stacktrace) makes the instance write.
 */
struct snoop_event *snoop_session_format_event(struct snoop_session *s,
					       const char *system,
					       const char *event,
					       snoop_handler_fn fn, void *ctx);

/* Write val to a file of the session's instance (e.g. "set_ftrace_filter",
 * "options/stacktrace"); 0 or -1 with the reason printed. */
int snoop_session_instance_write(struct snoop_session *s, const char *file,
				 const char *val);

/*
 * Create a kprobe (retprobe false) or kretprobe in the session's own group
 * snoop_<pid> and declare it. name is the event name, addr FUNC[+OFFS],
 * fetchargs the kernel's fetch-arg syntax. A refusal names the probe and
 * quotes the kernel's error_log line.
 */
struct snoop_event *snoop_session_kprobe(struct snoop_session *s,
					 const char *name, const char *addr,
					 const char *fetchargs, bool retprobe,
					 snoop_handler_fn fn, void *ctx);

/* Create any dynamic event from a full definition line in kprobe_events /
 * dynamic_events syntax whose group is already the session's group. */
struct snoop_event *snoop_session_dynevent(struct snoop_session *s,
					   const char *file,
					   const char *definition,
					   const char *name,
					   snoop_handler_fn fn, void *ctx);

/* Set the in-kernel filter of an event (checked now, written at start).
 * -1 with the reason printed when libtracefs/the kernel refuses it. */
int snoop_event_filter(struct snoop_event *ev, const char *filter);

struct tep_event *snoop_event_tep(struct snoop_event *ev);
const char *snoop_event_name(struct snoop_event *ev);
const char *snoop_event_system(struct snoop_event *ev);
/* A field of the event's format, NULL when it has none. */
struct tep_format_field *snoop_event_field(struct snoop_event *ev, const char *name);

/* Field access on a record; sign-extension follows the field's format. */
uint64_t snoop_field_u64(const struct snoop_record *r, const struct tep_format_field *f);
int64_t snoop_field_s64(const struct snoop_record *r, const struct tep_format_field *f);
/*
 * A string field (__data_loc or fixed char array). Returns NULL when the
 * kernel could not fetch it (a faulting user pointer: data_loc length 0);
 * otherwise the bytes and in *len their count without the trailing NUL.
 */
const char *snoop_field_str(const struct snoop_record *r,
			    const struct tep_format_field *f, size_t *len);

int snoop_session_start(struct snoop_session *s);
/* 0 after a normal end (signal, -d, stop), -1 after an error: one is the
 * instance turned off (tracing_on 0) by someone else, said on stderr. */
int snoop_session_run(struct snoop_session *s);
void snoop_session_stop(struct snoop_session *s);
/* True once a stop signal (SIGINT, SIGTERM, ...) arrived. A set-up step
 * that fails because of it has printed nothing: the tool closes the session
 * and exits 0, as after a signal during the trace. */
bool snoop_session_interrupted(void);
void snoop_session_close(struct snoop_session *s);
/* snoop_session_close(), then the exit status (see the top of this file):
 * status if no error was said and no stop signal came; s may be NULL. */
int snoop_session_end(struct snoop_session *s, int status);
/* Print "TOOL: message" on stderr and end the run: snoop_session_run()
 * returns -1 after the current batch, snoop_session_end() gives 1. */
void snoop_session_fail(struct snoop_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void snoop_session_on_tick(struct snoop_session *s, double interval,
			   snoop_tick_fn fn, void *ctx);
void snoop_session_on_batch(struct snoop_session *s, snoop_batch_fn fn, void *ctx);
/* Call fn when fd is readable (e.g. the terminal for --top keys); at most
 * SNOOP_MAX_WATCH fds. fn may call snoop_session_stop(). */
#define SNOOP_MAX_WATCH 4
typedef void (*snoop_fd_fn)(struct snoop_session *s, int fd, void *ctx);
int snoop_session_watch_fd(struct snoop_session *s, int fd, snoop_fd_fn fn, void *ctx);
/*
 * Call fn first thing in snoop_session_close(), once, before the teardown
 * prints anything: the place to give the terminal back (the --top view's
 * endwin) on every exit path, errors included. One hook; NULL removes it.
 */
typedef void (*snoop_close_fn)(struct snoop_session *s, void *ctx);
void snoop_session_on_close(struct snoop_session *s, snoop_close_fn fn, void *ctx);

/*
 * Call fn in snoop_session_start() once the instance is set up (events,
 * filters, clock, buffers), just before tracing goes on: the place for
 * hist triggers that read common_timestamp (see hist.h), and whatever a
 * watcher of tracing_on must find in place. 0, or -1 with the reason
 * printed (start fails). One hook; NULL removes it.
 */
typedef int (*snoop_arm_fn)(struct snoop_session *s, void *ctx);
void snoop_session_on_arm(struct snoop_session *s, snoop_arm_fn fn, void *ctx);

/* Accessors. */
const struct snoop_opts *snoop_session_opts(struct snoop_session *s);
const struct snoop_features *snoop_session_features(struct snoop_session *s);
const char *snoop_session_tool(struct snoop_session *s);
/* The names of the session (grammar in snoop/sweep.h): the only source of
 * them for other code. The group is snoop_<token>_<pid>; a synthetic event
 * of the session is named <group>_<suffix> so that its reaper and a later
 * sweep remove it with the rest. */
const char *snoop_session_group(struct snoop_session *s);
const char *snoop_session_instance_name(struct snoop_session *s);
/*
 * Before turning a global (not per-instance) tracefs option options/<option>
 * on: leave a record in tracefs (a synthetic event <group>_restore_<option>)
 * so that, if the tool dies without turning it off, its reaper or the next
 * sweep does. 0, or -errno (-ENOENT: the kernel has no synthetic events;
 * nothing would restore the option after a kill -9).
 */
int snoop_session_record_restore(struct snoop_session *s, const char *option);
/*
 * The session needs the global options/<option> on (functrace -s and
 * func_stack_trace). Decided under the option's lock (snoop/sweep.h), so
 * that two sessions starting and ending at once agree:
 *   SNOOP_OPTION_SET         it was off: recorded, then turned on
 *   SNOOP_OPTION_UNRECORDED  the same, but the kernel took no record (no
 *                            synthetic events): the caller turns it off
 *                            at its end, and a kill -9 leaves it on
 *   SNOOP_OPTION_SHARED      on for another live snoopkit session: recorded
 *                            too, so that whichever ends last turns it off
 *   SNOOP_OPTION_FOREIGN     on, set by someone else: left alone, no record
 * or -1 with the reason printed.
 */
enum snoop_option_need { SNOOP_OPTION_SET, SNOOP_OPTION_UNRECORDED, SNOOP_OPTION_SHARED, SNOOP_OPTION_FOREIGN };
int snoop_session_need_option(struct snoop_session *s, const char *option);
const char *snoop_session_tracing_dir(struct snoop_session *s);
struct tracefs_instance *snoop_session_instance(struct snoop_session *s);
struct snoop_buf *snoop_session_out(struct snoop_session *s);
/*
 * Write the output buffer to stdout now (done after every batch anyway).
 * -1 when stdout is gone: a closed pipe ends the run quietly (exit 0), any
 * other write error (ENOSPC, EFBIG past `ulimit -f`, EIO, EBADF) is said in
 * one line and fails the run. SIGXFSZ is ignored while a session is open.
 */
int snoop_session_flush(struct snoop_session *s);
/*
 * For output written with stdio instead (a tool without a session, e.g.
 * snoop-reset, or a listing mode): flush stdout and say a write error
 * other than EPIPE in one line. 0, or -1 after such an error: exit
 * non-zero. Ignore SIGXFSZ first so that `ulimit -f` gives EFBIG here.
 */
int snoop_stdout_done(const char *tool);
uint64_t snoop_session_lost(struct snoop_session *s);
/* Grows by one on every loss report, including the ones whose count the
 * kernel did not know (which leave snoop_session_lost() alone): a tool that
 * pairs records (entry with exit) compares it to drop pairs a loss split. */
uint64_t snoop_session_loss_seq(struct snoop_session *s);
uint64_t snoop_session_events(struct snoop_session *s);

/*
 * -M N: a tool calls this once for each event it reports (a line printed,
 * or a hit counted by -c/--top), after its own filters. It returns false
 * once N events were reported: the caller drops this one. The session
 * stops at the end of the current batch (the usual teardown follows).
 * Without -M it always returns true.
 */
bool snoop_session_count_event(struct snoop_session *s);

/* Time columns from -t/-T, written with a trailing space ("" without -t/-T). */
void snoop_session_put_time(struct snoop_session *s, struct snoop_buf *b, uint64_t ts);
void snoop_session_put_time_header(struct snoop_session *s, struct snoop_buf *b);
/* JSON "time" member: always seconds since the start of the trace, six
 * decimals, from the event's timestamp (with or without -t); with -T also
 * a "walltime" member, the event's wall-clock time in ISO 8601. */
void snoop_session_json_time(struct snoop_session *s, struct snoop_json *j, uint64_t ts);

/* Now in ns of clock clk (CLOCK_MONOTONIC is the clock of record->ts). */
uint64_t snoop_now_ns(clockid_t clk);

/*
 * The proof that a value read after the fact (from /proc) still belongs to
 * its event: read it, take t = snoop_now_ns(CLOCK_MONOTONIC), and wait until
 * snoop_session_watermark(s) >= t; if no record handled in between shows a
 * change of what was read (a later exec of that PID, say) and
 * snoop_session_loss_seq() did not move, the value was still the event's
 * at t. The watermark: every record the kernel wrote with a timestamp up to
 * it has been handed to its handler (checked in a batch hook, see
 * snoop_session_on_batch()). It moves only while tracing is on: the final
 * drain after a stop, and a batch with a stop signal pending, leave it. 0
 * before the first batch.
 */
uint64_t snoop_session_watermark(struct snoop_session *s);
/* Read the next batch within a millisecond even if no record comes (a
 * tool waiting for the watermark to pass a time), instead of up to a
 * second later. For one batch: ask again to wait longer. */
void snoop_session_batch_soon(struct snoop_session *s);

/* Print "TOOL: message" on stderr (one line). */
void snoop_err(struct snoop_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void snoop_warn(struct snoop_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* For code that runs before a session exists. */
void snoop_errx(const char *tool, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
