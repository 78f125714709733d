/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Probe definitions in the kernel's own syntax (Documentation/trace/
 * kprobetrace.rst, fprobetrace.rst), parsed and checked before anything is
 * written to tracefs, and rendered back as the line the kernel gets.
 *
 *   p[:[GRP/][EVENT]] [MOD:]FUNC[+OFFS]|MEMADDR [FETCHARGS]
 *   r[MAXACTIVE][:[GRP/][EVENT]] [MOD:]FUNC[+0] [FETCHARGS]
 *   f[:[GRP/][EVENT]] FUNC[%return] [FETCHARGS]
 *   t:SYSTEM:EVENT      (or t:SYSTEM/EVENT; an existing tracepoint)
 *   u:BINARY:SYMBOL[+OFFS] [FETCHARGS]   (uprobe, bcc's spelling)
 *   ur:BINARY:SYMBOL [FETCHARGS]         (uretprobe)
 *   p[:[GRP/][EVENT]] /PATH:SYMBOL[+OFFS], r...  (perf-tools uprobe's)
 *   ...any of them followed by " if FILTER"
 *
 * FETCHARGS are [NAME=]FETCHARG[:TYPE]. Conveniences on top of the kernel's
 * syntax: argN and retval stand for $argN and $retval, and a bare C
 * identifier or a chain like how->flags is a BTF name that the caller
 * resolves (snoop_probe_arg.btf). Pure string work: no tracefs, no
 * allocation beyond the definition itself, so it can be unit-tested and
 * fuzzed.
 */
#ifndef SNOOP_PROBE_PARSE_H
#define SNOOP_PROBE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <snoop/output.h>

/* The kernel's limits (kernel/trace/trace_probe.h). */
#define SNOOP_PROBE_DEF_MAX 4096     /* a whole definition, ours */
#define SNOOP_PROBE_NAME_MAX 63      /* MAX_EVENT_NAME_LEN - 1 */
#define SNOOP_PROBE_ARGNAME_MAX 31   /* MAX_ARG_NAME_LEN - 1 */
#define SNOOP_PROBE_ARGSTR_MAX 63    /* MAX_ARGSTR_LEN: one fetch expression */
#define SNOOP_PROBE_ARGS_MAX 127     /* MAX_TRACE_ARGS, less our hidden comm */
#define SNOOP_PROBE_ARRAY_MAX 64     /* MAX_ARRAY_LEN */

enum snoop_probe_kind {
	SNOOP_PROBE_KPROBE,      /* p: */
	SNOOP_PROBE_KRETPROBE,   /* r: */
	SNOOP_PROBE_FENTRY,      /* f: FUNC */
	SNOOP_PROBE_FEXIT,       /* f: FUNC%return */
	SNOOP_PROBE_TRACEPOINT,  /* t: */
	SNOOP_PROBE_UPROBE,      /* u:BINARY:SYMBOL, p:/PATH:SYMBOL */
	SNOOP_PROBE_URETPROBE,   /* ur:BINARY:SYMBOL, r:/PATH:SYMBOL */
};

struct snoop_probe_arg {
	char name[SNOOP_PROBE_ARGNAME_MAX + 1]; /* given or derived; unique */
	bool named;             /* NAME= was given */
	char fetch[256];        /* the expression, conveniences expanded */
	char type[32];          /* "" = the kernel's default (x64/x32) */
	int pos;                /* column of the argument in the definition */
	/* A BTF name: "filename" or "how->flags". Whoever renders the line
	 * first replaces fetch with an expression the kernel understands. */
	bool btf;
};

struct snoop_probe_def {
	enum snoop_probe_kind kind;
	int maxactive;                     /* r<N>; 0 = kernel default */
	char group[SNOOP_PROBE_NAME_MAX + 1];   /* user's GRP, "" if none */
	char event[SNOOP_PROBE_NAME_MAX + 1];   /* user's EVENT, "" if none */
	char module[SNOOP_PROBE_NAME_MAX + 1];  /* MOD: of the target */
	char func[128];                    /* "" for a MEMADDR */
	unsigned long offset;              /* +OFFS */
	uint64_t addr;                     /* MEMADDR */
	bool has_addr;
	int target_pos;                    /* column of FUNC */
	int nargs;
	struct snoop_probe_arg args[SNOOP_PROBE_ARGS_MAX];
	/* "p:WORD IDENT ...": the kernel reads WORD as the event name and
	 * IDENT as the function, perf-tools users may mean WORD as the
	 * function and IDENT as a BTF argument. Parsed the kernel's way;
	 * name_pos is WORD's column, so that a caller who finds no function
	 * IDENT can reparse with a blank there instead of the ':'. */
	bool ambiguous;
	int name_pos;
	/* Uprobes: BINARY as given (a path, or a name the caller looks up
	 * in PATH and the library directories); func is the SYMBOL. The
	 * caller resolves both into ufile and uoff (file offset, +OFFS
	 * included) before rendering. */
	char binary[256];
	char ufile[256];
	uint64_t uoff;
	bool uresolved;
	char filter[SNOOP_PROBE_DEF_MAX];  /* "" if none */
	int filter_pos;
};

/* Where a definition went wrong: a message and the column it points at. */
struct snoop_probe_error {
	int pos;
	char msg[160];
};

/* Fill err (pos and a printf message) and return -1: for the parser and
 * for a tool's own checks of a definition (kprobe's BTF names). */
int snoop_probe_fail(struct snoop_probe_error *err, int pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse text (one definition, optionally with " if FILTER") into d.
 * 0 on success; -1 with err filled in (pos is a byte offset into text).
 */
int snoop_probe_parse(const char *text, struct snoop_probe_def *d, struct snoop_probe_error *err);

/* True for kprobes, kretprobes and fprobes: the kinds that need a function. */
bool snoop_probe_is_dynamic(const struct snoop_probe_def *d);
/* u:, ur:, p:/PATH:SYM, r:/PATH:SYM. */
bool snoop_probe_is_user(const struct snoop_probe_def *d);
bool snoop_probe_is_return(const struct snoop_probe_def *d);

/*
 * The event name the session uses: GRP_EVENT when the user gave a group,
 * EVENT when only that, otherwise derived from the target (FUNC, FUNC_ret
 * for return probes, FUNC_OFFS, addr_HEX). Characters the kernel refuses
 * become '_'. Always fits SNOOP_PROBE_NAME_MAX.
 */
void snoop_probe_event_name(const struct snoop_probe_def *d, char *out, size_t outlen);

/*
 * The line the kernel gets: "p:GROUP/EVENT FUNC args..." with group and
 * event the session's. extra is appended as one more fetch arg (e.g.
 * "__comm=$comm"), or NULL. -1 with err when an argument is still a BTF
 * name nobody resolved.
 */
int snoop_probe_render(const struct snoop_probe_def *d, const char *group, const char *event,
		       const char *extra, struct snoop_buf *out, struct snoop_probe_error *err);

/* Is TYPE a fetch type the kernel knows (u8..x64, string, symbol, b4@2/32,
 * u32[4]...)? */
bool snoop_probe_type_ok(const char *type);

/*
 * Split "DEF if FILTER" at the first " if " outside quotes. Returns the
 * offset of the filter in text, or -1 when there is none; *deflen gets the
 * length of the definition part (trailing blanks trimmed).
 */
int snoop_probe_split_filter(const char *text, size_t *deflen);

#endif
