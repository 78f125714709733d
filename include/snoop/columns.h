/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The columns every tool prints, written the same way in text and JSON:
 *
 *   column   text                               JSON
 *   PID/TID  the number, "?" when unknown       number, null when unknown
 *   COMM     escaped (snoop_escape_text); "?"   "comm": string or null, and
 *            when unknown; a trailing "*" when  "comm_source": "event",
 *            it was read late from /proc        "saved", "proc" or null
 *   ERR      "0" on success, else the errno     "errno": name or null, and
 *            name ("E123" when unnamed)         "ret": the number
 *   SIG      "SIGTERM", "SIGRTMIN+3", "0"; the  "signal": name or null when
 *            number when unnamed                unnamed, "signum": number
 *   CGROUP   -C: the path, short for container  "cgroup": the full path or
 *            scopes (snoop_cgroup_short),       null, "cgroup_id", and
 *            escaped; "*" after it when read    "cgroup_source": "event",
 *            late from /proc, "?" when unknown  "start", "proc" or null
 *
 * Text writers pad to width (0: no padding) and add one space after.
 */
#ifndef SNOOP_COLUMNS_H
#define SNOOP_COLUMNS_H

#include <stdint.h>
#include <sys/types.h>

#include <snoop/output.h>
#include <snoop/task.h>

/* Values a record did not carry (its entry or exit was not seen): "?" in
 * text, null in JSON. */
#define SNOOP_RET_UNKNOWN INT64_MIN
#define SNOOP_SIG_UNKNOWN (-1)

void snoop_col_pid(struct snoop_buf *b, pid_t pid, int width);
/* A real UID: "?" when unknown (< 0), "1000*" when read from /proc after
 * the event (late: a setuid() in between would not show), else "1000". */
void snoop_col_uid(struct snoop_buf *b, long uid, bool late, int width);
void snoop_col_comm(struct snoop_buf *b, const struct snoop_task *t, int width);
/* ret: a syscall's return value (negative errno on failure). */
void snoop_col_ret(struct snoop_buf *b, int64_t ret, int width);
void snoop_col_signal(struct snoop_buf *b, int sig, int width);
/* The SIG column's text alone: the name, else the number, "?" for
 * SNOOP_SIG_UNKNOWN (e.g. for a --top key). */
const char *snoop_signal_label(int sig, char buf[SNOOP_SIGNAME_MAX]);
/* Trusted ASCII (a syscall name, a number) padded to width. */
void snoop_col_str(struct snoop_buf *b, const char *s, int width);
/* -C: the CGROUP column's width (a docker-<12 hex> name fits). */
#define SNOOP_CGROUP_WIDTH 24
void snoop_col_cgroup(struct snoop_buf *b, const struct snoop_task *t, int width);
/* End the line: the last column's trailing space becomes "\n". */
void snoop_col_end(struct snoop_buf *b);

/* "pid", "pid_source", "tid", "comm", "comm_source" from a task (sources
 * as snoop_task_src_name(), null when unknown). */
void snoop_json_task(struct snoop_json *j, const struct snoop_task *t);
/* "cgroup", "cgroup_id", "cgroup_source" of a task. */
void snoop_json_cgroup(struct snoop_json *j, const struct snoop_task *t);
/* key: a PID, null when <= 0. Inline, so that a literal key's length is
 * known where it is written (out of line, each call measured it). */
static inline void snoop_json_pid(struct snoop_json *j, const char *key, pid_t pid)
{
	if (pid > 0)
		snoop_json_int(j, key, pid);
	else
		snoop_json_null(j, key);
}
/* "uid" and "uid_source": "kernel" (the event's own), "proc" (late), or
 * null and null when unknown. */
void snoop_json_uid(struct snoop_json *j, long uid, bool late);
/* "ret" and "errno" (name, null on success or when unnamed). */
void snoop_json_ret(struct snoop_json *j, int64_t ret);
/* "signal" (name or null) and "signum". */
void snoop_json_signal(struct snoop_json *j, int sig);

#endif
