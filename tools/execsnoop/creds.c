// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where this kernel keeps the real UID in struct cred, read from its BTF
 * (/sys/kernel/btf/vmlinux) with libbpf. A successful exec installs its
 * credentials with commit_creds(new) after the task got its new name, so a
 * probe there can fetch both the name and the UID the kernel gave the
 * process: right even for a process gone before its line is printed. The
 * layout changes between kernels (an atomic_t usage count up to 6.7, an
 * atomic_long_t from 6.8, debug fields before that with
 * CONFIG_DEBUG_CREDENTIALS), so the offset is never guessed.
 */
#include <string.h>

#include <bpf/btf.h>

#include "execsnoop.h"

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static bool is_named_struct(const struct btf *btf, const struct btf_type *t, const char *name)
{
	const char *n = t && btf_is_struct(t) ? btf__name_by_offset(btf, t->name_off) : NULL;

	return n && strcmp(n, name) == 0;
}

/* commit_creds()'s first parameter must be a struct cred pointer. */
static bool commit_creds_takes_cred(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "commit_creds", BTF_KIND_FUNC);
	const struct btf_type *fn = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	const struct btf_type *proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	const struct btf_type *p;

	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) < 1)
		return false;
	p = skip_mods(btf, btf_params(proto)[0].type);
	return p && btf_is_ptr(p) && is_named_struct(btf, skip_mods(btf, p->type), "cred");
}

int execsnoop_cred_uid_offset(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *cred;
	int id, off = -1;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "cred", BTF_KIND_STRUCT);
	cred = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	if (cred && commit_creds_takes_cred(btf)) {
		const struct btf_member *m = btf_members(cred);

		for (int i = 0; i < btf_vlen(cred); i++, m++) {
			const char *n = btf__name_by_offset(btf, m->name_off);
			const struct btf_type *t = skip_mods(btf, m->type);
			__u32 bits = btf_member_bit_offset(cred, (__u32)i);

			/* kuid_t: struct { uid_t val; }, 4 bytes. */
			if (n && strcmp(n, "uid") == 0 && t && t->size == 4 && bits % 8 == 0) {
				off = (int)(bits / 8);
				break;
			}
		}
	}
	btf__free(btf);
	return off;
}
