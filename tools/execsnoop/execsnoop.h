/* SPDX-License-Identifier: GPL-2.0-or-later */
/* execsnoop: the parts shared by its files. */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/cgroup.h>
#include <snoop/pair.h>
#include <snoop/session.h>
#include <snoop/task.h>
#include <snoop/tool.h>
#include <snoop/top.h>

/* Probe 0 fetches the filename and argv[0..max_args]: 128 fetch args at
 * most, the kernel's limit (MAX_TRACE_ARGS). */
#define EXECSNOOP_MAX_ARGS 126
/* The longest string one fetch stores: MAX_STRING_SIZE (4096) less the
 * NUL. A longer argument arrives cut to this many bytes. */
#define EXECSNOOP_FETCH_MAX 4095
#define EXECSNOOP_TOP_ARGS 3 /* --top: arguments after argv[0] in the key */

struct execsnoop_opts {
	bool failed;          /* -x: also failed execs */
	bool quote;           /* -q */
	bool show_uid;        /* -U */
	bool header;          /* column header (off with --no-header) */
	int max_args;         /* --max-args */
	pid_t ppid;           /* -P */
	const char *line;     /* -l: substring of the argument line */
	bool has_uid;
	uid_t uid;            /* -u */
	regex_t name_re;      /* -n compiled */
	bool has_name;
	bool force_fallback;  /* --tracepoint: the no-kprobe path, for tests */
	bool no_libc;         /* --no-libc: no uprobes on the C library either */
};

/* What we know of one argument. */
enum arg_state {
	ARG_MISSING,    /* no record carried it (yet) */
	ARG_OK,         /* from the kernel at the syscall */
	ARG_FAULT,      /* the kernel could not read it (page not in memory) */
	ARG_PROC,       /* recovered from /proc/PID/cmdline */
	ARG_LOST_FAULT, /* faulted and not recoverable: shown as "?" */
	ARG_LOST_LONG,  /* too long for a trace record, not recoverable: "?..." */
	ARG_LATE,       /* read from the process after the fact, not proven to
			 * be this exec's: printed, and the exec marked late */
	ARG_CHECKED,    /* read from /proc after the fact and proven this
			 * exec's (format.c: lines held for the proof) */
};

/* Where the file name (and, by their states, the arguments) came from:
 * JSON "filename_source" and "args_source", see execsnoop(8). */
enum exec_src {
	SRC_NONE,
	SRC_SYSCALL, /* a kprobe at the syscall */
	SRC_LIBC,    /* a uprobe on the C library's exec function, whose
		      * pointers the syscall then received */
	SRC_SCHED,   /* sched:sched_process_exec (the kernel's bprm->filename) */
	SRC_PROC,    /* /proc after the fact, checked against what the kernel gave */
	SRC_CHECKED, /* /proc after the fact, proven by the watermark */
	SRC_LATE,    /* the process's memory or /proc after the fact, unproven */
};

/* An exec in flight: what the entry probes fetched, waiting for the exit.
 * The pairing table's entry (snoop/pair.h): slot.tid is the thread. */
struct exec_entry {
	struct snoop_pair_slot slot;
	pid_t tid;                 /* the thread, or the PID it took by exec'ing */
	bool is_at;                /* execveat */
	bool seen;                 /* any entry record (probe or sys_enter) */
	bool printed;              /* kprobe path: printed at sched_process_exec; its
				    * exit, if one comes, is dropped */
	bool compat;               /* ... an exec by a 32-bit process: nothing from the call */
	bool have_ptrs;            /* probe 0: filename and argv pointers */
	bool have_creds;           /* commit_creds: the name the kernel gave */
	bool have_uid;             /* ... and the real UID */
	bool have_dfd;
	int dfd;                   /* execveat's directory fd */
	int argc;                  /* from the pointers, at most max_args + 1 */
	char comm[16];
	long uid;
	char *filename;            /* NULL when it faulted */
	/* [max_args + 1] each, in the same table slot after the struct
	 * (entry_wire() points them there). */
	char **argv;
	size_t *arglen;
	unsigned char *argstate;   /* enum arg_state */
	uint64_t fname_ptr, argv_ptr; /* fallback path: user addresses */
	bool libc;                 /* the entry probes were uprobes on the C library */
	bool verified;             /* ... whose pointers sys_enter_execve(at) received */
	unsigned char fname_src;   /* enum exec_src */
};

struct execsnoop;
/* Tells an entry-probe handler which probe it is. */
struct exec_probe {
	struct execsnoop *x;
	int at;    /* 0 execve, 1 execveat */
	int first; /* first argument it carries; -1: probe 0 (filename, pointers) */
	int n;     /* arguments it carries */
	int fixed; /* record size without its string data */
};

/* What -v reports at the end. Counted per printed exec. */
struct execsnoop_stats {
	uint64_t printed;
	uint64_t fault_recovered;  /* an argument faulted, recovered from /proc */
	uint64_t fault_marked;     /* ... not recoverable: marked */
	uint64_t long_recovered;   /* an argument too long for a record, from /proc */
	uint64_t long_marked;      /* ... not recoverable: marked */
	uint64_t entry_missing;    /* an exit without any entry record */
	uint64_t entry_recovered;  /* ... of which /proc gave the arguments */
	uint64_t proc_mismatch;    /* /proc held another exec's command line */
	uint64_t stale_dropped;    /* entries dropped after lost events */
	uint64_t uid_kernel, uid_proc, uid_unknown;
	uint64_t uid_unknown_skipped; /* -u: not shown, the UID was unknown */
	uint64_t fallback_proc, fallback_gone; /* tracepoint path: args from /proc, or gone */
	uint64_t libc_verified;    /* fallback: arguments from the C library's call */
	uint64_t libc_unmatched;   /* ... uprobe records the syscall did not confirm */
	uint64_t late_args;        /* printed with arguments read late (marked) */
	uint64_t late_fname;       /* printed with a file name read late (marked) */
	uint64_t exec_unseen;      /* kprobe path: execs without entry records (32-bit) */
	uint64_t proc_proven, proc_unproven; /* fallback: /proc reads proven, or not */
};

/* One exec, resolved (every late read done), waiting to be printed. */
struct exec_line {
	struct exec_entry *e;      /* a held line's own copy */
	bool held;
	uint64_t ts;
	long ret, uid;             /* uid -1: unknown */
	bool uid_late;             /* uid read from /proc after the fact */
	pid_t pid, ppid;
	int nargs;
	bool truncated, unreadable;
	struct snoop_task task;    /* the new name (comm, comm_src); -C: the cgroup */
	struct snoop_cgroup_keep cg; /* a held line's copy of the cgroup */
	struct snoop_buf kname;    /* the file name as the kernel names it */
	/* The arguments' read from /proc (0: none) to prove: when, the loss
	 * count then, and whether a record showed the PID changed since. */
	uint64_t read_ns, loss_seq;
	bool disproved;
	bool comm_checked;         /* the name from /proc, proven */
};

#define EXECSNOOP_MAX_PROBES (EXECSNOOP_MAX_ARGS + 1)

struct execsnoop {
	struct snoop_tool_args a;           /* common options, session, --top table */
	struct execsnoop_opts opts;
	struct execsnoop_opts *o;           /* &opts */
	struct snoop_session *s;            /* a.s, from declare on */
	bool kprobes;                       /* false: tracepoint fallback */
	bool libc;                          /* fallback with uprobes on the C library */
	char *libc_path;                    /* ... the file probed */
	int args_per_probe;                 /* arguments in each string probe */
	int nprobes;                        /* string probes per syscall */
	int uid_off;                        /* struct cred's uid, -1 unknown */
	struct exec_probe probes[2][EXECSNOOP_MAX_PROBES + 1];
	struct tep_format_field *f_fname[2], *f_ptr[2][EXECSNOOP_MAX_ARGS + 1], *f_dfd;
	struct tep_format_field *f_arg[2][EXECSNOOP_MAX_ARGS];
	struct tep_format_field *f_comm, *f_uid;
	struct tep_format_field *f_up_fp[2], *f_up_ap[2]; /* uprobe probe 0: the call's pointers */
	struct tep_format_field *f_ret, *f_ret_at;
	struct tep_format_field *f_newtask_pid, *f_exit_pid, *f_rename_pid;
	struct tep_format_field *f_exec_fname, *f_exec_pid, *f_exec_oldpid;
	struct tep_format_field *f_enter_fname, *f_enter_argv, *f_enter_at_fname, *f_enter_at_argv;
	struct snoop_event *ev_exit, *ev_exit_at;

	/* In-flight execs by TID (entries of entry_size bytes). */
	struct snoop_pairs *pairs;
	size_t entry_size;
	struct exec_entry *blank;           /* an exec seen only by its result */
	/* PPID (and the tasks' processes): fed by task_newtask here, and by
	 * sched_process_exec on the fallback path. */
	struct snoop_tasks *tasks;

	struct execsnoop_stats st;
	bool warned_unseen;                 /* the 32-bit exec line was said */
	const char *kfunc_execve;           /* kprobe path: the wrapper probed */

	/* Lines held for the proof of a late read, oldest first. */
	struct exec_line *held;
	size_t nheld, held_cap;

	struct snoop_buf top_key;           /* --top */
	int top_pid, top_ppid, top_fails;   /* the table's column indexes */
};

/* A UID is printed or matched (JSON always has one). */
static inline bool execsnoop_need_uid(const struct execsnoop *x)
{
	return x->o->has_uid || x->o->show_uid || x->a.common.json;
}

/* The skeleton's declare step: the events and probes. */
int execsnoop_setup(struct snoop_session *s, void *ctx);
/* A copy of n bytes and a NUL; NULL when memory ran out (the session then
 * fails: exit status 1). */
char *execsnoop_dup(struct execsnoop *x, const char *p, size_t n);
void execsnoop_print_header(struct snoop_session *s, void *ctx);
/* Print one finished exec (ret = syscall return value). */
void execsnoop_emit(struct execsnoop *x, const struct snoop_record *r, struct exec_entry *e, long ret);
pid_t execsnoop_ppid(struct execsnoop *x, pid_t pid);
/* The skeleton's finish step: -v counts, -u's note; on stderr. */
void execsnoop_finish(struct snoop_session *s, void *ctx);
/* creds.c: offset of the real UID in struct cred, from BTF; -1 unknown. */
int execsnoop_cred_uid_offset(void);
/* --top (top.c): the columns (by the options), one exec into the table. */
extern const struct snoop_top_col execsnoop_top_cols[];
extern const int execsnoop_top_ncols;
int execsnoop_top_columns(void *ctx, struct snoop_top_col *cols);
void execsnoop_top_add(struct execsnoop *x, const struct exec_entry *e, int nargs, pid_t pid, pid_t ppid,
		       long ret);
/* The pairing table's drop function: frees what the entry holds. */
void execsnoop_entry_drop(void *ctx, void *entry, enum snoop_pair_drop why);
void execsnoop_entry_clear(struct execsnoop *x, struct exec_entry *e);
/* Point the entry's argument arrays at its own slot (after a copy). */
void execsnoop_entry_wire(struct execsnoop *x, struct exec_entry *e);
/* A record that changes what /proc says of pid (an exec, a new task with
 * that PID) at ts: held lines whose read it may have spoiled stay marked. */
void execsnoop_proof_event(struct execsnoop *x, pid_t pid, uint64_t ts);
/* The session's batch hook: print the held lines that are decided. */
void execsnoop_on_batch(struct snoop_session *s, void *ctx);
void execsnoop_held_free(struct execsnoop *x);

#endif
