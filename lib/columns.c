// SPDX-License-Identifier: GPL-2.0-or-later
/* The common columns in text and JSON (include/snoop/columns.h). */
#include <stdio.h>
#include <string.h>

#include <snoop/cgroup.h>
#include <snoop/columns.h>

static void pad(struct snoop_buf *b, size_t mark, int width)
{
	if (width > 0)
		snoop_buf_pad(b, mark, (size_t)width);
	snoop_buf_addc(b, ' ');
}

void snoop_col_pid(struct snoop_buf *b, pid_t pid, int width)
{
	size_t mark = b->len;

	if (pid > 0)
		snoop_buf_printf(b, "%d", (int)pid);
	else
		snoop_buf_addc(b, '?');
	pad(b, mark, width);
}

void snoop_col_uid(struct snoop_buf *b, long uid, bool late, int width)
{
	size_t mark = b->len;

	if (uid >= 0)
		snoop_buf_printf(b, late ? "%ld*" : "%ld", uid);
	else
		snoop_buf_addc(b, '?');
	pad(b, mark, width);
}

void snoop_json_uid(struct snoop_json *j, long uid, bool late)
{
	if (uid >= 0) {
		snoop_json_int(j, "uid", uid);
		snoop_json_name(j, "uid_source", late ? "proc" : "kernel");
	} else {
		snoop_json_null(j, "uid");
		snoop_json_null(j, "uid_source");
	}
}

void snoop_col_comm(struct snoop_buf *b, const struct snoop_task *t, int width)
{
	size_t mark = b->len;

	if (t->comm_src == SNOOP_TASK_UNKNOWN) {
		snoop_buf_addc(b, '?');
	} else {
		snoop_escape_text(b, t->comm, strlen(t->comm));
		/* Read after the event: the task may have changed its name. */
		if (t->comm_src == SNOOP_TASK_PROC)
			snoop_buf_addc(b, '*');
	}
	pad(b, mark, width);
}

void snoop_col_ret(struct snoop_buf *b, int64_t ret, int width)
{
	size_t mark = b->len;
	const char *name = ret < 0 && ret > -4096 ? snoop_errno_name((int)-ret) : NULL;

	if (ret == SNOOP_RET_UNKNOWN)
		snoop_buf_addc(b, '?');
	else if (ret >= 0)
		snoop_buf_printf(b, "%lld", (long long)ret);
	else if (name)
		snoop_buf_adds(b, name);
	else
		snoop_buf_printf(b, "E%lld", -(long long)ret);
	pad(b, mark, width);
}

const char *snoop_signal_label(int sig, char buf[SNOOP_SIGNAME_MAX])
{
	const char *name = snoop_signal_name(sig, buf);

	if (sig == SNOOP_SIG_UNKNOWN)
		return "?";
	if (!name) {
		snprintf(buf, SNOOP_SIGNAME_MAX, "%d", sig);
		name = buf;
	}
	return name;
}

void snoop_col_signal(struct snoop_buf *b, int sig, int width)
{
	char buf[SNOOP_SIGNAME_MAX];

	snoop_col_str(b, snoop_signal_label(sig, buf), width);
}

void snoop_col_str(struct snoop_buf *b, const char *s, int width)
{
	size_t mark = b->len;

	snoop_buf_adds(b, s);
	pad(b, mark, width);
}

void snoop_col_cgroup(struct snoop_buf *b, const struct snoop_task *t, int width)
{
	size_t mark = b->len;
	char shortp[256];

	if (t->cgroup_src == SNOOP_TASK_UNKNOWN || !t->cgroup) {
		snoop_buf_addc(b, '?');
	} else {
		const char *sp = t->cgroup_short;

		if (!sp) {
			snoop_cgroup_short(t->cgroup, shortp, sizeof(shortp));
			sp = shortp;
		}
		snoop_escape_text(b, sp, strlen(sp));
		/* Read after the event: the task may have moved since. */
		if (t->cgroup_src == SNOOP_TASK_PROC)
			snoop_buf_addc(b, '*');
	}
	pad(b, mark, width);
}

void snoop_col_end(struct snoop_buf *b)
{
	if (b->len && b->data[b->len - 1] == ' ')
		b->len--;
	snoop_buf_addc(b, '\n');
}

void snoop_json_task(struct snoop_json *j, const struct snoop_task *t)
{
	snoop_json_pid(j, "pid", t->tgid_src ? t->tgid : 0);
	snoop_json_name(j, "pid_source", snoop_task_src_name(t->tgid_src));
	snoop_json_pid(j, "tid", t->tid);
	if (t->comm_src)
		snoop_json_str(j, "comm", t->comm, strlen(t->comm));
	else
		snoop_json_null(j, "comm");
	snoop_json_name(j, "comm_source", snoop_task_src_name(t->comm_src));
}

void snoop_json_cgroup(struct snoop_json *j, const struct snoop_task *t)
{
	if (t->cgroup_src && t->cgroup) {
		snoop_json_str(j, "cgroup", t->cgroup, strlen(t->cgroup));
		snoop_json_uint(j, "cgroup_id", t->cgroup_id);
	} else {
		snoop_json_null(j, "cgroup");
		snoop_json_null(j, "cgroup_id");
	}
	snoop_json_name(j, "cgroup_source", snoop_task_src_name(t->cgroup_src));
}

void snoop_json_ret(struct snoop_json *j, int64_t ret)
{
	if (ret == SNOOP_RET_UNKNOWN) {
		snoop_json_null(j, "ret");
		snoop_json_null(j, "errno");
		return;
	}
	snoop_json_int(j, "ret", ret);
	snoop_json_name(j, "errno", ret < 0 && ret > -4096 ? snoop_errno_name((int)-ret) : NULL);
}

void snoop_json_signal(struct snoop_json *j, int sig)
{
	char buf[SNOOP_SIGNAME_MAX];

	if (sig == SNOOP_SIG_UNKNOWN) {
		snoop_json_null(j, "signal");
		snoop_json_null(j, "signum");
		return;
	}
	snoop_json_name(j, "signal", snoop_signal_name(sig, buf));
	snoop_json_int(j, "signum", sig);
}
