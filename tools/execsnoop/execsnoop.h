/* SPDX-License-Identifier: GPL-2.0-or-later */
/* execsnoop: the parts shared by its files. */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/session.h>
#include <snoop/top.h>

#define EXECSNOOP_MAX_ARGS 126     /* the kernel's fetch-arg limit, less room */
#define EXECSNOOP_ARGS_PER_PROBE 16 /* keeps one event under a ring-buffer page */
#define EXECSNOOP_MAX_PROBES ((EXECSNOOP_MAX_ARGS + 1 + EXECSNOOP_ARGS_PER_PROBE - 1) / EXECSNOOP_ARGS_PER_PROBE)
#define EXECSNOOP_TOP_ARGS 3       /* --top: arguments after argv[0] in the key */

struct execsnoop_opts {
	struct snoop_opts common;
	struct snoop_top_opts top; /* -i, --top-max */
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
};

/* Why an argument is missing from what the kernel gave us. */
enum arg_state { ARG_OK, ARG_FAULT, ARG_END };

/* An exec in flight: what the entry probes fetched, waiting for the exit. */
struct exec_entry {
	pid_t tid;
	uint64_t ts;
	bool used;
	bool is_at;                /* execveat */
	unsigned int chunks_seen;  /* bit per entry probe */
	char *filename;            /* NULL when it faulted */
	int nargs;                 /* arguments present (after trimming END) */
	char **argv;               /* [max_args + 1] */
	size_t *arglen;
	unsigned char *argstate;   /* enum arg_state */
	uint64_t fname_ptr, argv_ptr; /* fallback path: user addresses */
	uint64_t loss_seq;         /* the session's loss count when it began */
};

struct execsnoop;
/* Tells an entry-probe handler which probe it is. */
struct exec_chunk {
	struct execsnoop *x;
	int at;     /* 0 execve, 1 execveat */
	int chunk;  /* arguments chunk*EXECSNOOP_ARGS_PER_PROBE onwards */
};

struct execsnoop {
	struct execsnoop_opts *o;
	struct exec_chunk chunks[2][EXECSNOOP_MAX_PROBES];
	struct snoop_session *s;
	bool kprobes;                       /* false: tracepoint fallback */
	int nprobes;                        /* entry probes per syscall */
	struct tep_format_field *f_args[2][EXECSNOOP_MAX_PROBES][EXECSNOOP_ARGS_PER_PROBE];
	struct tep_format_field *f_ptrs[2][EXECSNOOP_MAX_PROBES][EXECSNOOP_ARGS_PER_PROBE];
	struct tep_format_field *f_fname[2];
	struct tep_format_field *f_ret, *f_ret_at;
	struct tep_format_field *f_fork_parent, *f_fork_child;
	struct tep_format_field *f_exec_fname, *f_exec_pid, *f_exec_oldpid;
	struct tep_format_field *f_enter_fname, *f_enter_argv, *f_enter_at_fname, *f_enter_at_argv;
	struct snoop_event *ev_exit, *ev_exit_at;

	/* In-flight execs by TID, open addressing; bounded. */
	struct exec_entry *entries;
	size_t nentries;
	/* Parent of each PID forked during the session; bounded. */
	struct { pid_t child, parent; } *forks;
	size_t nforks;

	uint64_t printed, recovered, unrecovered, entry_missing, stale_dropped;

	struct snoop_top *top;              /* --top, else NULL */
	struct snoop_buf top_key;
};

int execsnoop_setup(struct execsnoop *x);
void execsnoop_print_header(struct execsnoop *x);
/* Print one finished exec (ret = syscall return value). */
void execsnoop_emit(struct execsnoop *x, const struct snoop_record *r, struct exec_entry *e, long ret);
pid_t execsnoop_ppid(struct execsnoop *x, pid_t pid);
/* --top (top.c): the table and its view; one exec into it. */
int execsnoop_top_setup(struct execsnoop *x, int argc, char **argv);
void execsnoop_top_add(struct execsnoop *x, const struct exec_entry *e, int nargs, pid_t pid, pid_t ppid,
		       long ret);
void execsnoop_entry_reset(struct execsnoop *x, struct exec_entry *e);

#endif
