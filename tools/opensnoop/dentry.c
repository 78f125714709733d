// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -F where kprobes exist: the opened file's path from the kernel, at the
 * open. A kretprobe on do_filp_open() gets the struct file it returns and
 * fetches the names of its dentry and of the dentry's parents, component by
 * component, up to DEPTH of them (a fetch argument may dereference only so
 * many pointers: the kernel's FETCH_INSN_MAX is 16), then the same from the
 * mountpoint of the file's mount in its parent mount. The offsets of struct
 * file, dentry, qstr and mount are read from the kernel's BTF, never
 * guessed. A path deeper than that, or under more than two mounts, is cut:
 * "full_path_source": "kernel_cut", text mark [cut]. So the path is right
 * for a process gone before its line is printed, and for dirfd-relative
 * opens: it is the file the kernel opened (symbolic links resolved).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "opensnoop.h"

#define DEPTH OPENSNOOP_KDEPTH

struct layout {
	int f_path;       /* struct file: f_path (struct path: mnt, dentry) */
	int path_mnt, path_dentry;
	int d_parent, d_name, qstr_name;
	int mnt_in_mount; /* struct mount: its struct vfsmount mnt */
	int mnt_parent, mnt_mountpoint;
};

/* Byte offset of member name in struct sname; -1 when there is none. */
static int member_off(const struct btf *btf, const char *sname, const char *name)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	const struct btf_member *m;

	if (!t)
		return -1;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		__u32 bits = btf_member_bit_offset(t, (__u32)i);

		if (n && *n && strcmp(n, name) == 0)
			return bits % 8 ? -1 : (int)(bits / 8);
	}
	return -1;
}

static bool layout_read(struct layout *l)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	l->f_path = member_off(btf, "file", "f_path");
	l->path_mnt = member_off(btf, "path", "mnt");
	l->path_dentry = member_off(btf, "path", "dentry");
	l->d_parent = member_off(btf, "dentry", "d_parent");
	l->d_name = member_off(btf, "dentry", "d_name");
	l->qstr_name = member_off(btf, "qstr", "name");
	l->mnt_in_mount = member_off(btf, "mount", "mnt");
	l->mnt_parent = member_off(btf, "mount", "mnt_parent");
	l->mnt_mountpoint = member_off(btf, "mount", "mnt_mountpoint");
	btf__free(btf);
	ok = l->f_path >= 0 && l->path_mnt >= 0 && l->path_dentry >= 0 && l->d_parent >= 0 && l->d_name >= 0 &&
	     l->qstr_name >= 0 && l->mnt_in_mount >= 0 && l->mnt_parent >= 0 && l->mnt_mountpoint >= 0;
	return ok;
}

/* A chain of names: "n<P>k" the name of the k-th dentry up from BASE, and
 * "p<P>k" its address (the root of a mount is its own parent). */
static size_t add_chain(struct snoop_buf *a, const struct layout *l, char prefix, const char *base, int depth)
{
	struct snoop_buf d;
	size_t longest = 0;

	snoop_buf_init(&d);
	snoop_buf_adds(&d, base);
	for (int k = 0; k < depth; k++) {
		const char *dp = snoop_buf_cstr(&d);
		size_t mark = a->len;

		snoop_buf_printf(a, " n%c%d=", prefix, k);
		mark = a->len;
		snoop_buf_printf(a, "+0(+%d(%s))", l->d_name + l->qstr_name, dp);
		if (a->len - mark > longest)
			longest = a->len - mark;
		snoop_buf_printf(a, ":string p%c%d=%s:x64", prefix, k, dp);
		/* The parent: one more dereference. */
		{
			struct snoop_buf n;

			snoop_buf_init(&n);
			snoop_buf_printf(&n, "+%d(%s)", l->d_parent, dp);
			snoop_buf_reset(&d);
			snoop_buf_add(&d, n.data, n.len);
			snoop_buf_free(&n);
		}
	}
	snoop_buf_printf(a, " p%c%d=%s:x64", prefix, depth, snoop_buf_cstr(&d));
	snoop_buf_free(&d);
	return longest;
}

static void on_file(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	struct open_entry *e = opensnoop_entry_peek(x, r->pid);
	struct snoop_buf comp[2][DEPTH];
	int ncomp[2] = { 0, 0 };
	bool top[2] = { false, false }, cut = false;
	struct snoop_buf out;

	(void)s;
	if (!e || !e->entered || e->kpath)
		return;
	for (int c = 0; c < 2; c++) {
		for (int k = 0; k < x->kdepth; k++) {
			uint64_t p = snoop_field_u64(r, x->f_kp[c][k]), up = snoop_field_u64(r, x->f_kp[c][k + 1]);
			size_t n = 0;
			const char *name = snoop_field_str(r, x->f_kn[c][k], &n);

			if (!p || !name) {
				cut = true; /* unreadable: no path rather than a guess */
				break;
			}
			if (p == up) {
				top[c] = true; /* the mount's root ("/") */
				break;
			}
			snoop_buf_init(&comp[c][ncomp[c]]);
			snoop_buf_add(&comp[c][ncomp[c]], name, n);
			ncomp[c]++;
		}
		if (!top[c])
			cut = true;
	}
	/* The file's mount is the root mount (its parent is itself), or its
	 * mountpoint's chain is in the root mount. */
	snoop_buf_init(&out);
	if (snoop_field_u64(r, x->f_kmnt) - (uint64_t)x->kmnt_off == snoop_field_u64(r, x->f_kmntp)) {
		ncomp[1] = 0;
	} else if (snoop_field_u64(r, x->f_kmntp) != snoop_field_u64(r, x->f_kmntpp)) {
		cut = true; /* a third mount: not fetched */
	}
	for (int c = 1; c >= 0; c--)
		for (int k = ncomp[c] - 1; k >= 0; k--) {
			snoop_buf_addc(&out, '/');
			snoop_buf_add(&out, comp[c][k].data, comp[c][k].len);
		}
	if (!out.len)
		snoop_buf_addc(&out, '/');
	for (int c = 0; c < 2; c++)
		for (int k = 0; k < ncomp[c]; k++)
			snoop_buf_free(&comp[c][k]);
	e->kpath = malloc(out.len + 1);
	if (e->kpath) {
		memcpy(e->kpath, out.data, out.len);
		e->kpath[out.len] = '\0';
		e->kpathlen = out.len;
		e->kpath_cut = cut;
	}
	snoop_buf_free(&out);
}

/*
 * The probe's fetch arguments for a chain depth. The kernel takes at most
 * MAX_ARGSTR_LEN (63) characters per argument expression, and each parent
 * costs five ("+24(" and ")"): false when the deepest one is longer.
 */
static bool build_args(struct snoop_buf *a, const struct layout *l, int depth)
{
#if defined(__x86_64__)
	const char *rv = "%ax"; /* $retval, in fewer of those characters */
#else
	const char *rv = "$retval";
#endif
	struct snoop_buf base;
	size_t longest;

	snoop_buf_init(&base);
	snoop_buf_reset(a);
	/* The file's dentry, its mount, the mount's parent and that one's. */
	snoop_buf_printf(&base, "+%d(%s)", l->f_path + l->path_dentry, rv);
	snoop_buf_printf(a, "mnt=+%d(%s):x64", l->f_path + l->path_mnt, rv);
	snoop_buf_printf(a, " mntp=+%d(+%d(%s)):x64", l->mnt_parent - l->mnt_in_mount, l->f_path + l->path_mnt, rv);
	snoop_buf_printf(a, " mntpp=+%d(+%d(+%d(%s))):x64", l->mnt_parent, l->mnt_parent - l->mnt_in_mount,
			 l->f_path + l->path_mnt, rv);
	longest = add_chain(a, l, 'f', snoop_buf_cstr(&base), depth);
	snoop_buf_reset(&base);
	/* The mountpoint of the file's mount, a dentry of the parent mount. */
	snoop_buf_printf(&base, "+%d(+%d(%s))", l->mnt_mountpoint - l->mnt_in_mount, l->f_path + l->path_mnt, rv);
	{
		size_t m = add_chain(a, l, 'm', snoop_buf_cstr(&base), depth);

		longest = m > longest ? m : longest;
	}
	snoop_buf_free(&base);
	(void)longest;
	/* Every "expression:type" after its "name=" counts. */
	for (const char *t = snoop_buf_cstr(a); t && *t;) {
		const char *eq = strchr(t, '='), *end = strchr(t, ' ');

		if (!end)
			end = t + strlen(t);
		if (eq && eq < end && end - eq - 1 > 63)
			return false;
		t = *end ? end + 1 : end;
	}
	return true;
}

int opensnoop_setup_dentry(struct opensnoop *x)
{
	struct layout l;
	struct snoop_buf a;
	struct snoop_event *ev;
	char f[64];
	int ret = -1, depth;

	if (!layout_read(&l)) {
		snoop_warn(x->s, "-F: the kernel's BTF does not give struct file/dentry/mount: directories from /proc");
		return 0;
	}
	snoop_buf_init(&a);
	for (depth = DEPTH; depth > 1 && !build_args(&a, &l, depth); depth--)
		;
	x->kdepth = depth;
	ev = snoop_session_kprobe(x->s, "open_file", "do_filp_open", snoop_buf_cstr(&a), true, on_file, x);
	if (!ev)
		goto out;
	x->kmnt_off = l.mnt_in_mount;
	x->f_kmnt = snoop_event_field(ev, "mnt");
	x->f_kmntp = snoop_event_field(ev, "mntp");
	x->f_kmntpp = snoop_event_field(ev, "mntpp");
	for (int c = 0; c < 2; c++)
		for (int k = 0; k <= depth; k++) {
			snprintf(f, sizeof(f), "p%c%d", c ? 'm' : 'f', k);
			x->f_kp[c][k] = snoop_event_field(ev, f);
			if (k < depth) {
				snprintf(f, sizeof(f), "n%c%d", c ? 'm' : 'f', k);
				x->f_kn[c][k] = snoop_event_field(ev, f);
			}
		}
	ret = 0;
	x->kernel_paths = true;
out:
	snoop_buf_free(&a);
	return ret;
}
