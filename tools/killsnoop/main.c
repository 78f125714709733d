// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killsnoop: signals sent with kill, tkill, tgkill and pidfd_send_signal:
 * sender, target, signal name, result. See man/man8/killsnoop.8.
 *
 * Everything comes from the syscall tracepoints: the arguments at the
 * entry, the result at the exit, paired by TID (snoop/pair.h); the
 * sender's process and name from the session's task cache (snoop/task.h),
 * which follows fork, exec and rename in the kernel's own records.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>
#include <snoop/pair.h>
#include <snoop/syscall.h>
#include <snoop/task.h>
#include <snoop/tool.h>

enum sc { SC_KILL, SC_TKILL, SC_TGKILL, SC_PIDFD, NSC };
static const char *const sc_name[NSC] = { "kill", "tkill", "tgkill", "pidfd_send_signal" };
/* The arguments before sig, by syscall: what the target is. */
static const char *const sc_arg0[NSC] = { "pid", "pid", "tgid", "pidfd" };

struct sent {                    /* one call, from its entry */
	struct snoop_pair_slot slot;
	enum sc sc;
	int a0, a1, sig;         /* a1: tgkill's tid */
};

struct killsnoop {
	struct snoop_tool_args a;
	bool failed;             /* -x */
	struct snoop_tasks *tasks;
	struct snoop_syscall sc[NSC];
	struct tep_format_field *f_a0[NSC], *f_a1, *f_sig[NSC];
};

static const char doc[] =
	"Trace signals sent with kill, tkill, tgkill and pidfd_send_signal: sender, target, signal, result.\n"
	"\n"
	"Filtered in the kernel: -p and -L (the sender), -n (exact sender comm), -x (failed only).\n"
	"\v"
	"Examples:\n"
	"  killsnoop                  # every signal sent, system-wide\n"
	"  killsnoop -x               # only the ones that failed (errno name in RESULT)\n"
	"  killsnoop -p 1234          # only signals sent by process 1234\n"
	"  killsnoop -n systemd -t    # sent by threads named systemd, with a time column\n"
	"  killsnoop -j -d 10 >k.json # JSON Lines for 10 seconds\n"
	"  killsnoop --top            # live table: senders, signals and targets by count\n"
	"  killsnoop --cgroup system.slice/docker-ID.scope -C  # signals sent from one container\n"
	"\n"
	"Needs root and tracefs (syscall tracepoints, CONFIG_FTRACE_SYSCALLS). A COMM read late from "
	"/proc (the sender existed before the trace and is not in the kernel's saved_cmdlines) ends "
	"with '*'. See killsnoop(8).";

static const struct argp_option options[] = {
	{ "failed", 'x', NULL, 0, "Only calls that failed", 0 },
	{ 0 }
};

static const struct snoop_top_col cols[] = {
	{ "COUNT", 7, SNOOP_TOP_COUNT, 0 },
	{ "FAILED", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_SUM },
	{ "LASTPID", 7, SNOOP_TOP_NUMBER, SNOOP_TOP_LAST },
	{ "COMM SIGNAL TARGET", 0, SNOOP_TOP_KEY, 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct killsnoop *x = state->input;

	(void)arg;
	if (key != 'x')
		return ARGP_ERR_UNKNOWN;
	x->failed = true;
	return 0;
}

/* The target as the caller named it: the raw arguments, decoded. */
static void target_str(struct snoop_buf *b, const struct sent *e)
{
	if (!e)
		snoop_buf_addc(b, '?');
	else if (e->sc == SC_KILL && e->a0 == 0)
		snoop_buf_adds(b, "pgrp:own");
	else if (e->sc == SC_KILL && e->a0 == -1)
		snoop_buf_adds(b, "all");
	else if (e->sc == SC_KILL && e->a0 < -1)
		snoop_buf_printf(b, "pgrp:%d", -e->a0);
	else if (e->sc == SC_TGKILL)
		snoop_buf_printf(b, "%d/%d", e->a0, e->a1);
	else if (e->sc == SC_PIDFD)
		snoop_buf_printf(b, "pidfd:%d", e->a0);
	else
		snoop_buf_printf(b, "%d", e->a0);
}

/* One call: e NULL when its entry was not seen, ret SNOOP_RET_UNKNOWN when
 * its exit was not. */
static void emit(struct killsnoop *x, pid_t tid, enum sc sc, uint64_t ts, const struct sent *e, int64_t ret)
{
	struct snoop_session *s = x->a.s;
	struct snoop_buf *b = snoop_session_out(s), tb;
	int sig = e ? e->sig : SNOOP_SIG_UNKNOWN;
	char sigbuf[SNOOP_SIGNAME_MAX];
	struct snoop_task t;
	struct snoop_json j;

	if (!snoop_session_count_event(s))
		return;
	snoop_tasks_get(x->tasks, tid, &t);
	snoop_buf_init(&tb);
	target_str(&tb, e);
	if (x->a.table) {
		/* -C: the sender's cgroup leads the key. */
		const char *key[4] = { t.comm_src ? t.comm : NULL, snoop_signal_label(sig, sigbuf),
				       snoop_buf_cstr(&tb), NULL };
		struct snoop_top_row *row;
		char cg[256];

		if (x->a.common.print_cgroup) {
			if (t.cgroup_src && !t.cgroup_short)
				snoop_cgroup_short(t.cgroup, cg, sizeof(cg));
			memmove(key + 1, key, 3 * sizeof(key[0]));
			key[0] = !t.cgroup_src ? NULL : t.cgroup_short ? t.cgroup_short : cg;
		}
		row = snoop_top_hitv(x->a.table, key, x->a.common.print_cgroup ? 4 : 3);

		snoop_top_num_by(x->a.table, row, "FAILED", ret < 0 && ret != SNOOP_RET_UNKNOWN);
		snoop_top_num_by(x->a.table, row, "LASTPID", t.tgid);
	} else if (x->a.common.json) {
		snoop_json_begin(&j, b);
		snoop_session_json_time(s, &j, ts);
		snoop_json_task(&j, &t);
		if (x->a.common.print_cgroup)
			snoop_json_cgroup(&j, &t);
		snoop_json_cstr(&j, "syscall", sc_name[sc]);
		snoop_json_signal(&j, sig);
		snoop_json_str(&j, "target", tb.data, tb.len);
		snoop_json_ret(&j, ret);
		snoop_json_end(&j);
	} else {
		snoop_session_put_time(s, b, ts);
		if (x->a.common.print_cgroup)
			snoop_col_cgroup(b, &t, SNOOP_CGROUP_WIDTH);
		snoop_col_pid(b, t.tgid, 7);
		snoop_col_pid(b, tid, 7);
		snoop_col_comm(b, &t, 16);
		snoop_col_str(b, sc_name[sc], 17);
		snoop_col_signal(b, sig, 12);
		snoop_col_str(b, snoop_buf_cstr(&tb), 14);
		snoop_col_ret(b, ret, 0);
		snoop_col_end(b);
	}
	snoop_buf_free(&tb);
}

static void on_drop(void *ctx, void *entry, enum snoop_pair_drop why)
{
	struct killsnoop *x = ctx;
	struct sent *e = entry;

	/* With -x the kernel drops the exits of calls that succeeded: an
	 * entry without its exit is one of those, not a loss. */
	if (!x->failed || why == SNOOP_PAIR_SPLIT)
		emit(x, e->slot.tid, e->sc, e->slot.ts, e, SNOOP_RET_UNKNOWN);
}

static void on_enter(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct killsnoop *x = ctx;
	int sc = snoop_syscall_of(x->sc, NSC, r);
	struct sent *e = snoop_pairs_enter(x->a.pairs, r->pid, r->ts, snoop_session_loss_seq(s));

	e->sc = (enum sc)sc;
	/* int arguments in 8-byte fields: the kernel uses the low 32 bits. */
	e->a0 = (int32_t)snoop_field_u64(r, x->f_a0[sc]);
	e->a1 = sc == SC_TGKILL ? (int32_t)snoop_field_u64(r, x->f_a1) : 0;
	e->sig = (int32_t)snoop_field_u64(r, x->f_sig[sc]);
}

static void on_exit_(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct killsnoop *x = ctx;
	int sc = snoop_syscall_of(x->sc, NSC, r);
	struct sent *e = snoop_pairs_exit(x->a.pairs, r->pid, snoop_session_loss_seq(s));

	if (e && e->sc != (enum sc)sc)
		e = NULL; /* another syscall's entry: its exit was lost */
	emit(x, r->pid, (enum sc)sc, e ? e->slot.ts : r->ts, e, snoop_field_s64(r, x->sc[sc].ret));
}

static int declare(struct snoop_session *s, void *ctx)
{
	struct killsnoop *x = ctx;

	x->tasks = snoop_session_tasks(s, SNOOP_TASKS_ALL);
	if (!x->tasks)
		return -1;
	for (int i = 0; i < NSC; i++) {
		/* pidfd_send_signal is 5.1's: older kernels go without it. */
		if (snoop_session_syscall(s, &x->sc[i], sc_name[i],
					  (i == SC_PIDFD ? SNOOP_SYSCALL_OPTIONAL : 0) |
						  (x->failed ? SNOOP_SYSCALL_FAILED : 0),
					  on_enter, on_exit_, x) < 0)
			return -1;
		if (x->sc[i].enter) {
			x->f_a0[i] = snoop_event_field(x->sc[i].enter, sc_arg0[i]);
			x->f_sig[i] = snoop_event_field(x->sc[i].enter, "sig");
		}
	}
	x->f_a1 = snoop_event_field(x->sc[SC_TGKILL].enter, "pid");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct snoop_tool tool = {
		.name = "killsnoop", .doc = doc, .options = options, .parse = parse_opt,
		.top_cols = cols, .top_ncols = 4, .top_key_cgroup = true, .declare = declare,
		.header = "PID     TID     COMM             SYSCALL           SIGNAL       TARGET         RESULT",
		.pair_size = sizeof(struct sent), .pair_drop = on_drop,
	};
	struct killsnoop x = { 0 };

	return snoop_tool_main(&tool, &x.a, &x, argc, argv);
}
