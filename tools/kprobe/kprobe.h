/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kprobe: the parts shared by its files. */
#ifndef KPROBE_H
#define KPROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <snoop/hitcount.h>
#include <snoop/ksym.h>
#include <snoop/probe_parse.h>
#include <snoop/session.h>
#include <snoop/task.h>
#include <snoop/tool.h>
#include <snoop/top.h>

/* Exit statuses besides 0 and 1 (runtime error). */
#define KP_EXIT_USAGE 64       /* bad option, definition or filter (EX_USAGE) */
#define KP_EXIT_UNAVAILABLE 69 /* the kernel lacks the probe type (EX_UNAVAILABLE) */

#define KP_MAX_PROBES 64
/* The fetch arg every dynamic probe gets, so that COMM is the task's name
 * at the hit, not whatever /proc says later. */
#define KP_COMM_ARG "__comm"

enum kp_by { KP_BY_NONE, KP_BY_COMM, KP_BY_PID, KP_BY_FIELD /* --top only */,
	     KP_BY_CGROUP /* -c only: the key (snoop_session_cgroup_key) in kp_count.pid */ };

/* kprobe's own options; the shared ones (and -i, --top-max) are in
 * struct kp's skeleton part. */
struct kp_opts {
	const char *by_field;      /* --by FIELD (--top) */
	const char *defs[KP_MAX_PROBES];  /* as given, "DEF[ if FILTER]" */
	const char *filters[KP_MAX_PROBES]; /* the positional FILTER, or NULL */
	int ndefs;
	bool from_e;             /* -e was used: no positional definition */
	int npositional;
	bool no_func_check;      /* -F */
	bool raw;                /* -r */
	bool stacks;             /* -s */
	bool header;             /* -H */
	bool show_format;        /* -v */
	const char *list_binary; /* -l BINARY [GLOB] */
	const char *list_glob;
	bool count;              /* -c */
	bool user_count;         /* --user-count: never through hist triggers */
	bool exclude_self;       /* --exclude-self: not the kernel's hit counter */
	bool folded;             /* -c -s --folded */
	const char *hist_field;  /* --hist FIELD */
	const char *latency;     /* --latency t:syscalls:sys_enter_NAME */
	char lat_exit[SNOOP_PROBE_NAME_MAX * 2 + 8]; /* its exit tracepoint */
	bool linear;             /* --linear MIN,MAX,STEP */
	uint64_t lin_min, lin_max, lin_step;
	enum kp_by by;           /* --by */
	double interval;         /* -i */
};

/* How a field is printed. */
enum kp_kind {
	KP_SIGNED, KP_UNSIGNED, KP_HEX, KP_STRING, KP_SYMBOL, KP_CHAR, KP_ARRAY_SIGNED,
	KP_ARRAY_UNSIGNED, KP_ARRAY_HEX,
};

struct kp_field {
	struct tep_format_field *f;
	const char *name;
	enum kp_kind kind;
	int elem_size;           /* arrays */
	int width;               /* the C type's size when the field is wider */
};

struct kp;

struct kp_probe {
	struct kp *kp;
	int idx;
	const char *text;        /* the definition as given */
	struct snoop_probe_def *def;
	char event[SNOOP_PROBE_NAME_MAX + 1];   /* as printed */
	char kevent[SNOOP_PROBE_NAME_MAX + 1];  /* the kernel's: event, or unique (nhit.c) */
	char line[SNOOP_PROBE_DEF_MAX + 512]; /* what the kernel got */
	struct snoop_event *ev;
	struct kp_field *fields;
	int nfields;
	struct tep_format_field *comm_field;
	/* A task event the task cache needs, traced by the user: fed from here. */
	void (*tasks_feed)(struct snoop_tasks *t, const struct snoop_record *r);
	bool kernel_btf;         /* the kernel resolved its BTF names */
	const struct kp_field *top_field; /* --top --by FIELD: the field */
	const struct kp_field *hist_field; /* --hist FIELD */
	uint64_t hits;
	uint64_t hist_dropped;   /* the kernel's Dropped at the last read */
	int profile;             /* nhit.c: KP_PROFILE_K or KP_PROFILE_U */
	uint64_t nhit_prev, nmiss_prev; /* its profile file at the last read (nhit.c) */
};

/* -c --by: one row per (probe, comm or pid). */
struct kp_count {
	int probe;
	pid_t pid;
	char comm[16];
	int64_t bucket;          /* --hist: KP_BUCKET_NEG or the bucket's number */
	uint64_t n;
	bool used;
};

struct kp_counts {
	struct kp_count *slot;
	size_t n, cap;
};

/* A hit waiting for its kernel_stack record (-s -j). */
struct kp_pending {
	bool used;
	struct snoop_buf line;
	struct snoop_json j;     /* -j: the object being written into line */
};

struct kp {
	struct snoop_tool_args a;    /* the skeleton's: options, session, table */
	struct snoop_tool tool;      /* header and --top columns depend on options */
	struct kp_opts opts;
	struct kp_opts *o;           /* &opts */
	struct snoop_top_col top_cols[6];
	int top_col_procs, top_col_last, top_col_pid, top_col_comm, top_col_probe, top_col_value, top_col_cgroup;
	struct snoop_tasks *tasks;   /* names of tracepoint hits (no $comm), else NULL */
	struct kp_probe probes[KP_MAX_PROBES];
	int nprobes;
	struct snoop_ksyms *ksyms;   /* for -s and symbol fields */
	/* available_filter_functions and the kprobe blacklist, read once for
	 * every definition (both are kernel-generated and slow to read: with
	 * 64 probes, reading them per probe took 43 s under TCG). */
	char *filter_functions;
	int filter_functions_errno;  /* 0: not read yet or read */
	char *blacklist;
	int blacklist_errno;
	struct snoop_event *ev_stack;
	struct tep_format_field *f_stack_size, *f_stack_caller;
	uint64_t hits;               /* hits reported (-v says how many) */
	bool last_hit_printed;       /* the stack that follows belongs to it */
	int last_hit_cpu;
	struct kp_pending *pending;  /* per CPU (-s -j) */
	int npending;
	struct kp_counts counts;     /* -c: what is printed at the next tick */
	bool hist_path;              /* -c counted by hist triggers (hist.c) */
	bool nhit_path;              /* -c counted by the kernel's hit counter (nhit.c) */
	struct snoop_hitcount hitcount[2]; /* kprobe_profile, uprobe_profile (KP_PROFILE_*) */
	struct kp_counts hist_prev;  /* their totals at the last tick */
	bool top_hist;               /* --top fed from hist triggers (top.c) */
	struct snoop_buf top_key, top_val;
	bool failed;                 /* a runtime error ended the run (exit 1) */
	bool started_counting;       /* the hist baseline is read */
	char stack_key[32];          /* -c -s: the kernel's name of the stack key */
	/* --latency (latency.c) */
	struct kp_lat_open *lat_open;  /* user space: open entries by TID */
	size_t lat_n, lat_cap;
	uint64_t lat_loss_seq;
	struct kp_probe lat_probe;     /* kernel: the synthetic event, histogrammed */
	struct snoop_probe_def *lat_def; /* its (empty) definition */
};

/* probes.c */
int kp_setup(struct kp *kp);
/* Does the output name the task of a hit? Only then does a probe fetch
 * $comm (KP_COMM_ARG): a string copy per hit that cost the kcall loop
 * about 45% of its floor rate in the 6.12 guest when only counting. */
bool kp_needs_comm(const struct kp *kp);
/* btf.c: replace the BTF names of d's args with fetch expressions. kernel_btf:
 * the kernel resolves BTF names itself for this probe (f: on 6.x), so only
 * argN-style conveniences are left. 0 or -1 with err set. */
int kp_btf_resolve(struct snoop_probe_def *d, bool kernel_btf, struct snoop_probe_error *err);
/* The same with a BTF given (NULL: none), the kernel's or a test's: the
 * part that needs no kernel. */
struct btf;
int kp_btf_resolve_in(const struct btf *btf, struct snoop_probe_def *d, struct snoop_probe_error *err);

/* format.c */
int kp_fields_prepare(struct kp_probe *p); /* 0, or -1 (message printed) */
void kp_fail_oom(struct kp *kp);
void kp_on_hit(struct snoop_session *s, const struct snoop_record *r, void *ctx);
void kp_on_stack(struct snoop_session *s, const struct snoop_record *r, void *ctx);
void kp_on_batch(struct snoop_session *s, void *ctx);
void kp_on_tick(struct snoop_session *s, bool final, void *ctx);
/* A field as the line output shows it (strings escaped and quoted). */
void kp_text_field(struct kp *kp, struct snoop_buf *b, const struct snoop_record *r, const struct kp_field *k);

/* counts.c: comm is cut to 15 bytes; -1 when out of memory. */
int kp_counts_add(struct kp_counts *t, int probe, pid_t pid, const char *comm, size_t commlen, int64_t bucket,
		  uint64_t n);
uint64_t kp_counts_get(struct kp_counts *t, int probe, pid_t pid, const char *comm, int64_t bucket);
void kp_counts_clear(struct kp_counts *t);
void kp_counts_free(struct kp_counts *t);

/* hist.c: -c through hist triggers where every probe's event has them.
 * kp_hist_setup: 0 (kp->hist_path says whether it is used), or an exit
 * status. kp_hist_collect: add what the kernel counted since the last call
 * to kp->counts; -1 (run stopped, message printed) on error. */
int kp_hist_setup(struct kp *kp);
int kp_hist_collect(struct kp *kp);
/* Why the kernel's counting cannot serve the options given, NULL when it
 * can ("" when they count nothing). */
const char *kp_hist_why_not(struct kp *kp);

/* nhit.c: plain -c through the kernel's per-probe hit counter
 * (kprobe_profile, uprobe_profile). kp_nhit_why_not: NULL when it can count what the options
 * ask (decided before the probes, whose kernel names it makes unique with
 * kp_nhit_event_name), else why not ("" when not counting). kp_nhit_setup:
 * the triggers, after the probes (0 or an exit status). kp_nhit_collect:
 * what grew since the last read into kp->counts; -1 (run stopped, message
 * printed) on error. */
enum { KP_PROFILE_K, KP_PROFILE_U, KP_NPROFILES };
const char *kp_nhit_why_not(struct kp *kp);
void kp_nhit_event_name(struct kp *kp, struct kp_probe *p);
int kp_nhit_setup(struct kp *kp);
int kp_nhit_collect(struct kp *kp);

/* Keys per table: a pid or comm per entry. The kernel drops a hit whose key
 * finds no room (counted as Dropped: reported). */
#define KP_HIST_SIZE_KEYED 8192

/* One trigger of a probe, and how its rows map onto the count table. */
enum kp_tab_kind {
	KP_TAB_COUNT,  /* -c, --top: hits per key */
	KP_TAB_VALUES, /* --hist: hits per key and bucket of the field */
	KP_TAB_NEG,    /* --hist of a signed field: its negative values (the
	                * kernel's .log2 and .buckets take values as u64) */
	KP_TAB_STACK,  /* -c -s: hits per kernel stack (stacks.c reads it) */
};

struct kp_tab {
	enum kp_tab_kind kind;
	char keys[192];
};

/* The trigger "hist:keys=KEYS:vals=hitcount[:size=...] if FILTER" on p, its
 * filter the probe's own and "not kprobe itself". 0 or -1 (printed). */
int kp_hist_add(struct kp_probe *p, const struct kp_tab *tab, bool keyed);

/* histogram.c: --hist FIELD. Buckets of kp_count: log2, the exponent e of
 * the bucket (2^(e-1), 2^e] as the kernel's .log2 makes them (0 and 1 in
 * e = 0); --linear, value / STEP; KP_BUCKET_NEG for a signed field's
 * negative values. */
#define KP_BUCKET_NEG (-1)
int kp_histogram_setup(struct kp *kp);  /* 0 or KP_EXIT_USAGE (message printed) */
void kp_histogram_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		      size_t commlen);
void kp_histogram_print(struct kp *kp, bool final);
uint64_t kp_field_u64(const struct snoop_record *r, const struct kp_field *k);
int64_t kp_field_s64(const struct snoop_record *r, const struct kp_field *k);

/* The kernel's .log2 bucket of v. */
int64_t kp_log2_bucket(uint64_t v);

/* latency.c: --latency. probes[0] is the entry, probes[1] the exit. */
void kp_latency_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		    size_t commlen);
int kp_latency_kernel_setup(struct kp *kp); /* 0 or an exit status */
void kp_latency_free(struct kp *kp);

/* stacks.c: -c -s, printed at the end from the kernel's table. */
const char *kp_stack_key(struct kp *kp);
void kp_stacks_print(struct kp *kp);

/* top.c: --top. kp_top_columns: the table's columns from the options
 * (before the session); kp_top_setup: the --by field of every probe and,
 * where the kernel has them, the hist triggers that feed the table (after
 * kp_setup: 0, KP_EXIT_USAGE or 1); kp_top_started: column indexes. */
void kp_top_columns(struct kp *kp);
int kp_top_setup(struct kp *kp);
void kp_top_started(struct kp *kp);
void kp_top_hit(struct kp *kp, struct kp_probe *p, const struct snoop_record *r, const char *comm,
		size_t commlen);

/* Print "kprobe: MSG" then the definition and a caret under column pos. */
/* uprobes.c: a u:/ur: target to its file and offset, before any session
 * (0 or KP_EXIT_USAGE, message printed); -l BINARY [GLOB] (the exit
 * status). */
int kp_uprobe_resolve(struct kp_probe *p);
int kp_uprobe_list(const char *binary, const char *glob);
void kp_def_error(const char *text, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
