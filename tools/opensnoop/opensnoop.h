/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opensnoop: the parts shared by its files. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/output.h>
#include <snoop/pair.h>
#include <snoop/session.h>
#include <snoop/syscall.h>
#include <snoop/task.h>
#include <snoop/tool.h>
#include <snoop/top.h>

/* The tool's own options (the shared ones are in struct snoop_tool_args). */
struct opensnoop_opts {
	bool failed;          /* -x: failed opens only */
	bool extended;        /* -e: FLAGS and MODE columns */
	bool full_path;       /* -F */
	bool show_uid;        /* -U */
	bool has_uid;
	uid_t uid;            /* -u */
	const char *glob;     /* positional path pattern */
	bool no_header;       /* --no-header */
	bool force_tracepoint; /* --tracepoint: the no-kprobe path */
	bool libc;            /* --libc: paths from uprobes on the C library */
};

/* Where a record's path came from, or why there is none. */
enum path_status {
	PATH_OK,          /* fetched at the syscall (kprobe or uprobe) */
	PATH_FAULT,       /* the kernel could not read the user string */
	PATH_LOST,        /* no entry record to match: lost, or before start */
	PATH_UNAVAILABLE, /* tracepoint fallback: the kernel gives no path */
};

/* An open in flight, from the entry record, waiting for its exit (the
 * slot: its TID, time and loss sequence). */
struct open_entry {
	struct snoop_pair_slot slot;
	int dfd;
	bool entered;         /* the syscall entry (kprobe or tracepoint) was seen */
	signed char sys;      /* index of the syscall (tracepoint entry), -1: not known */
	bool flags_known;     /* false: openat2 on the tracepoint path */
	uint64_t flags, mode;
	uint64_t uptr;        /* --libc: the path's user address */
	enum path_status pstatus;
	char *path;
	size_t pathlen;
	char comm[16];        /* from the kprobe's $comm or the task cache, "" when unknown */
	uint64_t uprobe_ts;   /* --libc: when the C library path was seen */
	char *kpath;          /* -F with kprobes: the opened file's path from the kernel */
	size_t kpathlen;
	bool kpath_cut;       /* ... deeper than the probe reads: not used */
};

/* -F with kprobes: dentry names fetched per mount (dentry.c). */
#define OPENSNOOP_KDEPTH 8

/* A finished open, as the formatter gets it. */
struct open_event {
	uint64_t ts;
	pid_t tid;
	const char *syscall;  /* "openat" ..., NULL when only the kprobe was seen */
	bool exited;          /* false: the exit was not seen, ret means nothing */
	long ret;
	const struct open_entry *e; /* never NULL; pstatus says what it holds */
};

struct opensnoop;

/* tables.c: bounded per-TID state. */
int opensnoop_tables_init(struct opensnoop *x);
void opensnoop_tables_free(struct opensnoop *x);
char *opensnoop_dup(struct opensnoop *x, const char *p, size_t n);
/* The slot of TID for a new entry: an entry of the syscall path still in
 * it (its exit was lost, or it is another TID's, evicted) is reported first
 * as an open without a result (opensnoop_entry_drop), so that every record
 * the kernel gave is in one line. */
struct open_entry *opensnoop_entry_new(struct opensnoop *x, pid_t tid, uint64_t ts);
struct open_entry *opensnoop_entry_peek(struct opensnoop *x, pid_t tid);
void opensnoop_entry_drop(void *ctx, void *entry, enum snoop_pair_drop why);
void opensnoop_entry_free(struct open_entry *e);
/* The path a probe fetched (p NULL: the kernel could not read it). */
void opensnoop_entry_path(struct opensnoop *x, struct open_entry *e, const char *p, size_t n);

struct opensnoop {
	struct snoop_tool_args a;      /* shared options, session, --top table, pairs */
	struct opensnoop_opts opts;
	struct opensnoop_opts *o;      /* &opts */
	struct snoop_session *s;       /* a.s, from declare on */
	struct snoop_tasks *tasks;     /* the session's task cache */
	struct tep_format_field *f_exec_pid, *f_exec_old_pid, *f_exec_file; /* tables.c */
	bool kprobes;              /* false: tracepoint fallback */
	bool kernel_glob;          /* the path pattern runs in the kernel */
	const char *kfunc;         /* the kprobed function */

	struct tep_format_field *f_dfd, *f_fname, *f_flags, *f_mode, *f_comm;
	/* open, creat, openat, openat2: the exits; the entries on the
	 * tracepoint path, with their fields */
	struct snoop_syscall sc[4];
	struct tep_format_field *f_en_dfd[4], *f_en_fname[4], *f_en_flags[4], *f_en_mode[4];
	/* -F with kprobes (dentry.c) */
	bool kernel_paths;
	int kmnt_off;
	int kdepth;                    /* names fetched per mount */
	struct tep_format_field *f_kp[2][OPENSNOOP_KDEPTH + 1], *f_kn[2][OPENSNOOP_KDEPTH];
	struct tep_format_field *f_kmnt, *f_kmntp, *f_kmntpp;
	uint64_t kpath_cut;            /* -v: paths deeper than the probe reads */
	/* --libc */
	struct snoop_event *ev_up[8];
	struct tep_format_field *f_up_path[8], *f_up_ptr[8];
	int nup;

	bool oom;                      /* memory ran out: stopped, exit status 1 */
	pid_t self;                    /* our records are dropped (probes.c) */
	bool closing;                  /* --top's end: entries freed, not reported */

	uint64_t printed, entry_missing, entry_evicted, stale_dropped, filtered, exit_missing;

	struct snoop_buf top_key;
	/* -j: the last flags value and its "flags_str" as written, quotes
	 * included (format.c); len 0: none yet, or too long to keep. */
	uint64_t json_flags;
	size_t json_flags_len;
	char json_flags_str[192];
};

/* A UID is printed or matched: the task cache keeps UIDs. */
static inline bool opensnoop_need_uid(const struct opensnoop *x)
{
	return x->o->has_uid || x->o->show_uid || x->a.common.json;
}

int opensnoop_setup(struct opensnoop *x);
/* probes.c: report E, whose exit was not seen (unless -x, where the kernel
 * drops the successful exits). */
void opensnoop_report_no_exit(struct opensnoop *x, const struct open_entry *e);
void opensnoop_print_header(struct opensnoop *x);
/* top.c: --top, paths by count; one open into the table (base: -F's
 * directory for a relative path, or NULL). */
void opensnoop_top_add(struct opensnoop *x, const struct open_event *ev, pid_t tgid, const char *base);
int opensnoop_setup_libc(struct opensnoop *x);
int opensnoop_setup_dentry(struct opensnoop *x);
void opensnoop_emit(struct opensnoop *x, const struct open_event *ev);
/* The words shown instead of a path that is not PATH_OK (top: as a --top
 * key). */
const char *opensnoop_path_mark(enum path_status st, bool top);

/* flags.c: pure helpers (unit-tested). */
/* The kernel's O_LARGEFILE (glibc defines it as 0 on 64-bit). */
#if defined(__aarch64__)
#define OPENSNOOP_O_LARGEFILE 0400000u
#else
#define OPENSNOOP_O_LARGEFILE 0100000u
#endif
void opensnoop_flags_str(struct snoop_buf *b, uint64_t flags);
/* The FLAGS column: the names if they fit in WIDTH, else without their
 * "O_", else the number in hex; never wider than WIDTH. */
void opensnoop_flags_col(struct snoop_buf *b, uint64_t flags, size_t width);
bool opensnoop_flags_have_mode(uint64_t flags);
/* A path pattern the kernel's filter can take as it is (its glob dialect
 * and quoting); false means user space applies it alone. */
bool opensnoop_glob_kernel_safe(const char *glob);

#endif
